// Reading a Service's own families in tests (no HTTP): the value of a series by target (and
// outcome) label, summed over the series that match.
#ifndef TESTS_SERVE_SERVICE_SAMPLES_H_
#define TESTS_SERVE_SERVICE_SAMPLES_H_

#include <prometheus/metric_family.h>

#include <string>

#include "serve/service.h"

namespace infercost::test {

// Counters and gauges give their value, summaries their count.
inline double ServiceSample(const Service& service, const std::string& family,
                            const std::string& target, const std::string& outcome = "") {
  double sum = 0;
  for (const prometheus::MetricFamily& f : service.Collect()) {
    if (f.name != family) continue;
    for (const prometheus::ClientMetric& m : f.metric) {
      bool match = false;
      bool outcome_ok = outcome.empty();
      for (const prometheus::ClientMetric::Label& l : m.label) {
        if (l.name == "target" && l.value == target) match = true;
        if (l.name == "outcome" && l.value == outcome) outcome_ok = true;
      }
      if (!match || !outcome_ok) continue;
      switch (f.type) {
        case prometheus::MetricType::Summary:
          sum += static_cast<double>(m.summary.sample_count);
          break;
        case prometheus::MetricType::Gauge:
          sum += m.gauge.value;
          break;
        default:
          sum += m.counter.value;
      }
    }
  }
  return sum;
}

}  // namespace infercost::test

#endif  // TESTS_SERVE_SERVICE_SAMPLES_H_
