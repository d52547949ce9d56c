// The infercost_* metric families and one target's series. Names, labels and help texts follow
// DESIGN.md's Metrics table. Thread contract: families and series are created, updated and
// removed only by the service (its updater thread, or a reload holding the service's lock);
// scrapes read them concurrently through prometheus-cpp, which is thread-safe for that.
#ifndef INFERCOST_SERVE_METRICS_H_
#define INFERCOST_SERVE_METRICS_H_

#include <prometheus/collectable.h>
#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/metric_family.h>
#include <prometheus/registry.h>

#include <array>
#include <chrono>
#include <cmath>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "config/config.h"
#include "loadgen/outcome.h"
#include "loadgen/stats.h"
#include "serve/series_index.h"
#include "serve/target_figures.h"

namespace infercost {

// Bucket upper bounds, in seconds. The same on every instance so that Prometheus can sum
// histograms across generators. Request duration has bounds at common SLOs (100 ms, 250 ms,
// 500 ms, 1 s...) and at API Gateway's 29 s integration timeout.
inline const std::vector<double> kRequestDurationBounds = {
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.15, 0.2, 0.25, 0.3, 0.4, 0.5,
    0.75,  1,      1.5,   2,    2.5,   3,    5,     7.5, 10,   15,  20,   29,  30,  60};
inline const std::vector<double> kColdStartBounds = {0.25, 0.5, 1,  2,  3,  5,  7.5, 10,
                                                     15,   20,  29, 30, 45, 60, 120};
inline const std::vector<double> kScheduleLagBounds = {
    0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1};
// AWS's own figures, already on the target's clock: billed duration per invocation (Lambda bills
// in 1 ms steps; a function runs up to 15 min) and cold starts' Init Duration (up to 10 s).
inline const std::vector<double> kBilledDurationBounds = {
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.15, 0.2, 0.3, 0.5, 0.75,
    1,     1.5,    2,     3,    5,     10,   15,  30,   60,  120, 300, 900};
inline const std::vector<double> kInitDurationBounds = {0.05, 0.1, 0.2, 0.3, 0.5, 0.75, 1,
                                                        1.5,  2,   3,   5,   7.5, 10};
// `metrics: { latency_buckets: coarse }`: a subset of each list above that keeps every bound a
// recording rule, alert or dashboard reads (1 s, the latency SLO; 10 ms, the schedule-lag
// threshold; 0.1, 0.5, 2.5 s of the rule tests) and few others, for fleets of many targets.
// tests/serve/metrics_test.cc checks both properties against deploy/ and dashboards/.
inline const std::vector<double> kCoarseRequestDurationBounds = {
    0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30};
inline const std::vector<double> kCoarseColdStartBounds = {0.5, 1, 2, 5, 10, 30, 60};
inline const std::vector<double> kCoarseScheduleLagBounds = {0.0005, 0.001, 0.005, 0.01,
                                                             0.05,   0.1,   1};
inline const std::vector<double> kCoarseBilledDurationBounds = {0.001, 0.01, 0.1, 0.5, 1,
                                                                5,     30,   120, 900};
inline const std::vector<double> kCoarseInitDurationBounds = {0.1, 0.3, 0.5, 1, 2, 5, 10};

// The bucket bounds of every histogram family at one `latency_buckets` setting.
struct HistogramBounds {
  const std::vector<double>& request_duration;
  const std::vector<double>& cold_start;
  const std::vector<double>& schedule_lag;
  const std::vector<double>& billed_duration;
  const std::vector<double>& init_duration;
};
const HistogramBounds& BoundsFor(LatencyBuckets setting);
// An interval with no requests and every bucket list at these bounds: a new target's baseline.
loadgen::Interval EmptyInterval(const HistogramBounds& bounds);
// The engine's statistics options for the target `name`: `bounds` with durations on the
// target's clock (divided by `time_scale`), quantiles from the window only (no histograms in the
// totals), publishes on the tick's grid in its first half (the phase from the name: a thousand
// targets do not publish at once), read by ticks three quarters of a tick past the grid
// (NextTick in serve/service.h): a quarter tick of margin for a late worker.
loadgen::StatsOptions MakeStatsOptions(std::string_view name, std::chrono::nanoseconds window,
                                       std::chrono::nanoseconds tick, double time_scale,
                                       const HistogramBounds& bounds);
// What a counter or each bucket of a histogram gains from `before` to `now`, never negative. With a
// time scale F the engine counts wall-clock latencies against bounds F times lower; the exported
// buckets keep their documented bounds. Schedule lag is the generator's own and is not scaled.
// Into `out`, its capacity reused.
void BucketDelta(const loadgen::BucketCounts& now, const loadgen::BucketCounts& before,
                 std::vector<double>* out);
inline double CounterDelta(uint64_t now, uint64_t before) {
  return now > before ? static_cast<double>(now - before) : 0.0;
}
// A reload's refusal when it changes the running `metrics:` (none before the first Apply):
// histograms keep the buckets they were created with, since re-binning them would reset every
// count and mix two sets of `le` in Prometheus's rate windows. Empty when nothing changes.
std::vector<std::string> MetricsChangeErrors(const std::optional<MetricsConfig>& running,
                                             const MetricsConfig& wanted);

// Quantiles of infercost_request_latency_seconds: those the figures compute.
inline constexpr std::array<double, kLatencyQuantiles.size()> kQuantiles = kLatencyQuantiles;

struct MetricFamilies {
  explicit MetricFamilies(prometheus::Registry& registry);

  // Every family below in registration order, and each target's series: what /metrics writes
  // (serve/series_index.h). First, so that it is there when the families register.
  SeriesIndex index;

  // The bounds of the targets' histograms: set before the first TargetSeries (the service's first
  // Apply) and never changed while series exist (a change of `metrics:` needs a restart).
  LatencyBuckets latency_buckets = LatencyBuckets::kStandard;

  prometheus::Family<prometheus::Counter>& requests;
  prometheus::Family<prometheus::Counter>& inferences;
  prometheus::Family<prometheus::Histogram>& request_duration;
  prometheus::Family<prometheus::Gauge>& inferences_per_second;
  prometheus::Family<prometheus::Gauge>& cost_per_million;
  prometheus::Family<prometheus::Gauge>& capacity_ips;
  prometheus::Family<prometheus::Counter>& cost_total;
  prometheus::Family<prometheus::Gauge>& price_per_hour;
  prometheus::Family<prometheus::Gauge>& price_per_request;
  prometheus::Family<prometheus::Gauge>& price_per_gb_second;
  prometheus::Family<prometheus::Gauge>& price_full_load_surplus;
  prometheus::Family<prometheus::Gauge>& price_on_demand_per_gb_second;
  prometheus::Family<prometheus::Gauge>& provisioned_concurrency;
  prometheus::Family<prometheus::Gauge>& memory_bytes;
  prometheus::Family<prometheus::Counter>& billed_duration;
  prometheus::Family<prometheus::Counter>& billable_requests;
  prometheus::Family<prometheus::Counter>& cold_starts;
  prometheus::Family<prometheus::Histogram>& cold_start_duration;
  prometheus::Family<prometheus::Gauge>& in_flight;
  prometheus::Family<prometheus::Gauge>& effective_concurrency;
  prometheus::Family<prometheus::Counter>& dropped;
  prometheus::Family<prometheus::Gauge>& budget;
  prometheus::Family<prometheus::Gauge>& offered_concurrency;
  prometheus::Family<prometheus::Gauge>& offered_rate;
  prometheus::Family<prometheus::Histogram>& schedule_lag;
  prometheus::Family<prometheus::Gauge>& measurement_valid;
  prometheus::Family<prometheus::Gauge>& load_active;
  prometheus::Family<prometheus::Gauge>& target_info;
  prometheus::Family<prometheus::Histogram>& billed_duration_seconds;
  prometheus::Family<prometheus::Histogram>& init_duration;
  prometheus::Family<prometheus::Gauge>& max_memory_used;
  prometheus::Family<prometheus::Gauge>& client_overhead;
  prometheus::Family<prometheus::Gauge>& credentials_expiry;
  prometheus::Family<prometheus::Counter>& credentials_refresh_failures;
  prometheus::Family<prometheus::Counter>& csv_write_errors;
  prometheus::Family<prometheus::Gauge>& build_info;
  prometheus::Family<prometheus::Gauge>& reload_successful;
  prometheus::Family<prometheus::Gauge>& reload_success_timestamp;
};

// Labels of infercost_target_info besides `target`.
struct TargetInfo {
  std::string platform;       // ec2 | lambda | other
  std::string instance_type;  // "" when not an instance
  std::string region;
  std::string architecture;
  std::string pricing_model;
  std::string price_basis;
};

// Every series of one target, created at zero on construction and removed on destruction.
// Optional gauges (the cost figures, the budget) are added only while they have a value, so a
// figure that cannot be computed is absent rather than zero or infinite.
class TargetSeries {
 public:
  TargetSeries(MetricFamilies& families, std::string target);
  ~TargetSeries();
  TargetSeries(const TargetSeries&) = delete;
  TargetSeries& operator=(const TargetSeries&) = delete;

  // The registry is about to go (the service is being destroyed): destruction then leaves the
  // series to it. Removing one series is a linear search of its family (prometheus-cpp), so
  // removing 1,000 targets' series one by one made exit take seconds.
  void Abandon() { abandoned_ = true; }

  void SetInfo(const TargetInfo& info);
  // A tick's counts: adds to the counters and histograms what `total` counted since `base` (the
  // totals the last tick added), durations on the target's clock multiplied by `time_scale`.
  void AddCounts(const loadgen::Interval& total, const loadgen::Interval& base, double time_scale);
  // A tick's figures: the gauges set, the optional ones added or removed, the cost increments
  // added (the line items `spec` configures among them).
  void SetFigures(const TargetFigures& f, const PricingSpec& spec);
  // Sets or removes an optional gauge.
  void SetCostPerMillion(bool capacity_basis, std::optional<double> usd);
  void SetBudget(std::optional<double> usd_per_million);
  void SetCapacity(std::optional<double> ips);
  // The series of AWS's own record: the billed-duration histogram and the client's overhead over
  // it for targets billed per duration (Lambda), Init Duration and Max Memory Used for targets
  // that read Lambda's REPORT line. Added or removed to match; absent for other targets.
  void SetAwsRecord(bool with_billed_duration, bool with_report);
  void SetMaxMemoryUsed(std::optional<double> bytes);
  void SetClientOverhead(std::optional<double> seconds);
  prometheus::Histogram* billed_duration_histogram() const { return billed_duration_; }
  prometheus::Histogram* init_duration_histogram() const { return init_duration_; }
  // When the target's AWS credentials expire (Unix seconds); absent for keys that never do.
  void SetCredentialsExpiry(std::optional<double> unix_seconds);

  std::array<prometheus::Counter*, loadgen::kOutcomeCount> requests{};
  prometheus::Counter* inferences;
  prometheus::Histogram* request_duration;
  prometheus::Gauge* inferences_per_second;
  prometheus::Counter* cost_time;
  prometheus::Counter* cost_request;
  // The line items' components of infercost_cost_usd_total: a series for each item the pricing
  // configures (none otherwise), added on the first increment.
  void IncrementLineItems(const TargetFigures& f, const PricingSpec& spec);
  std::array<prometheus::Counter*, kLineItemCount> cost_line_items{};
  prometheus::Gauge* price_per_hour;
  prometheus::Gauge* price_per_request;
  prometheus::Gauge* price_per_gb_second;
  prometheus::Gauge* price_full_load_surplus;
  prometheus::Gauge* price_on_demand_per_gb_second;
  prometheus::Gauge* provisioned_concurrency;
  prometheus::Gauge* memory_bytes;
  prometheus::Counter* billed_duration;
  prometheus::Counter* billable_requests;
  prometheus::Counter* cold_starts;
  prometheus::Histogram* cold_start_duration;
  prometheus::Gauge* in_flight;
  prometheus::Gauge* effective_concurrency;
  prometheus::Counter* dropped;
  prometheus::Gauge* offered_concurrency;
  prometheus::Gauge* offered_rate;
  prometheus::Histogram* schedule_lag;
  prometheus::Gauge* measurement_valid;
  prometheus::Gauge* load_active;
  prometheus::Counter* credentials_refresh_failures;
  prometheus::Counter* csv_write_errors;

 private:
  // A series added to its family and listed in the index; removed from both.
  template <typename T, typename... Bounds>
  T* Add(prometheus::Family<T>& family, const prometheus::Labels& labels, const Bounds&... bounds);
  template <typename T>
  void RemoveIf(prometheus::Family<T>& family, T*& metric);
  // Sets `gauge` to `value` (added with the labels `target` and, if named, `label` when absent),
  // or removes it when there is no value. The labels are built only to add the series: a tick
  // sets a thousand targets' optional gauges.
  void SetOptional(prometheus::Family<prometheus::Gauge>& family, prometheus::Gauge*& gauge,
                   std::optional<double> value, const char* label = nullptr,
                   const char* label_value = nullptr);

  bool abandoned_ = false;
  MetricFamilies& families_;
  std::string target_;
  SeriesIndex::Target text_;
  prometheus::Gauge* info_ = nullptr;
  prometheus::Gauge* cost_observed_ = nullptr;
  prometheus::Gauge* cost_capacity_ = nullptr;
  prometheus::Gauge* budget_ = nullptr;
  prometheus::Gauge* capacity_ = nullptr;
  prometheus::Gauge* credentials_expiry_ = nullptr;
  prometheus::Histogram* billed_duration_ = nullptr;
  prometheus::Histogram* init_duration_ = nullptr;
  prometheus::Gauge* max_memory_used_ = nullptr;
  prometheus::Gauge* client_overhead_ = nullptr;
  bool report_ = false;  // max_memory_used_ may be set
  bool billed_ = false;  // client_overhead_ may be set
  // What SetFigures last wrote to the gauges it sets every tick (NaN: nothing yet): a gauge
  // whose value did not change is not written again, most of them on most ticks, each write a
  // store to a cold cache line at a thousand targets.
  struct Written {
    double ips = NAN;
    double effective_concurrency = NAN;
    double in_flight = NAN;
    double offered_concurrency = NAN;
    double offered_rate = NAN;
    double load_active = NAN;
    double valid = NAN;
  };
  Written written_;
};

// infercost_request_latency_seconds: the exact windowed percentiles of the engine's own
// histogram, exposed as a summary (quantiles over a sliding window, with cumulative _sum and
// _count) because prometheus-cpp's Summary computes its own quantiles and cannot take ours.
// Thread-safe: the service sets values, scrapes collect.
class LatencySummaries : public prometheus::Collectable {
 public:
  struct Values {
    std::array<double, kQuantiles.size()> quantile_seconds{};  // NaN when no request finished
    uint64_t count = 0;                                        // every finished request since start
    double sum_seconds = 0;
  };
  // A target's entry, made if it has none: the updater's handle for Set, so that a tick finds it
  // without a lookup among a thousand names. Valid until Remove(target).
  Values* Entry(const std::string& target);
  void Set(Values* entry, const Values& values);
  void Remove(const std::string& target);
  // `metrics: { quantiles: off }`: Collect() returns nothing (the values are still kept).
  void SetEnabled(bool enabled);
  std::vector<prometheus::MetricFamily> Collect() const override;

 private:
  mutable std::mutex mu_;
  std::map<std::string, Values> values_;
  bool enabled_ = true;
};

}  // namespace infercost

#endif  // INFERCOST_SERVE_METRICS_H_
