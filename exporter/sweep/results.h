// From what a sweep measured to the report's content: each target analysed, the recommendation,
// the cold starts and the method section. Pure: no I/O, no clock. Thread contract: free functions
// over values; safe on any thread.
#ifndef INFERCOST_SWEEP_RESULTS_H_
#define INFERCOST_SWEEP_RESULTS_H_

#include <optional>
#include <string>
#include <vector>

#include "sweep/analysis.h"
#include "sweep/plan.h"
#include "sweep/report.h"
#include "sweep/runner.h"

namespace infercost {

// What the method section says about the run itself.
struct SweepRunFacts {
  std::string command_line;
  std::string started_utc;  // ISO 8601
  double wall_seconds = 0;
};

// `measured` is in the order of sweep.targets; `traffic` sizes the recommendation.
SweepReport AnalyzeSweep(const PlannedSweep& sweep, const SweepOptions& options,
                         const std::vector<TargetMeasurement>& measured, const SweepRunFacts& facts,
                         std::optional<TrafficProfile> traffic);

// Whether any target answered a single request in a measured step.
bool AnythingAnswered(const SweepReport& report);

}  // namespace infercost

#endif  // INFERCOST_SWEEP_RESULTS_H_
