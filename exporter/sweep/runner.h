// Runs a sweep on the load engine: each target through its levels (warm-up, then a measured step
// cut into windows), stopping a target once ShouldStop says so, then the idle-gap bursts of
// --cold-starts on serverless targets. It measures; sweep_analysis.h interprets.
//
// Threads: Run() blocks its caller. In parallel it starts one std::jthread per target; serially it
// runs the targets one after another on the caller's thread. Either way each target adds its
// steps to one shared loadgen::Engine and waits for them. The engine's workers call the recorders;
// a step's windows are read only after the engine has forgotten the step (Engine::Remove returned).
// Live() and the event callback may be used from any thread.
#ifndef INFERCOST_SWEEP_RUNNER_H_
#define INFERCOST_SWEEP_RUNNER_H_

#include <chrono>
#include <functional>
#include <mutex>
#include <optional>
#include <stop_token>
#include <string>
#include <vector>

#include "sweep/analysis.h"
#include "sweep/plan.h"

namespace loadgen {
class Engine;
}

namespace infercost {

// What was measured on one target, ready for AnalyzeTarget and AnalyzeColdStarts.
struct TargetMeasurement {
  std::vector<StepInput> steps;
  StopDecision stop;
  std::vector<IdleGapInput> idle_gaps;
};

// What a target is doing now, for the progress display.
struct LiveStatus {
  std::string target;
  std::string phase;           // "C=8 (4/7)", "cold starts: idle 5m (2/5)", "done: plateau"
  double phase_elapsed_s = 0;  // wall seconds in the current phase
  double phase_length_s = 0;   // its planned wall length, 0 when open-ended
  double ips = 0;              // successful inferences per second so far in the measured step
  bool done = false;
};

class SweepRunner {
 public:
  // `on_event` receives one plain line per finished step or gap (called from target threads).
  SweepRunner(SweepPlan plan, std::vector<SweepTarget> targets,
              std::function<void(const std::string&)> on_event);
  SweepRunner(const SweepRunner&) = delete;
  SweepRunner& operator=(const SweepRunner&) = delete;

  // Measures every target; returns in the order of the targets. A stop request ends the run
  // early: what was measured is kept and the interrupted targets say so.
  std::vector<TargetMeasurement> Run(std::stop_token stop);

  std::vector<LiveStatus> Live() const;

  // Wall time the whole run takes at most (no early stop), and the part of it each target needs.
  std::chrono::nanoseconds PlannedWallTime() const;
  std::chrono::nanoseconds PlannedWallTime(std::size_t target) const;

 private:
  // Wall time each cold-start burst holds its requests in flight (BurstHoldSeconds).
  std::chrono::nanoseconds BurstHoldWall() const;
  void RunTarget(std::size_t index, loadgen::Engine& engine, std::stop_token stop,
                 TargetMeasurement* out);
  // Warm the function, then each idle gap followed by a burst.
  void RunColdStarts(std::size_t index, loadgen::Engine& engine, std::stop_token stop,
                     TargetMeasurement* out);
  void SetLive(std::size_t index, std::string phase, double length_s);

  SweepPlan plan_;
  std::vector<SweepTarget> targets_;
  std::function<void(const std::string&)> on_event_;
  mutable std::mutex live_mu_;
  std::vector<LiveStatus> live_;
};

}  // namespace infercost

#endif  // INFERCOST_SWEEP_RUNNER_H_
