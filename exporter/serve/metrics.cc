#include "serve/metrics.h"

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <functional>
#include <type_traits>

#include "config/usage.h"

namespace infercost {
namespace {

using prometheus::BuildCounter;
using prometheus::BuildGauge;
using prometheus::BuildHistogram;

template <typename T>
constexpr prometheus::MetricType kTypeOf =
    std::is_same_v<T, prometheus::Counter> ? prometheus::MetricType::Counter
    : std::is_same_v<T, prometheus::Gauge> ? prometheus::MetricType::Gauge
                                           : prometheus::MetricType::Histogram;

template <typename F>
struct MetricOf;
template <typename T>
struct MetricOf<prometheus::Family<T>> {
  using type = T;
};

// A family registered with prometheus-cpp and listed in the index (see serve/series_index.h).
template <typename Builder>
auto& Make(Builder builder, prometheus::Registry& registry, SeriesIndex& index,
           const std::string& name, const std::string& help, bool per_target = true) {
  auto& family = builder.Name(name).Help(help).Register(registry);
  using Metric = typename MetricOf<std::remove_reference_t<decltype(family)>>::type;
  index.AddFamily(family, name, help, kTypeOf<Metric>, per_target);
  return family;
}

// Sets `gauge` to `value` unless `written` (what was last set; NaN before the first) equals it.
// A NaN equals nothing, so it is written every time, and the first value always is.
void SetIfChanged(prometheus::Gauge* gauge, double& written, double value) {
  if (value == written) return;
  gauge->Set(value);
  written = value;
}

// A counter's increment, skipped when there is nothing to add: at a thousand targets most of a
// tick's deltas are zero, and each increment is an atomic read-modify-write.
void AddTo(prometheus::Counter* counter, double delta) {
  if (delta > 0) counter->Increment(delta);
}

// Adds to `histogram` (if any) what `now` counted since `before`, `scale` applied to the sum of
// values; nothing when nothing was observed in between (counts never go backwards).
void ObserveSince(prometheus::Histogram* histogram, const loadgen::BucketCounts& now,
                  const loadgen::BucketCounts& before, double scale) {
  if (histogram == nullptr || now.total() == before.total()) return;
  thread_local std::vector<double> delta;  // the updater's, reused from tick to tick
  BucketDelta(now, before, &delta);
  histogram->ObserveMultiple(delta,
                             scale * std::max(0.0, now.sum_seconds() - before.sum_seconds()));
}

}  // namespace

const HistogramBounds& BoundsFor(LatencyBuckets setting) {
  static const HistogramBounds kStandard{kRequestDurationBounds, kColdStartBounds,
                                         kScheduleLagBounds, kBilledDurationBounds,
                                         kInitDurationBounds};
  static const HistogramBounds kCoarse{kCoarseRequestDurationBounds, kCoarseColdStartBounds,
                                       kCoarseScheduleLagBounds, kCoarseBilledDurationBounds,
                                       kCoarseInitDurationBounds};
  return setting == LatencyBuckets::kCoarse ? kCoarse : kStandard;
}

loadgen::Interval EmptyInterval(const HistogramBounds& bounds) {
  loadgen::Interval interval;
  interval.duration_buckets = loadgen::BucketCounts(bounds.request_duration);
  interval.cold_start_buckets = loadgen::BucketCounts(bounds.cold_start);
  interval.lag_buckets = loadgen::BucketCounts(bounds.schedule_lag);
  interval.billed_duration_buckets = loadgen::BucketCounts(bounds.billed_duration);
  interval.init_duration_buckets = loadgen::BucketCounts(bounds.init_duration);
  return interval;
}

std::vector<std::string> MetricsChangeErrors(const std::optional<MetricsConfig>& running,
                                             const MetricsConfig& wanted) {
  if (!running || *running == wanted) return {};
  return {"metrics: a change from " + Describe(*running) + " to " + Describe(wanted) +
          " needs a restart; reload refused, nothing changed"};
}

MetricFamilies::MetricFamilies(prometheus::Registry& registry)
    : requests(Make(BuildCounter(), registry, index, "infercost_requests_total",
                    "Finished requests by outcome (ok, http_4xx, throttled, http_5xx, "
                    "gateway_timeout, timeout, connect_error, tls_error, invalid_response, "
                    "auth_error, function_error).")),
      inferences(Make(BuildCounter(), registry, index, "infercost_inferences_total",
                      "Successful inferences (requests with outcome ok).")),
      request_duration(Make(BuildHistogram(), registry, index, "infercost_request_duration_seconds",
                            "Latency of every finished request; in open loop measured from "
                            "the intended send time.")),
      inferences_per_second(Make(BuildGauge(), registry, index, "infercost_inferences_per_second",
                                 "Successful inferences per second over the window.")),
      cost_per_million(Make(BuildGauge(), registry, index,
                            "infercost_cost_per_million_inferences_usd",
                            "US dollars per one million successful inferences over the "
                            "window, on the observed or the capacity basis; absent when it "
                            "cannot be computed.")),
      capacity_ips(Make(BuildGauge(), registry, index, "infercost_capacity_inferences_per_second",
                        "Highest successful IPS sustained over a full healthy window: the "
                        "capacity basis. Absent until one is seen.")),
      cost_total(Make(BuildCounter(), registry, index, "infercost_cost_usd_total",
                      "Estimated spend in US dollars: component time accrues with the clock "
                      "(instance hours, provisioned concurrency, fixed costs), component "
                      "request with each request; optional line items each have their own "
                      "(hourly: load_balancer, public_ipv4, ebs; per request: "
                      "load_balancer_lcu, logs, ephemeral_storage).")),
      price_per_hour(Make(BuildGauge(), registry, index, "infercost_price_usd_per_hour",
                          "Time-based price in force, US dollars per hour.")),
      price_per_request(Make(BuildGauge(), registry, index, "infercost_price_usd_per_request",
                             "Per-request price in force (Lambda request and API Gateway, "
                             "or a flat price), US dollars.")),
      price_per_gb_second(Make(BuildGauge(), registry, index,
                               "infercost_price_usd_per_gigabyte_second",
                               "Lambda duration price in force, US dollars per GB-second "
                               "(GB as AWS bills it: 1024 MB).")),
      price_full_load_surplus(
          Make(BuildGauge(), registry, index, "infercost_price_full_load_surplus_usd_per_hour",
               "Burstable instances in unlimited mode: the surplus-credit charge per hour at "
               "full load, (1 - baseline) x vCPUs x the surplus price per vCPU-hour, which "
               "the capacity basis adds to the hourly price; 0 for every other target.")),
      price_on_demand_per_gb_second(
          Make(BuildGauge(), registry, index, "infercost_price_on_demand_usd_per_gigabyte_second",
               "Duration price without provisioned concurrency, US dollars per GB-second: "
               "what Lambda bills for the duration provisioned concurrency does not cover "
               "(= infercost_price_usd_per_gigabyte_second without it); 0 for targets not "
               "billed by duration.")),
      provisioned_concurrency(Make(BuildGauge(), registry, index,
                                   "infercost_provisioned_concurrency",
                                   "Lambda provisioned concurrency the target is priced "
                                   "with (pricing.provisioned_concurrency); 0 for every "
                                   "other target.")),
      memory_bytes(Make(BuildGauge(), registry, index, "infercost_memory_bytes",
                        "Lambda memory size in bytes (1024 MB = 1 GB as AWS bills it).")),
      billed_duration(Make(BuildCounter(), registry, index,
                           "infercost_billed_duration_seconds_total",
                           "Lambda billed duration, each request rounded up to 1 ms.")),
      billable_requests(Make(BuildCounter(), registry, index, "infercost_billable_requests_total",
                             "Requests the function bills (Lambda's or per_request's request "
                             "price, duration, data processed): the billability table's "
                             "rows with a request fee.")),
      cold_starts(Make(BuildCounter(), registry, index, "infercost_cold_starts_total",
                       "Detected cold starts.")),
      cold_start_duration(Make(BuildHistogram(), registry, index,
                               "infercost_cold_start_duration_seconds",
                               "Latency of cold-start requests.")),
      in_flight(Make(BuildGauge(), registry, index, "infercost_in_flight_requests",
                     "Requests sent and not yet finished.")),
      effective_concurrency(Make(BuildGauge(), registry, index, "infercost_effective_concurrency",
                                 "Requests per second times mean latency over the window "
                                 "(Little's law): how many requests the target really held "
                                 "at once.")),
      dropped(Make(BuildCounter(), registry, index, "infercost_dropped_requests_total",
                   "Open-loop arrivals not sent because the in-flight cap was reached.")),
      budget(Make(BuildGauge(), registry, index, "infercost_cost_budget_per_million_inferences_usd",
                  "The target's budget_usd_per_million from the config (present only where "
                  "one is set).")),
      offered_concurrency(Make(BuildGauge(), registry, index, "infercost_offered_concurrency",
                               "Concurrency the schedule asks for now (closed loop).")),
      offered_rate(Make(BuildGauge(), registry, index, "infercost_offered_rate",
                        "Requests per second the schedule asks for now (open loop).")),
      schedule_lag(Make(BuildHistogram(), registry, index, "infercost_schedule_lag_seconds",
                        "How late the generator sent each request compared with its "
                        "schedule: the client-bottleneck signal.")),
      measurement_valid(Make(BuildGauge(), registry, index, "infercost_measurement_valid",
                             "1 when the last window is trustworthy: schedule kept (p99 lag "
                             "under 10 ms), no drops, the generator not CPU-bound.")),
      load_active(Make(BuildGauge(), registry, index, "infercost_load_active",
                       "0 during an idle stage or once the target's spend_limit_usd is "
                       "reached, else 1.")),
      target_info(Make(BuildGauge(), registry, index, "infercost_target_info",
                       "Static facts about a target; always 1.")),
      billed_duration_seconds(
          Make(BuildHistogram(), registry, index, "infercost_billed_duration_seconds",
               "Per-invocation billed duration from AWS's own record: the REPORT line of "
               "Lambda's Invoke API, or a billed-duration header.")),
      init_duration(Make(BuildHistogram(), registry, index, "infercost_init_duration_seconds",
                         "Init Duration of cold starts, as Lambda's REPORT line states it.")),
      max_memory_used(Make(BuildGauge(), registry, index, "infercost_max_memory_used_bytes",
                           "The highest Max Memory Used of Lambda's REPORT lines in the "
                           "window.")),
      client_overhead(Make(BuildGauge(), registry, index, "infercost_client_overhead_seconds",
                           "Mean client latency beyond the billed duration over the window "
                           "(API Gateway, network), for requests with AWS's billed "
                           "duration.")),
      credentials_expiry(Make(BuildGauge(), registry, index,
                              "infercost_credentials_expiry_timestamp_seconds",
                              "When the AWS credentials the target signs with expire (Unix "
                              "time); absent for static keys and unsigned targets.")),
      credentials_refresh_failures(Make(BuildCounter(), registry, index,
                                        "infercost_credentials_refresh_failures_total",
                                        "Failed refreshes of the target's AWS credentials.")),
      csv_write_errors(Make(BuildCounter(), registry, index, "infercost_csv_write_errors_total",
                            "Blocks of per-request CSV rows that could not be written (a "
                            "full disk): rows were lost.")),
      build_info(Make(BuildGauge(), registry, index, "infercost_build_info",
                      "Version and revision of the running infercost; always 1.",
                      /*per_target=*/false)),
      reload_successful(
          Make(BuildGauge(), registry, index, "infercost_config_last_reload_successful",
               "Whether the last configuration load or reload succeeded.", /*per_target=*/false)),
      reload_success_timestamp(Make(
          BuildGauge(), registry, index, "infercost_config_last_reload_success_timestamp_seconds",
          "Unix time of the last successful configuration load.", /*per_target=*/false)) {}

template <typename T, typename... Bounds>
T* TargetSeries::Add(prometheus::Family<T>& family, const prometheus::Labels& labels,
                     const Bounds&... bounds) {
  T* metric = &family.Add(labels, bounds...);
  text_.Add(family, labels, metric);
  return metric;
}

template <typename T>
void TargetSeries::RemoveIf(prometheus::Family<T>& family, T*& metric) {
  if (metric == nullptr) return;
  text_.Remove(metric);
  family.Remove(metric);
  metric = nullptr;
}

void TargetSeries::SetOptional(prometheus::Family<prometheus::Gauge>& family,
                               prometheus::Gauge*& gauge, std::optional<double> value,
                               const char* label, const char* label_value) {
  if (!value) {
    RemoveIf(family, gauge);
    return;
  }
  if (gauge == nullptr) {
    prometheus::Labels labels = {{"target", target_}};
    if (label != nullptr) labels.emplace(label, label_value);
    gauge = Add(family, labels);
  }
  gauge->Set(*value);
}

TargetSeries::TargetSeries(MetricFamilies& families, std::string target)
    : families_(families), target_(std::move(target)), text_(families.index, target_) {
  const prometheus::Labels t = {{"target", target_}};
  const HistogramBounds& bounds = BoundsFor(families.latency_buckets);
  for (loadgen::Outcome outcome : loadgen::kAllOutcomes) {
    requests[static_cast<std::size_t>(outcome)] = Add(
        families.requests, {{"target", target_}, {"outcome", std::string(OutcomeName(outcome))}});
  }
  inferences = Add(families.inferences, t);
  request_duration = Add(families.request_duration, t, bounds.request_duration);
  inferences_per_second = Add(families.inferences_per_second, t);
  cost_time = Add(families.cost_total, {{"target", target_}, {"component", "time"}});
  cost_request = Add(families.cost_total, {{"target", target_}, {"component", "request"}});
  price_per_hour = Add(families.price_per_hour, t);
  price_per_request = Add(families.price_per_request, t);
  price_per_gb_second = Add(families.price_per_gb_second, t);
  price_full_load_surplus = Add(families.price_full_load_surplus, t);
  price_on_demand_per_gb_second = Add(families.price_on_demand_per_gb_second, t);
  provisioned_concurrency = Add(families.provisioned_concurrency, t);
  memory_bytes = Add(families.memory_bytes, t);
  billed_duration = Add(families.billed_duration, t);
  billable_requests = Add(families.billable_requests, t);
  cold_starts = Add(families.cold_starts, t);
  cold_start_duration = Add(families.cold_start_duration, t, bounds.cold_start);
  in_flight = Add(families.in_flight, t);
  effective_concurrency = Add(families.effective_concurrency, t);
  dropped = Add(families.dropped, t);
  offered_concurrency = Add(families.offered_concurrency, t);
  offered_rate = Add(families.offered_rate, t);
  schedule_lag = Add(families.schedule_lag, t, bounds.schedule_lag);
  measurement_valid = Add(families.measurement_valid, t);
  load_active = Add(families.load_active, t);
  credentials_refresh_failures = Add(families.credentials_refresh_failures, t);
  csv_write_errors = Add(families.csv_write_errors, t);
}

void TargetSeries::AddCounts(const loadgen::Interval& total, const loadgen::Interval& base,
                             double time_scale) {
  for (std::size_t i = 0; i < loadgen::kOutcomeCount; ++i) {
    AddTo(requests[i], CounterDelta(total.requests[i], base.requests[i]));
  }
  AddTo(inferences, CounterDelta(total.Ok(), base.Ok()));
  AddTo(dropped, CounterDelta(total.dropped, base.dropped));
  AddTo(cold_starts, CounterDelta(total.cold_starts, base.cold_starts));
  // Lambda's billed duration: of the requests the billability table says AWS bills a duration for.
  const Usage billed = UsageBetween(total, base, 0, 0);
  AddTo(billed_duration, static_cast<double>(billed.billed_ms) / 1000.0);
  AddTo(billable_requests, static_cast<double>(billed.billable_requests));
  ObserveSince(request_duration, total.duration_buckets, base.duration_buckets, time_scale);
  ObserveSince(cold_start_duration, total.cold_start_buckets, base.cold_start_buckets, time_scale);
  // Schedule lag is the generator's own, on the real clock; AWS's figures are on the target's
  // clock already.
  ObserveSince(schedule_lag, total.lag_buckets, base.lag_buckets, 1.0);
  ObserveSince(billed_duration_, total.billed_duration_buckets, base.billed_duration_buckets, 1.0);
  ObserveSince(init_duration_, total.init_duration_buckets, base.init_duration_buckets, 1.0);
}

void TargetSeries::SetFigures(const TargetFigures& f, const PricingSpec& spec) {
  SetIfChanged(inferences_per_second, written_.ips, f.ips);
  SetIfChanged(effective_concurrency, written_.effective_concurrency, f.effective_concurrency);
  SetIfChanged(in_flight, written_.in_flight, f.in_flight);
  SetCapacity(f.capacity_ips);
  SetCostPerMillion(false, f.usd_per_million_observed);
  SetCostPerMillion(true, f.usd_per_million_capacity);
  AddTo(cost_time, f.time_usd_increment);
  AddTo(cost_request, f.request_usd_increment);
  IncrementLineItems(f, spec);
  SetIfChanged(offered_concurrency, written_.offered_concurrency, f.offered_concurrency);
  SetIfChanged(offered_rate, written_.offered_rate, f.offered_rate);
  SetIfChanged(load_active, written_.load_active, f.load_active ? 1 : 0);
  SetMaxMemoryUsed(f.max_memory_used_bytes);
  SetClientOverhead(f.client_overhead_seconds);
  SetIfChanged(measurement_valid, written_.valid, f.valid ? 1 : 0);
}

void TargetSeries::IncrementLineItems(const TargetFigures& f, const PricingSpec& spec) {
  for (LineItem item : kLineItems) {
    const auto i = static_cast<std::size_t>(item);
    if (!Configures(spec, item)) continue;
    if (cost_line_items[i] == nullptr) {
      cost_line_items[i] =
          Add(families_.cost_total, {{"target", target_}, {"component", std::string(Name(item))}});
    }
    AddTo(cost_line_items[i], f.line_item_usd_increment[i]);
  }
}

TargetSeries::~TargetSeries() {
  if (abandoned_) return;
  for (prometheus::Counter*& c : requests) RemoveIf(families_.requests, c);
  RemoveIf(families_.inferences, inferences);
  RemoveIf(families_.request_duration, request_duration);
  RemoveIf(families_.inferences_per_second, inferences_per_second);
  RemoveIf(families_.cost_total, cost_time);
  RemoveIf(families_.cost_total, cost_request);
  for (prometheus::Counter*& c : cost_line_items) RemoveIf(families_.cost_total, c);
  RemoveIf(families_.price_per_hour, price_per_hour);
  RemoveIf(families_.price_per_request, price_per_request);
  RemoveIf(families_.price_per_gb_second, price_per_gb_second);
  RemoveIf(families_.price_full_load_surplus, price_full_load_surplus);
  RemoveIf(families_.price_on_demand_per_gb_second, price_on_demand_per_gb_second);
  RemoveIf(families_.provisioned_concurrency, provisioned_concurrency);
  RemoveIf(families_.memory_bytes, memory_bytes);
  RemoveIf(families_.billed_duration, billed_duration);
  RemoveIf(families_.billable_requests, billable_requests);
  RemoveIf(families_.cold_starts, cold_starts);
  RemoveIf(families_.cold_start_duration, cold_start_duration);
  RemoveIf(families_.in_flight, in_flight);
  RemoveIf(families_.effective_concurrency, effective_concurrency);
  RemoveIf(families_.dropped, dropped);
  RemoveIf(families_.offered_concurrency, offered_concurrency);
  RemoveIf(families_.offered_rate, offered_rate);
  RemoveIf(families_.schedule_lag, schedule_lag);
  RemoveIf(families_.measurement_valid, measurement_valid);
  RemoveIf(families_.load_active, load_active);
  RemoveIf(families_.target_info, info_);
  RemoveIf(families_.cost_per_million, cost_observed_);
  RemoveIf(families_.cost_per_million, cost_capacity_);
  RemoveIf(families_.budget, budget_);
  RemoveIf(families_.capacity_ips, capacity_);
  RemoveIf(families_.credentials_refresh_failures, credentials_refresh_failures);
  RemoveIf(families_.csv_write_errors, csv_write_errors);
  RemoveIf(families_.credentials_expiry, credentials_expiry_);
  SetAwsRecord(false, false);
}

void TargetSeries::SetAwsRecord(bool with_billed_duration, bool with_report) {
  const prometheus::Labels t = {{"target", target_}};
  const HistogramBounds& bounds = BoundsFor(families_.latency_buckets);
  if (with_billed_duration && billed_duration_ == nullptr) {
    billed_duration_ = Add(families_.billed_duration_seconds, t, bounds.billed_duration);
  } else if (!with_billed_duration && billed_duration_ != nullptr) {
    RemoveIf(families_.billed_duration_seconds, billed_duration_);
    RemoveIf(families_.client_overhead, client_overhead_);
  }
  if (with_report && init_duration_ == nullptr) {
    init_duration_ = Add(families_.init_duration, t, bounds.init_duration);
  } else if (!with_report && init_duration_ != nullptr) {
    RemoveIf(families_.init_duration, init_duration_);
    RemoveIf(families_.max_memory_used, max_memory_used_);
  }
  report_ = with_report;
  billed_ = with_billed_duration;
}

void TargetSeries::SetMaxMemoryUsed(std::optional<double> bytes) {
  if (!report_) bytes.reset();
  SetOptional(families_.max_memory_used, max_memory_used_, bytes);
}

void TargetSeries::SetClientOverhead(std::optional<double> seconds) {
  if (!billed_) seconds.reset();
  SetOptional(families_.client_overhead, client_overhead_, seconds);
}

void TargetSeries::SetInfo(const TargetInfo& info) {
  RemoveIf(families_.target_info, info_);
  info_ = Add(families_.target_info, {{"target", target_},
                                      {"platform", info.platform},
                                      {"instance_type", info.instance_type},
                                      {"region", info.region},
                                      {"architecture", info.architecture},
                                      {"pricing_model", info.pricing_model},
                                      {"price_basis", info.price_basis}});
  info_->Set(1);
}

void TargetSeries::SetCostPerMillion(bool capacity_basis, std::optional<double> usd) {
  SetOptional(families_.cost_per_million, capacity_basis ? cost_capacity_ : cost_observed_, usd,
              "basis", capacity_basis ? "capacity" : "observed");
}

void TargetSeries::SetBudget(std::optional<double> usd_per_million) {
  SetOptional(families_.budget, budget_, usd_per_million);
}

void TargetSeries::SetCapacity(std::optional<double> ips) {
  SetOptional(families_.capacity_ips, capacity_, ips);
}

void TargetSeries::SetCredentialsExpiry(std::optional<double> unix_seconds) {
  SetOptional(families_.credentials_expiry, credentials_expiry_, unix_seconds);
}

LatencySummaries::Values* LatencySummaries::Entry(const std::string& target) {
  std::lock_guard lock(mu_);
  return &values_[target];  // a map's elements stay where they are until erased
}

void LatencySummaries::Set(Values* entry, const Values& values) {
  std::lock_guard lock(mu_);
  *entry = values;
}

void LatencySummaries::Remove(const std::string& target) {
  std::lock_guard lock(mu_);
  values_.erase(target);
}

void LatencySummaries::SetEnabled(bool enabled) {
  std::lock_guard lock(mu_);
  enabled_ = enabled;
}

std::vector<prometheus::MetricFamily> LatencySummaries::Collect() const {
  prometheus::MetricFamily family;
  family.name = "infercost_request_latency_seconds";
  family.help =
      "Exact latency percentiles over the window from the engine's own histogram, for this "
      "generator; across generators use infercost_request_duration_seconds_bucket.";
  family.type = prometheus::MetricType::Summary;
  std::lock_guard lock(mu_);
  if (!enabled_ || values_.empty()) return {};
  for (const auto& [target, v] : values_) {
    prometheus::ClientMetric metric;
    metric.label.push_back({"target", target});
    metric.summary.sample_count = v.count;
    metric.summary.sample_sum = v.sum_seconds;
    for (std::size_t i = 0; i < kQuantiles.size(); ++i) {
      metric.summary.quantile.push_back({kQuantiles[i], v.quantile_seconds[i]});
    }
    family.metric.push_back(std::move(metric));
  }
  return {family};
}

void BucketDelta(const loadgen::BucketCounts& now, const loadgen::BucketCounts& before,
                 std::vector<double>* out) {
  std::vector<double>& delta = *out;
  delta.assign(now.counts().size(), 0.0);
  for (std::size_t i = 0; i < delta.size(); ++i) {
    const uint64_t b = i < before.counts().size() ? before.counts()[i] : 0;
    delta[i] = now.counts()[i] > b ? static_cast<double>(now.counts()[i] - b) : 0.0;
  }
}

static std::vector<double> DividedBy(const std::vector<double>& bounds, double factor) {
  std::vector<double> out;
  for (double b : bounds) out.push_back(b / factor);
  return out;
}

loadgen::StatsOptions MakeStatsOptions(std::string_view name, std::chrono::nanoseconds window,
                                       std::chrono::nanoseconds tick, double time_scale,
                                       const HistogramBounds& bounds) {
  loadgen::StatsOptions options;
  options.window = window;
  options.publish_interval = tick;
  options.publish_on_clock_grid = true;
  constexpr std::size_t kPhases = 1024;
  options.publish_phase = tick / 2 *
                          static_cast<std::int64_t>(std::hash<std::string_view>{}(name) % kPhases) /
                          static_cast<std::int64_t>(kPhases);
  options.duration_bounds_seconds = DividedBy(bounds.request_duration, time_scale);
  options.cold_start_bounds_seconds = DividedBy(bounds.cold_start, time_scale);
  options.lag_bounds_seconds = bounds.schedule_lag;
  // AWS states these on the target's clock already: not divided.
  options.billed_duration_bounds_seconds = bounds.billed_duration;
  options.init_duration_bounds_seconds = bounds.init_duration;
  // Quantiles come from the window; the totals feed counters and bucket histograms only.
  options.total_histograms = false;
  // Neither the successful requests' nor the cold starts' own latency quantiles are exported.
  options.window_ok_and_cold_latency = false;
  // Nor are the window's request duration, cold start, schedule lag or Init Duration buckets
  // read: the histograms are exported from the totals, the quantiles from the window's latency.
  options.window_exported_buckets = false;
  // The latency and lag quantiles are read off the window in place: a snapshot copies no
  // latency buckets.
  options.window_latency_quantiles.assign(kLatencyQuantiles.begin(), kLatencyQuantiles.end());
  options.window_lag_quantiles = {kLagQuantile};
  options.window_histograms_in_snapshot = false;
  return options;
}

}  // namespace infercost
