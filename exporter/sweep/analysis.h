// The analysis behind `infercost sweep`: what each concurrency (or rate) step measured, where each
// target saturates, what it costs at its best point within the latency objective, and which
// target to run for a given traffic. Pure: no I/O, no clock; every random draw takes a seed.
// Thread contract: free functions over values; safe on any thread.
//
// Times inside these structs are "target time": wall time multiplied by the emulator's time
// scale, so a sweep of the embedded fleet at --time-scale 100 reports the figures the emulated
// platforms stand for, not the compressed ones it measured.
#ifndef INFERCOST_SWEEP_ANALYSIS_H_
#define INFERCOST_SWEEP_ANALYSIS_H_

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "cost/cost.h"
#include "loadgen/outcome.h"
#include "loadgen/stats.h"

namespace infercost {

enum class LoadAxis { kConcurrency, kRate };

// One measurement window of a step: the requests that finished inside it.
struct SweepWindow {
  double seconds = 0;          // target time
  loadgen::Interval interval;  // as the engine recorded it (wall-time latencies)
};

// What one step of one target measured, before analysis.
struct StepInput {
  double offered = 0;                // concurrency, or arrivals per second in target time
  std::vector<SweepWindow> windows;  // consecutive windows covering the step
};

// A figure with its 95 % bootstrap interval over windows.
struct Estimate {
  double value = 0;
  double low = 0;
  double high = 0;
};

struct StepResult {
  double offered = 0;
  double seconds = 0;  // measured time, target time
  uint64_t requests = 0;
  uint64_t ok = 0;
  uint64_t dropped = 0;  // open loop: arrivals refused by the in-flight cap
  uint64_t cold_starts = 0;
  std::array<uint64_t, loadgen::kOutcomeCount> by_outcome{};
  double error_ratio = 0;  // failed / finished
  Estimate ips;            // successful inferences per second
  double mean_latency_s = 0;
  // Little's law over every finished request: how many requests were outstanding on average.
  // Close to `offered` in closed loop when the generator keeps up.
  double effective_concurrency = 0;
  double p50_s = 0;
  Estimate p95_s;
  Estimate p99_s;
  double max_latency_s = 0;
  double lag_p99_s = 0;  // schedule lag (open loop)
  // Cost of this step's traffic per 1M successful inferences (observed basis); absent with a
  // reason when the cost model cannot give one (no successful request).
  std::optional<Estimate> usd_per_million;
  std::string usd_absent_reason;
  double spend_usd = 0;           // what the step itself cost on the real platform
  uint64_t billable = 0;          // requests the function bills (the billability table)
  uint64_t gateway_requests = 0;  // requests API Gateway bills (the billability table)
  uint64_t billed_ms = 0;         // Lambda: summed billed duration of billable requests
  bool billed_estimated = false;  // some of it is measured latency, not the billed header
  bool healthy = false;           // error ratio within the limit, and something succeeded
  bool within_slo = false;
};

struct SweepCriteria {
  // A step whose IPS grew less than this over the best so far is flat; `flat_steps` flat steps
  // in a row end the target's sweep (throughput has stopped growing).
  double min_growth = 0.05;
  int flat_steps = 2;
  // More failed requests than this share makes a step unhealthy and ends the sweep.
  double max_error_ratio = 0.01;
  std::optional<double> slo_p95_s;  // none: every healthy step qualifies
};

enum class StopReason {
  kNone,         // keep going
  kCompleted,    // every level was run
  kPlateau,      // throughput stopped growing
  kSlo,          // p95 went above the objective
  kErrors,       // error ratio above the limit
  kSpendLimit,   // the target's spend_limit_usd was reached
  kFailed,       // the target could not be loaded at all
  kInterrupted,  // the user stopped the sweep
};
std::string_view Name(StopReason reason);

struct StopDecision {
  StopReason reason = StopReason::kNone;
  std::string detail;  // a sentence for the report
};

// Whether a target's sweep should end after the steps measured so far (in order of offered
// load). `levels_left` says how many levels remain; 0 gives kCompleted when nothing else fired.
StopDecision ShouldStop(const std::vector<StepResult>& steps, const SweepCriteria& criteria,
                        std::size_t levels_left);

// Where throughput saturates: the lowest step that reaches within `min_growth` of the highest
// healthy IPS, once the sweep shows that IPS stopped growing (a flat last step, a plateau or an
// error break). Nullopt while throughput was still growing at the last step.
std::optional<std::size_t> FindKnee(const std::vector<StepResult>& steps,
                                    const SweepCriteria& criteria);

// The step with the highest IPS among healthy steps within the SLO; nullopt when none qualifies.
std::optional<std::size_t> BestWithinSlo(const std::vector<StepResult>& steps);

struct SummaryOptions {
  double time_scale = 1;  // target time per wall time
  int bootstrap_samples = 1000;
  uint64_t seed = 1;
  SweepCriteria criteria;
};

// Turns one step's windows into figures. `capacity_ips` feeds the burstable-credit estimate of
// the cost model (0 when unknown yet); the bootstrap is seeded from options.seed and `stream`
// (pass something unique per target and step so that streams do not repeat).
StepResult SummarizeStep(const StepInput& input, const ResolvedPricing& pricing,
                         double capacity_ips, const SummaryOptions& options, uint64_t stream);

// Everything the sweep learned about one target.
struct TargetSweep {
  std::string name;
  ResolvedPricing pricing;
  bool serverless = false;  // pays per request (Lambda, per_request): scales without instances
  LoadAxis axis = LoadAxis::kConcurrency;
  std::vector<StepResult> steps;
  StopDecision stop;
  std::optional<std::size_t> knee;
  std::optional<std::size_t> best;  // best IPS within the SLO
  double capacity_ips = 0;          // highest healthy IPS
  std::vector<std::string> warnings;
};

bool IsServerless(const ResolvedPricing& pricing);

// Summarises every step of a target (with the capacity found across all of them), locates the
// knee and the best step within the SLO, and collects warnings a reader must see.
TargetSweep AnalyzeTarget(const std::string& name, const ResolvedPricing& pricing, LoadAxis axis,
                          const std::vector<StepInput>& inputs, StopDecision stop,
                          const SummaryOptions& options, uint64_t stream);

// --- recommendation ------------------------------------------------------------------------------

// Traffic to plan for: instances are sized for the peak, per-request prices are paid on the
// average. A flat profile has peak == average.
struct TrafficProfile {
  double peak_rps = 0;
  double average_rps = 0;
  double PeakToAverage() const { return average_rps > 0 ? peak_rps / average_rps : 1.0; }
};

// One target as an answer to the traffic.
struct OptionCost {
  std::string target;
  bool serverless = false;
  bool feasible = false;
  std::string why_not;  // when not feasible
  int units = 0;        // instance targets: copies of the target needed for the peak
  int units_low = 0;    // the same from the upper and lower ends of the IPS interval
  int units_high = 0;
  double monthly_usd = 0;
  double usd_per_million = 0;  // at the planned traffic
  // Instances: the average traffic's share of the fleet's capacity (what burstable credits and
  // the cost per request follow); 0 for per-request targets.
  double utilisation = 0;
  double surplus_monthly_usd = 0;  // burstable, unlimited mode: surplus credits in monthly_usd
  // p95 expected at the planned peak: instances, the lowest step that carried at least the peak's
  // share per copy; per-request targets, their best step. Absent when not feasible.
  std::optional<double> p95_s;
  std::string p95_step;  // that step, e.g. "C=16"
  std::string note;      // why the cost differs from the best step's, credits, latency basis
};

struct BreakEven {
  std::string instance_target;
  std::string serverless_target;
  // Average traffic above which the instance fleet (sized for the peak) costs no more than the
  // serverless target; nullopt when the serverless target stays cheaper at any traffic.
  std::optional<double> rps;
  // Above this, the instance fleet is cheaper at every traffic (just after an instance is
  // added, per-request pricing can briefly win again); nullopt when never.
  std::optional<double> always_above_rps;
};

struct Recommendation {
  std::optional<TrafficProfile> traffic;  // none: compare at each target's best point
  std::vector<OptionCost> options;        // in the order of the targets
  std::optional<std::size_t> cheapest;    // index into options
  std::vector<BreakEven> break_evens;
  std::string sentence;  // the answer, for the top of the report
};

// Monthly cost (kHoursPerMonth) of a target carrying `traffic`, from what the sweep measured at
// its best step within the SLO. Not feasible (with the reason) when there is no such step, or
// when a serverless target's measured limit is below the peak.
OptionCost CostAtTraffic(const TargetSweep& target, const TrafficProfile& traffic);

// Break-even average traffic between an instance target and a serverless one, for traffic of the
// given peak-to-average ratio. Searches up to `max_units` instances.
BreakEven FindBreakEven(const TargetSweep& instance, const TargetSweep& serverless,
                        double peak_to_average, int max_units = 10000);

// Monthly cost (kHoursPerMonth) of a serverless target at `average_rps`, with the traffic mix
// (failures, billed time per success) of its best step.
double ServerlessMonthlyUsd(const TargetSweep& target, double average_rps);

Recommendation Recommend(const std::vector<TargetSweep>& targets,
                         std::optional<TrafficProfile> traffic, std::optional<double> slo_p95_s);

// --- cold starts ---------------------------------------------------------------------------------

// One idle gap followed by a burst, measured on a serverless target.
struct IdleGapInput {
  double idle_seconds = 0;  // target time
  int burst_concurrency = 0;
  double hold_seconds = 0;  // target time the burst held its requests in flight
  loadgen::Interval cold;   // burst requests the target reported as cold starts
  loadgen::Interval warm;   // the other burst requests
};

struct IdleGapResult {
  double idle_seconds = 0;
  int burst_concurrency = 0;
  double hold_seconds = 0;  // target time the burst held burst_concurrency requests in flight
  uint64_t requests = 0;
  uint64_t cold_starts = 0;
  // Share of the burst's first wave (burst_concurrency requests sent together) that met a cold
  // instance: the chance that a request arriving after this idle time starts cold.
  double probability = 0;
  double p95_s = 0;       // every successful request of the burst
  double cold_p95_s = 0;  // 0 when none was cold
};

struct LatencySummary {
  uint64_t count = 0;
  double p50_s = 0;
  double p95_s = 0;
  double p99_s = 0;
  double max_s = 0;
};

struct ColdStartAnalysis {
  std::string target;
  std::vector<IdleGapResult> gaps;  // in order of idle time
  LatencySummary cold;
  LatencySummary warm;
  // The warm reference: every request of the bursts that met no cold instance (a warm request
  // queued behind a cold start in the same burst is slower than warm service); when every burst
  // had a cold start, the warm requests of all bursts (warm_reference_clean false).
  LatencySummary warm_reference;
  bool warm_reference_clean = false;
  // The idle timeout lies between these: the longest gap with no cold start below the shortest
  // gap with one; nullopt at either end when the gaps did not bracket it.
  std::optional<double> timeout_above_s;
  std::optional<double> timeout_below_s;
  double cold_extra_usd = 0;           // billed cost of one cold start beyond a warm request
  double cold_cost_share = 0;          // share of the bursts' spend that cold starts added
  int provisioned_concurrency = 0;     // instances to keep warm for the planned peak
  double provisioned_monthly_usd = 0;  // what keeping them warm adds per month (net)
};

// `target` is the same target's sweep (for its warm cost per request); `catalog` prices the
// provisioned concurrency that would remove the cold starts.
ColdStartAnalysis AnalyzeColdStarts(const TargetSweep& target, const Catalog& catalog,
                                    const std::vector<IdleGapInput>& gaps,
                                    std::optional<TrafficProfile> traffic, double time_scale);

// Percentile of a latency histogram in seconds, scaled to target time.
double QuantileSeconds(const loadgen::LatencyHistogram& histogram, double q, double time_scale);

// Presentation helpers shared by the sentence and the report writers.
std::string FormatNumber(double value, int significant = 3);  // 0.0123, 1.23, 123, 12,300
std::string FormatMs(double seconds);                         // "631 ms", "1.20 s"
std::string FormatPercent(double ratio);                      // "12.5 %"
// The failed requests of a step by outcome: "throttled 12, timeout 1, dropped 3"; "" for none.
std::string DescribeFailures(const StepResult& step);
std::string FormatOffered(LoadAxis axis, double offered);  // "C=8", "5 req/s", "2.50 req/s"
std::string FormatLevel(double level);                     // "8", "2.50"
std::string FormatPrice(double usd);  // "$0.0416", "$0.0000097222": 5 significant digits

}  // namespace infercost

#endif  // INFERCOST_SWEEP_ANALYSIS_H_
