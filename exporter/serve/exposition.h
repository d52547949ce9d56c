// The text exposition /metrics serves, serialized once per change rather than on every scrape,
// and held as an immutable shared string that scrapes send as it is. Thread-safe.
#ifndef INFERCOST_SERVE_EXPOSITION_H_
#define INFERCOST_SERVE_EXPOSITION_H_

#include <prometheus/metric_family.h>

#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace infercost {

class Exposition {
 public:
  using Clock = std::chrono::steady_clock;
  // `collect` gives the families to serialize; called by Publish only.
  explicit Exposition(std::function<std::vector<prometheus::MetricFamily>()> collect)
      : collect_(std::move(collect)) {}

  // Serializes the families now (a reload, a failed reload, a tick that must show at once).
  void Publish();
  // A tick's publication: skipped while serializing would take more than kShare of a core (a
  // thousand targets are 100,000 samples, tens of milliseconds to format: the text is then a
  // few ticks old; 50 targets re-serialize every tick).
  void PublishIfDue(Clock::time_point now);
  // The text as of the last Publish; never null once published.
  std::shared_ptr<const std::string> Current() const;

 private:
  static constexpr double kShare = 0.02;

  std::function<std::vector<prometheus::MetricFamily>()> collect_;
  std::mutex publish_mu_;       // orders serializations: a later change's text never loses
  Clock::time_point next_due_;  // under publish_mu_
  mutable std::mutex text_mu_;
  std::shared_ptr<const std::string> text_;
};

}  // namespace infercost

#endif  // INFERCOST_SERVE_EXPOSITION_H_
