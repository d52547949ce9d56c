#include "sweep/results.h"

namespace infercost {
namespace {

double Seconds(std::chrono::nanoseconds d) { return static_cast<double>(d.count()) / 1e9; }

SweepMethod Method(const PlannedSweep& sweep, const SweepOptions& options,
                   const SweepRunFacts& facts) {
  const SweepPlan& plan = sweep.plan;
  SweepMethod method;
  method.fleet = options.fleet;
  method.fleet_emulated = options.emulated;
  method.axis = plan.axis;
  method.levels = plan.levels;
  method.step_seconds = Seconds(plan.step);
  method.warmup_seconds = Seconds(plan.warmup);
  method.windows_per_step = plan.windows_per_step;
  method.bootstrap_samples = kBootstrapSamples;
  method.seed = plan.seed;
  method.time_scale = plan.time_scale;
  method.parallel = plan.parallel;
  method.criteria.slo_p95_s = sweep.slo_p95_s;
  for (std::chrono::nanoseconds gap : plan.idle_gaps) {
    method.idle_gaps_seconds.push_back(Seconds(gap));
  }
  method.burst_concurrency = plan.burst_concurrency;
  method.command_line = facts.command_line;
  method.started_utc = facts.started_utc;
  method.wall_seconds = facts.wall_seconds;
  return method;
}

}  // namespace

SweepReport AnalyzeSweep(const PlannedSweep& sweep, const SweepOptions& options,
                         const std::vector<TargetMeasurement>& measured, const SweepRunFacts& facts,
                         std::optional<TrafficProfile> traffic) {
  const SweepPlan& plan = sweep.plan;
  SweepReport report;
  report.catalog = sweep.catalog;
  report.method = Method(sweep, options, facts);
  for (std::size_t i = 0; i < sweep.targets.size(); ++i) {
    const SweepTarget& target = sweep.targets[i];
    SummaryOptions summary;
    summary.time_scale = plan.time_scale;
    summary.bootstrap_samples = kBootstrapSamples;
    summary.seed = plan.seed;
    summary.criteria = target.criteria;
    report.targets.push_back(AnalyzeTarget(target.name, target.pricing, plan.axis,
                                           measured[i].steps, measured[i].stop, summary, i + 1));
    for (const StepResult& step : report.targets.back().steps) {
      report.method.spend_usd += StepSpendWithWarmupUsd(step, plan);
    }
  }
  report.recommendation = Recommend(report.targets, traffic, sweep.slo_p95_s);
  for (std::size_t i = 0; i < sweep.targets.size(); ++i) {
    if (measured[i].idle_gaps.empty()) continue;
    report.cold_starts.push_back(AnalyzeColdStarts(
        report.targets[i], sweep.catalog, measured[i].idle_gaps, traffic, plan.time_scale));
  }
  return report;
}

bool AnythingAnswered(const SweepReport& report) {
  for (const TargetSweep& target : report.targets) {
    for (const StepResult& step : target.steps) {
      if (step.requests > 0) return true;
    }
  }
  return false;
}

}  // namespace infercost
