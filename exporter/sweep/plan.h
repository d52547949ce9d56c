// Sweep planning: from a loaded config and the options of the command line to the targets, their
// steps and what the run will cost on the real platforms, before anything is sent. Pure: no I/O,
// no clock. Thread contract: free functions over values; safe on any thread.
#ifndef INFERCOST_SWEEP_PLAN_H_
#define INFERCOST_SWEEP_PLAN_H_

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "config/config.h"
#include "cost/cost.h"
#include "loadgen/request.h"
#include "sweep/analysis.h"

namespace infercost {

// Each measured step is cut into this many windows (the bootstrap's samples).
inline constexpr int kWindowsPerStep = 10;
inline constexpr int kBootstrapSamples = 1000;
// Requests a cold-start burst holds in flight.
inline constexpr int kBurstConcurrency = 8;
// The shortest wall time a cold-start burst holds its requests in flight: at a high time scale
// the warm-up time can be milliseconds of wall time, too short for the generator to open its
// connections on a busy machine.
inline constexpr std::chrono::milliseconds kMinBurstWall{250};

struct SweepTarget {
  std::string name;
  loadgen::RequestSpec request;
  ResolvedPricing pricing;
  SweepCriteria criteria;  // with the target's own objective
  std::optional<double> spend_limit_usd;
  int max_in_flight = 0;  // open loop: in-flight cap (0: the engine's default)
};

struct SweepPlan;
// How long, in target time, each cold-start burst holds burst_concurrency requests in flight: the
// warm-up time (the step's when there is none), at least kMinBurstWall of wall time.
double BurstHoldSeconds(const SweepPlan& plan);

struct SweepPlan {
  LoadAxis axis = LoadAxis::kConcurrency;
  std::vector<double> levels;  // concurrency, or arrivals per second in target time
  // Target time; the wall clock runs time_scale times faster.
  std::chrono::nanoseconds step{std::chrono::seconds(30)};
  std::chrono::nanoseconds warmup{std::chrono::seconds(5)};
  int windows_per_step = kWindowsPerStep;
  double time_scale = 1;
  uint64_t seed = 1;
  bool parallel = true;
  int engine_threads = 1;
  std::vector<std::chrono::nanoseconds> idle_gaps;  // target time; empty: no cold-start run
  int burst_concurrency = kBurstConcurrency;
};

// What the command line asked for, already parsed.
struct SweepOptions {
  std::string fleet;      // how the report names the fleet: the config file, or the emulated one
  bool emulated = false;  // the embedded emulated fleet: nothing is charged
  LoadAxis axis = LoadAxis::kConcurrency;
  std::vector<double> levels;  // increasing
  std::chrono::nanoseconds step{std::chrono::seconds(30)};
  std::chrono::nanoseconds warmup{std::chrono::seconds(10)};
  std::optional<double> slo_p95_s;                  // replaces every target's own objective
  std::vector<std::chrono::nanoseconds> idle_gaps;  // --cold-starts; empty without
  double time_scale = 1;
  uint64_t seed = 1;
  bool parallel = true;
};

struct PlannedSweep {
  SweepPlan plan;
  std::vector<SweepTarget> targets;
  Catalog catalog;  // the prices in force, for the report's price section
  // The objective the report states for every target: the flag's, else the targets' own when
  // they share one.
  std::optional<double> slo_p95_s;
  std::vector<double> spend_usd;  // upper bound of each target's part on the real platform
  double SpendUsd() const;        // their sum
  bool AnyServerless() const;
};

struct SweepPlanResult {
  std::optional<PlannedSweep> sweep;
  std::string error;  // what to fix, when there is no sweep
};

// Resolves every target's prices (the config's prices file over the built-in catalog) and lays
// the steps out.
SweepPlanResult PlanSweep(const Config& config, const SweepOptions& options);

// An upper bound of what one target's part of the sweep costs on the real platform.
double EstimateSweepSpendUsd(const SweepTarget& target, const SweepPlan& plan);

// What a measured step cost with its unmeasured warm-up, which is sent at the same level.
double StepSpendWithWarmupUsd(const StepResult& step, const SweepPlan& plan);

// The lines printed before the run: fleet, levels, time at most, estimated cost.
std::string DescribePlan(const PlannedSweep& sweep, const SweepOptions& options,
                         std::chrono::nanoseconds wall_time);

}  // namespace infercost

#endif  // INFERCOST_SWEEP_PLAN_H_
