// The targets' series, written to the text format straight from their metrics. prometheus-cpp
// keeps every series (its families take the increments, and Service::Collect reads them through
// Registry::Collect, the reference the tests compare with); but Registry::Collect first copies
// each series' labels and buckets into a vector of families, which took three quarters of a
// scrape of a thousand targets (100,000 samples). The index knows the families in registration
// order and, for each target, each series' metric with its labels rendered once, so a scrape
// only formats numbers. Thread-safe: series are added and removed under the index's lock, which
// Write holds; values are read as prometheus-cpp's atomics and histogram locks allow.
#ifndef INFERCOST_SERVE_SERIES_INDEX_H_
#define INFERCOST_SERVE_SERIES_INDEX_H_

#include <prometheus/collectable.h>
#include <prometheus/counter.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/labels.h>
#include <prometheus/metric_type.h>

#include <cstddef>
#include <map>
#include <mutex>
#include <string>
#include <vector>

namespace infercost {

class SeriesIndex {
 public:
  // A family, in the order the text lists them. `per_target`: its series belong to targets and
  // are written from the index; otherwise (build info, reload status: a few series) the family
  // is collected from prometheus-cpp as it is.
  void AddFamily(const prometheus::Collectable& family, std::string name, std::string help,
                 prometheus::MetricType type, bool per_target);

  // One target's series, listed in the index from construction to destruction.
  class Target {
   public:
    Target(SeriesIndex& index, std::string name);
    ~Target();
    Target(const Target&) = delete;
    Target& operator=(const Target&) = delete;

    // A series of a family registered with AddFamily; `labels` are the series' own (target
    // included), rendered here once.
    void Add(const prometheus::Collectable& family, const prometheus::Labels& labels,
             const prometheus::Counter* metric);
    void Add(const prometheus::Collectable& family, const prometheus::Labels& labels,
             const prometheus::Gauge* metric);
    void Add(const prometheus::Collectable& family, const prometheus::Labels& labels,
             const prometheus::Histogram* metric);
    void Remove(const void* metric);

   private:
    friend class SeriesIndex;
    enum class Kind { kCounter, kGauge, kHistogram };
    struct Series {
      std::size_t family;
      Kind kind;
      const void* metric;
      std::string labels;  // `name="value",...` in prometheus-cpp's order (by label name)
    };
    void Insert(const prometheus::Collectable& family, const prometheus::Labels& labels, Kind kind,
                const void* metric);

    SeriesIndex& index_;
    std::string name_;
    std::vector<Series> series_;  // ordered by family
  };

  // Every family's HELP, TYPE and samples, appended to `out`.
  void Write(std::string& out) const;

 private:
  struct Family {
    const prometheus::Collectable* family;
    std::string name;
    std::string help;
    prometheus::MetricType type;
    bool per_target;
  };
  std::size_t IndexOf(const prometheus::Collectable& family) const;
  void WriteFamily(std::string& out, const Family& family, std::size_t index,
                   std::vector<std::size_t>& cursors) const;

  mutable std::mutex mu_;
  std::vector<Family> families_;
  std::multimap<std::string, const Target*> targets_;  // by name: the text lists them so
};

}  // namespace infercost

#endif  // INFERCOST_SERVE_SERIES_INDEX_H_
