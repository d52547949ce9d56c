#include "sweep/plan.h"

#include <algorithm>
#include <utility>

#include "common/duration.h"
#include "cost/spend.h"

namespace infercost {
namespace {

using std::chrono::nanoseconds;

// Closed-loop requests are counted as if each took this long: a floor under MobileNetV2's warm
// latency, so the estimate is an upper bound.
constexpr std::chrono::milliseconds kAssumedMinLatency = std::chrono::milliseconds(100);
// Open-loop and cold-start requests are priced as if each ran this long (an upper bound for
// MobileNetV2, well above its warm duration; a cold start's init included).
constexpr std::chrono::milliseconds kAssumedMaxBilled = std::chrono::seconds(10);

double Seconds(nanoseconds d) { return static_cast<double>(d.count()) / 1e9; }

std::optional<Catalog> LoadPrices(const Config& config, std::string* error) {
  if (config.prices_file.empty()) return BuiltinCatalog();
  CatalogResult catalog = LoadCatalogOverrides(config.prices_file);
  if (!catalog.catalog) *error = catalog.error;
  return std::move(catalog.catalog);
}

SweepPlan LayOutSteps(const Config& config, const SweepOptions& options) {
  SweepPlan plan;
  plan.axis = options.axis;
  plan.levels = options.levels;
  plan.step = options.step;
  plan.warmup = options.warmup;
  plan.time_scale = options.time_scale;
  plan.seed = options.seed;
  plan.parallel = options.parallel;
  plan.idle_gaps = options.idle_gaps;
  // The emulated fleet answers in-process: two engine threads keep up with it.
  plan.engine_threads = options.emulated ? 2 : std::max(1, config.threads);
  return plan;
}

SweepTarget FromConfig(const TargetConfig& config, ResolvedPricing pricing,
                       const SweepOptions& options) {
  SweepTarget target;
  target.name = config.name;
  target.request = config.request;
  std::optional<nanoseconds>& latency_above = target.request.cold_start.latency_above;
  if (options.emulated && latency_above) {
    // The heuristic is stated in real time; the emulator answers time_scale times faster.
    latency_above = nanoseconds(
        static_cast<int64_t>(static_cast<double>(latency_above->count()) / options.time_scale));
  }
  target.pricing = std::move(pricing);
  // Nothing is charged on the emulated fleet: no limit to stop at.
  target.spend_limit_usd = options.emulated ? std::nullopt : config.spend_limit_usd;
  target.max_in_flight = config.load.max_in_flight;
  target.criteria.slo_p95_s =
      options.slo_p95_s
          ? options.slo_p95_s
          : (config.slo_p95 ? std::optional<double>(Seconds(*config.slo_p95)) : std::nullopt);
  return target;
}

// The objective the report states for all targets: the flag's, else the one they share.
std::optional<double> CommonSlo(const std::vector<SweepTarget>& targets,
                                const SweepOptions& options) {
  if (options.slo_p95_s) return options.slo_p95_s;
  for (const SweepTarget& target : targets) {
    if (target.criteria.slo_p95_s != targets.front().criteria.slo_p95_s) return std::nullopt;
  }
  return targets.front().criteria.slo_p95_s;
}

}  // namespace

double BurstHoldSeconds(const SweepPlan& plan) {
  const double asked = Seconds(plan.warmup > nanoseconds(0) ? plan.warmup : plan.step);
  const double floor = std::chrono::duration<double>(kMinBurstWall).count() * plan.time_scale;
  return std::max(asked, floor);
}

double PlannedSweep::SpendUsd() const {
  double total = 0;
  for (double usd : spend_usd) total += usd;
  return total;
}

bool PlannedSweep::AnyServerless() const {
  return std::any_of(targets.begin(), targets.end(),
                     [](const SweepTarget& t) { return IsServerless(t.pricing); });
}

SweepPlanResult PlanSweep(const Config& config, const SweepOptions& options) {
  SweepPlanResult result;
  if (config.targets.empty()) {
    result.error = options.fleet + " has no targets to sweep";
    return result;
  }
  std::optional<Catalog> catalog = LoadPrices(config, &result.error);
  if (!catalog) return result;
  PlannedSweep sweep;
  sweep.plan = LayOutSteps(config, options);
  for (const TargetConfig& target : config.targets) {
    ResolveResult resolved = Resolve(target.pricing, *catalog);
    if (!resolved.pricing) {
      result.error = "target " + target.name + ": " + resolved.error;
      return result;
    }
    sweep.targets.push_back(FromConfig(target, std::move(*resolved.pricing), options));
    sweep.spend_usd.push_back(EstimateSweepSpendUsd(sweep.targets.back(), sweep.plan));
  }
  sweep.slo_p95_s = CommonSlo(sweep.targets, options);
  sweep.catalog = std::move(*catalog);
  result.sweep = std::move(sweep);
  return result;
}

double EstimateSweepSpendUsd(const SweepTarget& target, const SweepPlan& plan) {
  const double per_level_s = Seconds(plan.warmup + plan.step);
  SpendEstimate spend;
  for (double level : plan.levels) {
    // Closed loop: every client's request running all the time, each at least kAssumedMinLatency
    // long. An instance is priced flat out (utilisation 1: burstable surplus credits included).
    const PlannedLoad load = plan.axis == LoadAxis::kConcurrency
                                 ? ClosedLoopLoad(level, per_level_s, kAssumedMinLatency)
                                 : OpenLoopLoad(level, per_level_s, kAssumedMaxBilled);
    spend += EstimateSpend(target.pricing, load);
  }
  if (!plan.idle_gaps.empty() && IsServerless(target.pricing)) {
    // A warm-up burst and one per gap, each holding burst_concurrency requests for the warm-up
    // time (see SweepRunner), the first wave of each possibly cold.
    const double hold_s = BurstHoldSeconds(plan);
    const auto bursts = static_cast<double>(plan.idle_gaps.size() + 1);
    for (std::size_t i = 0; i < plan.idle_gaps.size() + 1; ++i) {
      spend += EstimateSpend(target.pricing,
                             ClosedLoopLoad(plan.burst_concurrency, hold_s, kAssumedMinLatency));
    }
    const PlannedLoad cold_waves{.requests = bursts * plan.burst_concurrency,
                                 .billed_each = kAssumedMaxBilled};
    spend += EstimateSpend(target.pricing, cold_waves);
    for (nanoseconds gap : plan.idle_gaps) {
      spend += EstimateSpend(target.pricing, PlannedLoad{.seconds = Seconds(gap)});
    }
  }
  return spend.TotalUsd();
}

double StepSpendWithWarmupUsd(const StepResult& step, const SweepPlan& plan) {
  return step.spend_usd * (1.0 + Seconds(plan.warmup) / Seconds(plan.step));
}

std::string DescribePlan(const PlannedSweep& sweep, const SweepOptions& options,
                         nanoseconds wall_time) {
  const SweepPlan& plan = sweep.plan;
  std::string levels;
  for (double level : plan.levels) levels += (levels.empty() ? "" : ",") + FormatLevel(level);
  std::string breakdown;
  for (std::size_t i = 0; i < sweep.targets.size(); ++i) {
    breakdown += (breakdown.empty() ? "" : ", ") + sweep.targets[i].name + " " +
                 FormatUsd(sweep.spend_usd[i]);
  }
  std::string out = "infercost sweep: " + std::to_string(sweep.targets.size()) + " targets of " +
                    options.fleet + "\n";
  out += "  " + std::string(plan.axis == LoadAxis::kConcurrency ? "concurrency" : "rates (req/s)") +
         " " + levels + ", " + FormatDuration(plan.step) + " per step after " +
         FormatDuration(plan.warmup) + " warm-up, " +
         (plan.parallel ? "targets in parallel" : "one target after another") +
         (plan.idle_gaps.empty() ? "" : ", then idle gaps on serverless targets") + "\n";
  out +=
      "  time: at most " + FormatDuration(std::chrono::ceil<std::chrono::seconds>(wall_time)) +
      (plan.time_scale != 1 ? " of wall time at time scale " + FormatNumber(plan.time_scale) : "") +
      "\n";
  out += "  estimated cost on the real platforms: at most " + FormatUsd(sweep.SpendUsd()) + " (" +
         breakdown + ")" + (options.emulated ? "; emulated, so nothing is charged" : "") + "\n";
  return out;
}

}  // namespace infercost
