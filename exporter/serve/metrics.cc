#include "serve/metrics.h"

#include <cstdio>

namespace infercost {
namespace {

using prometheus::BuildCounter;
using prometheus::BuildGauge;
using prometheus::BuildHistogram;

template <typename T>
void RemoveIf(prometheus::Family<T>& family, T*& metric) {
  if (metric != nullptr) {
    family.Remove(metric);
    metric = nullptr;
  }
}

void SetOptional(prometheus::Family<prometheus::Gauge>& family, prometheus::Gauge*& gauge,
                 const prometheus::Labels& labels, std::optional<double> value) {
  if (!value) {
    RemoveIf(family, gauge);
    return;
  }
  if (gauge == nullptr) gauge = &family.Add(labels);
  gauge->Set(*value);
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
    : requests(BuildCounter()
                   .Name("infercost_requests_total")
                   .Help("Finished requests by outcome (ok, http_4xx, throttled, http_5xx, "
                         "gateway_timeout, timeout, connect_error, tls_error, invalid_response, "
                         "auth_error, function_error).")
                   .Register(registry)),
      inferences(BuildCounter()
                     .Name("infercost_inferences_total")
                     .Help("Successful inferences (requests with outcome ok).")
                     .Register(registry)),
      request_duration(BuildHistogram()
                           .Name("infercost_request_duration_seconds")
                           .Help("Latency of every finished request; in open loop measured from "
                                 "the intended send time.")
                           .Register(registry)),
      inferences_per_second(BuildGauge()
                                .Name("infercost_inferences_per_second")
                                .Help("Successful inferences per second over the window.")
                                .Register(registry)),
      cost_per_million(BuildGauge()
                           .Name("infercost_cost_per_million_inferences_usd")
                           .Help("US dollars per one million successful inferences over the "
                                 "window, on the observed or the capacity basis; absent when it "
                                 "cannot be computed.")
                           .Register(registry)),
      capacity_ips(BuildGauge()
                       .Name("infercost_capacity_inferences_per_second")
                       .Help("Highest successful IPS sustained over a full healthy window: the "
                             "capacity basis. Absent until one is seen.")
                       .Register(registry)),
      cost_total(BuildCounter()
                     .Name("infercost_cost_usd_total")
                     .Help("Estimated spend in US dollars: component time accrues with the clock "
                           "(instance hours, provisioned concurrency, fixed costs), component "
                           "request with each request; optional line items each have their own "
                           "(hourly: load_balancer, public_ipv4, ebs; per request: "
                           "load_balancer_lcu, logs, ephemeral_storage).")
                     .Register(registry)),
      price_per_hour(BuildGauge()
                         .Name("infercost_price_usd_per_hour")
                         .Help("Time-based price in force, US dollars per hour.")
                         .Register(registry)),
      price_per_request(BuildGauge()
                            .Name("infercost_price_usd_per_request")
                            .Help("Per-request price in force (Lambda request and API Gateway, "
                                  "or a flat price), US dollars.")
                            .Register(registry)),
      price_per_gb_second(BuildGauge()
                              .Name("infercost_price_usd_per_gigabyte_second")
                              .Help("Lambda duration price in force, US dollars per GB-second "
                                    "(GB as AWS bills it: 1024 MB).")
                              .Register(registry)),
      price_full_load_surplus(
          BuildGauge()
              .Name("infercost_price_full_load_surplus_usd_per_hour")
              .Help("Burstable instances in unlimited mode: the surplus-credit charge per hour at "
                    "full load, (1 - baseline) x vCPUs x the surplus price per vCPU-hour, which "
                    "the capacity basis adds to the hourly price; 0 for every other target.")
              .Register(registry)),
      price_on_demand_per_gb_second(
          BuildGauge()
              .Name("infercost_price_on_demand_usd_per_gigabyte_second")
              .Help("Duration price without provisioned concurrency, US dollars per GB-second: "
                    "what Lambda bills for the duration provisioned concurrency does not cover "
                    "(= infercost_price_usd_per_gigabyte_second without it); 0 for targets not "
                    "billed by duration.")
              .Register(registry)),
      provisioned_concurrency(BuildGauge()
                                  .Name("infercost_provisioned_concurrency")
                                  .Help("Lambda provisioned concurrency the target is priced "
                                        "with (pricing.provisioned_concurrency); 0 for every "
                                        "other target.")
                                  .Register(registry)),
      memory_bytes(BuildGauge()
                       .Name("infercost_memory_bytes")
                       .Help("Lambda memory size in bytes (1024 MB = 1 GB as AWS bills it).")
                       .Register(registry)),
      billed_duration(BuildCounter()
                          .Name("infercost_billed_duration_seconds_total")
                          .Help("Lambda billed duration, each request rounded up to 1 ms.")
                          .Register(registry)),
      billable_requests(BuildCounter()
                            .Name("infercost_billable_requests_total")
                            .Help("Requests the function bills (Lambda's or per_request's request "
                                  "price, duration, data processed): the billability table's "
                                  "rows with a request fee.")
                            .Register(registry)),
      cold_starts(BuildCounter()
                      .Name("infercost_cold_starts_total")
                      .Help("Detected cold starts.")
                      .Register(registry)),
      cold_start_duration(BuildHistogram()
                              .Name("infercost_cold_start_duration_seconds")
                              .Help("Latency of cold-start requests.")
                              .Register(registry)),
      in_flight(BuildGauge()
                    .Name("infercost_in_flight_requests")
                    .Help("Requests sent and not yet finished.")
                    .Register(registry)),
      effective_concurrency(BuildGauge()
                                .Name("infercost_effective_concurrency")
                                .Help("Requests per second times mean latency over the window "
                                      "(Little's law): how many requests the target really held "
                                      "at once.")
                                .Register(registry)),
      dropped(BuildCounter()
                  .Name("infercost_dropped_requests_total")
                  .Help("Open-loop arrivals not sent because the in-flight cap was reached.")
                  .Register(registry)),
      budget(BuildGauge()
                 .Name("infercost_cost_budget_per_million_inferences_usd")
                 .Help("The target's budget_usd_per_million from the config (present only where "
                       "one is set).")
                 .Register(registry)),
      offered_concurrency(BuildGauge()
                              .Name("infercost_offered_concurrency")
                              .Help("Concurrency the schedule asks for now (closed loop).")
                              .Register(registry)),
      offered_rate(BuildGauge()
                       .Name("infercost_offered_rate")
                       .Help("Requests per second the schedule asks for now (open loop).")
                       .Register(registry)),
      schedule_lag(BuildHistogram()
                       .Name("infercost_schedule_lag_seconds")
                       .Help("How late the generator sent each request compared with its "
                             "schedule: the client-bottleneck signal.")
                       .Register(registry)),
      measurement_valid(BuildGauge()
                            .Name("infercost_measurement_valid")
                            .Help("1 when the last window is trustworthy: schedule kept (p99 lag "
                                  "under 10 ms), no drops, the generator not CPU-bound.")
                            .Register(registry)),
      load_active(BuildGauge()
                      .Name("infercost_load_active")
                      .Help("0 during an idle stage or once the target's spend_limit_usd is "
                            "reached, else 1.")
                      .Register(registry)),
      target_info(BuildGauge()
                      .Name("infercost_target_info")
                      .Help("Static facts about a target; always 1.")
                      .Register(registry)),
      billed_duration_seconds(
          BuildHistogram()
              .Name("infercost_billed_duration_seconds")
              .Help("Per-invocation billed duration from AWS's own record: the REPORT line of "
                    "Lambda's Invoke API, or a billed-duration header.")
              .Register(registry)),
      init_duration(BuildHistogram()
                        .Name("infercost_init_duration_seconds")
                        .Help("Init Duration of cold starts, as Lambda's REPORT line states it.")
                        .Register(registry)),
      max_memory_used(BuildGauge()
                          .Name("infercost_max_memory_used_bytes")
                          .Help("The highest Max Memory Used of Lambda's REPORT lines in the "
                                "window.")
                          .Register(registry)),
      client_overhead(BuildGauge()
                          .Name("infercost_client_overhead_seconds")
                          .Help("Mean client latency beyond the billed duration over the window "
                                "(API Gateway, network), for requests with AWS's billed "
                                "duration.")
                          .Register(registry)),
      credentials_expiry(BuildGauge()
                             .Name("infercost_credentials_expiry_timestamp_seconds")
                             .Help("When the AWS credentials the target signs with expire (Unix "
                                   "time); absent for static keys and unsigned targets.")
                             .Register(registry)),
      credentials_refresh_failures(BuildCounter()
                                       .Name("infercost_credentials_refresh_failures_total")
                                       .Help("Failed refreshes of the target's AWS credentials.")
                                       .Register(registry)),
      csv_write_errors(BuildCounter()
                           .Name("infercost_csv_write_errors_total")
                           .Help("Blocks of per-request CSV rows that could not be written (a "
                                 "full disk): rows were lost.")
                           .Register(registry)),
      build_info(BuildGauge()
                     .Name("infercost_build_info")
                     .Help("Version and revision of the running infercost; always 1.")
                     .Register(registry)),
      reload_successful(BuildGauge()
                            .Name("infercost_config_last_reload_successful")
                            .Help("Whether the last configuration load or reload succeeded.")
                            .Register(registry)),
      reload_success_timestamp(BuildGauge()
                                   .Name("infercost_config_last_reload_success_timestamp_seconds")
                                   .Help("Unix time of the last successful configuration load.")
                                   .Register(registry)) {}

TargetSeries::TargetSeries(MetricFamilies& families, std::string target)
    : families_(families), target_(std::move(target)) {
  const prometheus::Labels t = {{"target", target_}};
  const HistogramBounds& bounds = BoundsFor(families.latency_buckets);
  for (loadgen::Outcome outcome : loadgen::kAllOutcomes) {
    requests[static_cast<std::size_t>(outcome)] = &families.requests.Add(
        {{"target", target_}, {"outcome", std::string(OutcomeName(outcome))}});
  }
  inferences = &families.inferences.Add(t);
  request_duration = &families.request_duration.Add(t, bounds.request_duration);
  inferences_per_second = &families.inferences_per_second.Add(t);
  cost_time = &families.cost_total.Add({{"target", target_}, {"component", "time"}});
  cost_request = &families.cost_total.Add({{"target", target_}, {"component", "request"}});
  price_per_hour = &families.price_per_hour.Add(t);
  price_per_request = &families.price_per_request.Add(t);
  price_per_gb_second = &families.price_per_gb_second.Add(t);
  price_full_load_surplus = &families.price_full_load_surplus.Add(t);
  price_on_demand_per_gb_second = &families.price_on_demand_per_gb_second.Add(t);
  provisioned_concurrency = &families.provisioned_concurrency.Add(t);
  memory_bytes = &families.memory_bytes.Add(t);
  billed_duration = &families.billed_duration.Add(t);
  billable_requests = &families.billable_requests.Add(t);
  cold_starts = &families.cold_starts.Add(t);
  cold_start_duration = &families.cold_start_duration.Add(t, bounds.cold_start);
  in_flight = &families.in_flight.Add(t);
  effective_concurrency = &families.effective_concurrency.Add(t);
  dropped = &families.dropped.Add(t);
  offered_concurrency = &families.offered_concurrency.Add(t);
  offered_rate = &families.offered_rate.Add(t);
  schedule_lag = &families.schedule_lag.Add(t, bounds.schedule_lag);
  measurement_valid = &families.measurement_valid.Add(t);
  load_active = &families.load_active.Add(t);
  credentials_refresh_failures = &families.credentials_refresh_failures.Add(t);
  csv_write_errors = &families.csv_write_errors.Add(t);
}

void TargetSeries::IncrementLineItems(const TargetFigures& f, const PricingSpec& spec) {
  for (LineItem item : kLineItems) {
    const auto i = static_cast<std::size_t>(item);
    if (!Configures(spec, item)) continue;
    if (cost_line_items[i] == nullptr) {
      cost_line_items[i] =
          &families_.cost_total.Add({{"target", target_}, {"component", std::string(Name(item))}});
    }
    cost_line_items[i]->Increment(f.line_item_usd_increment[i]);
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
    billed_duration_ = &families_.billed_duration_seconds.Add(t, bounds.billed_duration);
  } else if (!with_billed_duration && billed_duration_ != nullptr) {
    families_.billed_duration_seconds.Remove(billed_duration_);
    billed_duration_ = nullptr;
    RemoveIf(families_.client_overhead, client_overhead_);
  }
  if (with_report && init_duration_ == nullptr) {
    init_duration_ = &families_.init_duration.Add(t, bounds.init_duration);
  } else if (!with_report && init_duration_ != nullptr) {
    families_.init_duration.Remove(init_duration_);
    init_duration_ = nullptr;
    RemoveIf(families_.max_memory_used, max_memory_used_);
  }
  report_ = with_report;
  billed_ = with_billed_duration;
}

void TargetSeries::SetMaxMemoryUsed(std::optional<double> bytes) {
  if (!report_) bytes.reset();
  SetOptional(families_.max_memory_used, max_memory_used_, {{"target", target_}}, bytes);
}

void TargetSeries::SetClientOverhead(std::optional<double> seconds) {
  if (!billed_) seconds.reset();
  SetOptional(families_.client_overhead, client_overhead_, {{"target", target_}}, seconds);
}

void TargetSeries::SetInfo(const TargetInfo& info) {
  RemoveIf(families_.target_info, info_);
  info_ = &families_.target_info.Add({{"target", target_},
                                      {"platform", info.platform},
                                      {"instance_type", info.instance_type},
                                      {"region", info.region},
                                      {"architecture", info.architecture},
                                      {"pricing_model", info.pricing_model},
                                      {"price_basis", info.price_basis}});
  info_->Set(1);
}

void TargetSeries::SetCostPerMillion(bool capacity_basis, std::optional<double> usd) {
  SetOptional(families_.cost_per_million, capacity_basis ? cost_capacity_ : cost_observed_,
              {{"target", target_}, {"basis", capacity_basis ? "capacity" : "observed"}}, usd);
}

void TargetSeries::SetBudget(std::optional<double> usd_per_million) {
  SetOptional(families_.budget, budget_, {{"target", target_}}, usd_per_million);
}

void TargetSeries::SetCapacity(std::optional<double> ips) {
  SetOptional(families_.capacity_ips, capacity_, {{"target", target_}}, ips);
}

void TargetSeries::SetCredentialsExpiry(std::optional<double> unix_seconds) {
  SetOptional(families_.credentials_expiry, credentials_expiry_, {{"target", target_}},
              unix_seconds);
}

void LatencySummaries::Set(const std::string& target, const Values& values) {
  std::lock_guard lock(mu_);
  values_[target] = values;
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

static std::vector<double> DividedBy(const std::vector<double>& bounds, double factor) {
  std::vector<double> out;
  for (double b : bounds) out.push_back(b / factor);
  return out;
}

loadgen::StatsOptions MakeStatsOptions(std::chrono::nanoseconds window,
                                       std::chrono::nanoseconds tick, double time_scale,
                                       const HistogramBounds& bounds) {
  loadgen::StatsOptions options;
  options.window = window;
  options.publish_interval = tick;
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
  return options;
}

}  // namespace infercost
