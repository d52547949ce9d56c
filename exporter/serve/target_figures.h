// One target's figures for one tick, from the engine's snapshot and the prices in force: IPS,
// latency quantiles, whether the window can be trusted (and why not), capacity, cost per 1M
// inferences on both bases, spend. Pure: no threads, no Prometheus, no engine control; the service
// writes the figures to its metrics and acts on them (a reached spend limit pauses the load).
#ifndef INFERCOST_SERVE_TARGET_FIGURES_H_
#define INFERCOST_SERVE_TARGET_FIGURES_H_

#include <array>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "cost/capacity.h"
#include "cost/cost.h"
#include "loadgen/stats.h"

namespace infercost {

// The latency quantiles a target reports (infercost_request_latency_seconds, the landing page).
// The snapshot carries the window's latency at these (MakeStatsOptions).
inline constexpr std::array<double, 5> kLatencyQuantiles = {0.5, 0.9, 0.95, 0.99, 0.999};
// The schedule lag's quantile that says whether the generator kept up (kMaxP99LagSeconds).
inline constexpr double kLagQuantile = 0.99;
// A window is trustworthy only if the generator kept its schedule this well.
inline constexpr double kMaxP99LagSeconds = 0.010;
// Above this share of a core per engine worker, the generator itself may be the bottleneck.
inline constexpr double kMaxWorkerCpuShare = 0.90;

// The settings the figures depend on: the service's and the target's.
struct FigureSettings {
  std::chrono::nanoseconds window = std::chrono::seconds(60);  // the configured window
  std::chrono::nanoseconds tick = std::chrono::seconds(1);     // the statistics' resolution
  // Target seconds per wall-clock second (ServiceOptions::time_scale): figures are reported on
  // the target's clock, schedule lag (the generator's own) stays real.
  double time_scale = 1.0;
  std::optional<std::chrono::nanoseconds> slo_p95;
  std::optional<double> spend_limit_usd;
};

// What the figures carry from one tick to the next. Starts empty when a target is added.
struct TargetLedger {
  CapacityTracker capacity;     // learned from disjoint, trustworthy full windows
  double clock_seconds = 0;     // target time since the target was added (the ticks' sum)
  double next_capacity_at = 0;  // clock_seconds from which the next window is disjoint
  bool stage_seen = false;
  int stage_index = -1;        // the stage in force at the last tick...
  double stage_since = 0;      // ...and since when (clock_seconds)
  double spend_usd = 0;        // estimated spend since start (time + request)
  double test_spend_usd = 0;   // what the test's own requests cost (for spend_limit_usd)
  bool spend_limited = false;  // the spend limit was reached: the load is stopped
};

// One tick's input.
struct FigureInputs {
  const loadgen::StatsSnapshot* snapshot = nullptr;
  const loadgen::Interval* previous_total = nullptr;  // the snapshot's totals at the last tick
  const ResolvedPricing* pricing = nullptr;
  FigureSettings settings;
  double since_last_tick_seconds = 0;  // wall clock
  double worker_cpu_share = 0;         // CPU used per engine worker since the last tick
};

struct TargetFigures {
  double window_seconds = 0;         // how much time the window covers so far
  double window_length_seconds = 0;  // the configured window (both on the target's clock)
  bool window_full = false;
  double ips = 0;                  // successful inferences per second
  double requests_per_second = 0;  // every finished request
  double error_ratio = 0;          // failed / finished, over the window
  uint64_t window_requests = 0;
  std::vector<std::pair<std::string, uint64_t>> outcomes;  // window counts, non-zero only
  // At kLatencyQuantiles; absent when no request finished in the window.
  std::array<std::optional<double>, kLatencyQuantiles.size()> latency_quantiles_seconds;
  double mean_latency_seconds = 0;
  double latency_sum_seconds = 0;  // every finished request since start
  double effective_concurrency = 0;
  double offered_concurrency = 0;
  double offered_rate = 0;
  int in_flight = 0;
  std::optional<double> capacity_ips;
  // How capacity was derived: the tracker's top windows (IPS, highest first), its method, the
  // windows counted and rejected, why the last one was rejected, downward re-learns.
  std::vector<double> capacity_top_windows_ips;
  std::string capacity_method;
  uint64_t capacity_windows_counted = 0;
  uint64_t capacity_windows_rejected = 0;
  std::string capacity_last_rejected_reason;
  uint64_t capacity_relearned_down = 0;
  std::optional<double> usd_per_million_observed;
  std::optional<double> usd_per_million_capacity;
  std::string cost_note;  // why the observed figure is absent, or that a duration was estimated
  std::string capacity_cost_note;         // why the capacity figure is absent
  std::vector<std::string> cost_caveats;  // what makes this window's figures approximate
  double time_usd_increment = 0;          // spend since the last tick, >= 0
  double request_usd_increment = 0;
  // The optional line items' spend since the last tick, by LineItem (each >= 0).
  std::array<double, kLineItemCount> line_item_usd_increment{};
  double spend_usd = 0;              // the ledger's, after this tick
  double test_spend_usd = 0;         // the ledger's, after this tick
  bool spend_limit_reached = false;  // on this tick: the load must be stopped
  bool load_active = false;
  std::string load_state;  // running | idle stage | spend limit reached | paused
  bool valid = false;
  std::vector<std::string> invalid_reasons;
  bool generator_kept_up = true;  // schedule lag within bound and not CPU-bound
  // AWS's own record (Lambda): whose word the window's billed durations are. "billed by AWS"
  // (every billable request had AWS's figure: the REPORT line or a billed-duration header),
  // "estimated from latency" (none had), "partly billed by AWS" (some), "" when not Lambda or
  // nothing was billed in the window.
  std::string billing;
  uint64_t billed_by_aws = 0;     // window: billable requests with AWS's figure
  uint64_t billed_estimated = 0;  // window: billable requests billed at their latency
  // Mean client latency beyond the billed duration over the window's requests with AWS's figure
  // (API Gateway, network, TLS); absent without any.
  std::optional<double> client_overhead_seconds;
  std::optional<double> max_memory_used_bytes;  // the window's highest Max Memory Used
  int memory_size_mb = 0;                       // AWS's Memory Size, 0 when unknown
  uint64_t requests_total = 0;
  uint64_t inferences_total = 0;
  uint64_t cold_starts_total = 0;
  uint64_t dropped_total = 0;

  const std::optional<double>& p50_seconds() const { return latency_quantiles_seconds[0]; }
  const std::optional<double>& p90_seconds() const { return latency_quantiles_seconds[1]; }
  const std::optional<double>& p95_seconds() const { return latency_quantiles_seconds[2]; }
  const std::optional<double>& p99_seconds() const { return latency_quantiles_seconds[3]; }
};

// The figures of one tick. Updates *ledger (capacity, spend, the spend limit) for the next.
TargetFigures ComputeTargetFigures(const FigureInputs& in, TargetLedger* ledger);

}  // namespace infercost

#endif  // INFERCOST_SERVE_TARGET_FIGURES_H_
