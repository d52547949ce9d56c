#include "sweep/runner.h"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <thread>
#include <utility>

#include "common/duration.h"
#include "loadgen/engine.h"
#include "loadgen/stats.h"

namespace infercost {
namespace {

using loadgen::Clock;
using loadgen::RequestRecord;
using loadgen::Stage;
using std::chrono::nanoseconds;

// How often a waiting target thread looks at the stop request and refreshes its live status.
constexpr nanoseconds kPollInterval = std::chrono::milliseconds(100);
// Slack on top of a plan's own length before a step is given up as stuck.
constexpr nanoseconds kStuckSlack = std::chrono::seconds(5);

nanoseconds ToWall(nanoseconds target_time, double time_scale) {
  return nanoseconds(
      static_cast<int64_t>(std::llround(static_cast<double>(target_time.count()) / time_scale)));
}

double Seconds(nanoseconds d) { return static_cast<double>(d.count()) / 1e9; }

// Sorts the requests of one step into the windows of its measured stage, by the time each
// finished (dropped arrivals by their intended time). Requests that finished during the warm-up,
// or after the measured stage ended, are left out.
//
// Thread contract: the Recorder one (every call from the engine worker that runs the step). The
// two atomics are for the progress display on another thread; the windows are read only once the
// engine has forgotten the step.
class StepRecorder : public loadgen::Recorder {
 public:
  StepRecorder(int measured_stage, int windows, nanoseconds window_length)
      : measured_stage_(measured_stage),
        windows_(static_cast<std::size_t>(windows)),
        window_length_(window_length) {}

  void OnRequestDone(const RequestRecord& record) override {
    loadgen::Interval* window = WindowAt(record.done_at);
    if (window == nullptr) return;
    window->Add(record);
    if (record.outcome == loadgen::Outcome::kOk) ok_.fetch_add(1, std::memory_order_relaxed);
  }
  void OnDropped(Clock::time_point scheduled_at) override {
    if (loadgen::Interval* window = WindowAt(scheduled_at)) ++window->dropped;
  }
  void OnStage(int stage_index, const Stage&, bool) override {
    if (stage_index == measured_stage_ && start_ns_.load(std::memory_order_relaxed) == 0) {
      start_ns_.store(Clock::now().time_since_epoch().count(), std::memory_order_relaxed);
    }
  }
  void OnTick(Clock::time_point, int) override {}

  // Successful inferences per second of the measured stage so far (0 during the warm-up).
  double LiveIps(Clock::time_point now) const {
    const int64_t start = start_ns_.load(std::memory_order_relaxed);
    if (start == 0) return 0;
    const double elapsed = static_cast<double>(now.time_since_epoch().count() - start) / 1e9;
    return elapsed > 0 ? static_cast<double>(ok_.load(std::memory_order_relaxed)) / elapsed : 0;
  }
  bool Measuring() const { return start_ns_.load(std::memory_order_relaxed) != 0; }
  std::vector<loadgen::Interval>& windows() { return windows_; }

 private:
  loadgen::Interval* WindowAt(Clock::time_point t) {
    const int64_t start = start_ns_.load(std::memory_order_relaxed);
    if (start == 0) return nullptr;
    const int64_t offset = t.time_since_epoch().count() - start;
    if (offset < 0) return nullptr;
    const auto index = static_cast<std::size_t>(offset / window_length_.count());
    return index < windows_.size() ? &windows_[index] : nullptr;
  }

  const int measured_stage_;
  std::vector<loadgen::Interval> windows_;
  const nanoseconds window_length_;
  std::atomic<int64_t> start_ns_{0};
  std::atomic<uint64_t> ok_{0};
};

// Splits a burst's requests by whether the target reported a cold start.
// Thread contract: the Recorder one; read once the engine has forgotten the burst.
class BurstRecorder : public loadgen::Recorder {
 public:
  void OnRequestDone(const RequestRecord& record) override {
    (record.cold_start ? cold : warm).Add(record);
  }
  void OnDropped(Clock::time_point) override {}
  void OnStage(int, const Stage&, bool) override {}
  void OnTick(Clock::time_point, int) override {}

  loadgen::Interval cold;
  loadgen::Interval warm;
};

std::string StepLine(const std::string& name, LoadAxis axis, std::size_t index, std::size_t count,
                     const StepResult& step) {
  std::string line =
      name + " " + FormatOffered(axis, step.offered) + " (" + std::to_string(index + 1) + "/" +
      std::to_string(count) + "): " + FormatNumber(step.ips.value) + " IPS, p95 " +
      FormatMs(step.p95_s.value) + ", errors " + FormatNumber(step.error_ratio * 100, 2) + " %";
  if (step.cold_starts > 0) line += ", " + std::to_string(step.cold_starts) + " cold";
  if (step.usd_per_million) line += ", " + FormatUsd(step.usd_per_million->value) + " per 1M";
  return line;
}

}  // namespace

SweepRunner::SweepRunner(SweepPlan plan, std::vector<SweepTarget> targets,
                         std::function<void(const std::string&)> on_event)
    : plan_(std::move(plan)), targets_(std::move(targets)), on_event_(std::move(on_event)) {
  for (const SweepTarget& target : targets_) {
    LiveStatus status;
    status.target = target.name;
    status.phase = plan_.parallel ? "starting" : "waiting";
    live_.push_back(std::move(status));
  }
}

std::vector<LiveStatus> SweepRunner::Live() const {
  std::lock_guard<std::mutex> lock(live_mu_);
  return live_;
}

void SweepRunner::SetLive(std::size_t index, std::string phase, double length_s) {
  std::lock_guard<std::mutex> lock(live_mu_);
  live_[index].phase = std::move(phase);
  live_[index].phase_elapsed_s = 0;
  live_[index].phase_length_s = length_s;
  live_[index].ips = 0;
}

nanoseconds SweepRunner::BurstHoldWall() const {
  return ToWall(std::chrono::duration_cast<nanoseconds>(
                    std::chrono::duration<double>(BurstHoldSeconds(plan_))),
                plan_.time_scale);
}

nanoseconds SweepRunner::PlannedWallTime(std::size_t target) const {
  nanoseconds total{0};
  const nanoseconds per_step = ToWall(plan_.warmup + plan_.step, plan_.time_scale);
  total += per_step * static_cast<int64_t>(plan_.levels.size());
  if (!plan_.idle_gaps.empty() && IsServerless(targets_[target].pricing)) {
    // A warm-up burst, then each gap and its burst (see RunColdStarts).
    const nanoseconds hold = BurstHoldWall();
    total += hold * static_cast<int64_t>(plan_.idle_gaps.size() + 1);
    for (nanoseconds gap : plan_.idle_gaps) total += ToWall(gap, plan_.time_scale);
  }
  return total;
}

nanoseconds SweepRunner::PlannedWallTime() const {
  nanoseconds total{0};
  for (std::size_t i = 0; i < targets_.size(); ++i) {
    total = plan_.parallel ? std::max(total, PlannedWallTime(i)) : total + PlannedWallTime(i);
  }
  return total;
}

std::vector<TargetMeasurement> SweepRunner::Run(std::stop_token stop) {
  std::vector<TargetMeasurement> results(targets_.size());
  loadgen::EngineOptions options;
  options.threads = std::max(1, plan_.engine_threads);
  loadgen::Engine engine(options);
  if (plan_.parallel) {
    std::vector<std::jthread> threads;
    threads.reserve(targets_.size());
    for (std::size_t i = 0; i < targets_.size(); ++i) {
      threads.emplace_back(
          [this, i, &engine, &results, stop] { RunTarget(i, engine, stop, &results[i]); });
    }
  } else {
    for (std::size_t i = 0; i < targets_.size(); ++i) RunTarget(i, engine, stop, &results[i]);
  }
  return results;
}

void SweepRunner::RunTarget(std::size_t index, loadgen::Engine& engine, std::stop_token stop,
                            TargetMeasurement* out) {
  const SweepTarget& target = targets_[index];
  const nanoseconds warmup_wall = ToWall(plan_.warmup, plan_.time_scale);
  const nanoseconds step_wall = ToWall(plan_.step, plan_.time_scale);
  const int windows = std::max(1, plan_.windows_per_step);
  // Whole nanoseconds per window; the last few nanoseconds of a step may fall outside.
  const nanoseconds window_wall = step_wall / windows;
  SummaryOptions quick;
  quick.time_scale = plan_.time_scale;
  quick.bootstrap_samples = 0;
  quick.criteria = target.criteria;

  std::vector<StepResult> so_far;
  double spend_usd = 0;
  for (std::size_t i = 0; i < plan_.levels.size(); ++i) {
    if (stop.stop_requested()) {
      out->stop = {StopReason::kInterrupted,
                   "stopped by the user before " + FormatOffered(plan_.axis, plan_.levels[i])};
      break;
    }
    const double level = plan_.levels[i];
    loadgen::TargetPlan step_plan;
    step_plan.name = target.name;
    step_plan.request = target.request;
    Stage stage;
    if (plan_.axis == LoadAxis::kConcurrency) {
      stage.kind = Stage::Kind::kClosed;
      stage.concurrency = static_cast<int>(std::llround(level));
    } else {
      stage.kind = Stage::Kind::kOpen;
      stage.rate = level * plan_.time_scale;  // arrivals per wall second
      stage.arrival = loadgen::Arrival::kPoisson;
    }
    // The same seed for every target at a given step: the same arrival schedule for all.
    step_plan.load.seed = plan_.seed * 1'000'003 + i;
    step_plan.load.max_in_flight = target.max_in_flight;
    int measured_stage = 0;
    if (warmup_wall > nanoseconds(0)) {
      stage.duration = warmup_wall;
      step_plan.load.stages.push_back(stage);
      measured_stage = 1;
    }
    stage.duration = step_wall;
    step_plan.load.stages.push_back(stage);

    StepRecorder recorder(measured_stage, windows, window_wall);
    SetLive(index,
            FormatOffered(plan_.axis, level) + " (" + std::to_string(i + 1) + "/" +
                std::to_string(plan_.levels.size()) + ")",
            Seconds(warmup_wall + step_wall));
    const Clock::time_point started = Clock::now();
    const Clock::time_point deadline =
        started + warmup_wall + step_wall + target.request.timeout + kStuckSlack;
    const loadgen::TargetId id = engine.Add(std::move(step_plan), &recorder);
    bool finished = false;
    while (!(finished = engine.WaitFinished(id, kPollInterval))) {
      const Clock::time_point now = Clock::now();
      {
        std::lock_guard<std::mutex> lock(live_mu_);
        live_[index].phase_elapsed_s = Seconds(now - started);
        live_[index].ips = recorder.LiveIps(now) / plan_.time_scale;  // per target second
      }
      if (stop.stop_requested() || now > deadline) break;
    }
    // Requests still out belong to no window (they would finish after the step): abort them.
    engine.Remove(id, nanoseconds(0));
    if (stop.stop_requested()) {
      out->stop = {StopReason::kInterrupted,
                   "stopped by the user during " + FormatOffered(plan_.axis, level)};
      break;
    }

    StepInput input;
    input.offered = level;
    for (loadgen::Interval& interval : recorder.windows()) {
      input.windows.push_back({Seconds(window_wall) * plan_.time_scale, std::move(interval)});
    }
    so_far.push_back(SummarizeStep(input, target.pricing, 0, quick, 0));
    out->steps.push_back(std::move(input));
    const StepResult& step = so_far.back();
    // The warm-up ran at the same load and cost the same per second.
    spend_usd += StepSpendWithWarmupUsd(step, plan_);
    on_event_(StepLine(target.name, plan_.axis, i, plan_.levels.size(), step) +
              (finished ? "" : " (the step overran its time and was cut)"));

    StopDecision decision = ShouldStop(so_far, target.criteria, plan_.levels.size() - i - 1);
    if (decision.reason == StopReason::kNone && target.spend_limit_usd &&
        spend_usd >= *target.spend_limit_usd) {
      decision = {StopReason::kSpendLimit, "spent " + FormatUsd(spend_usd) + " of its " +
                                               FormatUsd(*target.spend_limit_usd) + " limit"};
    }
    if (decision.reason != StopReason::kNone) {
      out->stop = std::move(decision);
      break;
    }
  }
  if (!plan_.idle_gaps.empty() && IsServerless(target.pricing) &&
      out->stop.reason != StopReason::kInterrupted && !stop.stop_requested()) {
    RunColdStarts(index, engine, stop, out);
  }
  std::lock_guard<std::mutex> lock(live_mu_);
  live_[index].phase = "done: " + std::string(Name(out->stop.reason));
  live_[index].done = true;
  live_[index].ips = 0;
}

void SweepRunner::RunColdStarts(std::size_t index, loadgen::Engine& engine, std::stop_token stop,
                                TargetMeasurement* out) {
  const SweepTarget& target = targets_[index];
  const int burst = std::max(1, plan_.burst_concurrency);
  // Each burst holds `burst` requests in flight (BurstHoldSeconds): every client busy at once
  // makes the function run `burst` instances, however the first requests happen to be spread, and
  // the cold starts of its first wave have time to end.
  const nanoseconds hold_wall = ToWall(std::chrono::duration_cast<nanoseconds>(
                                           std::chrono::duration<double>(BurstHoldSeconds(plan_))),
                                       plan_.time_scale);
  auto run = [&](nanoseconds idle_wall, loadgen::Recorder* recorder, const std::string& phase) {
    loadgen::TargetPlan plan;
    plan.name = target.name;
    plan.request = target.request;
    if (idle_wall > nanoseconds(0)) {
      Stage idle;
      idle.kind = Stage::Kind::kIdle;
      idle.duration = idle_wall;
      plan.load.stages.push_back(idle);
    }
    Stage closed;
    closed.kind = Stage::Kind::kClosed;
    closed.concurrency = burst;
    closed.duration = hold_wall;
    plan.load.stages.push_back(closed);
    plan.load.seed = plan_.seed;
    SetLive(index, phase, Seconds(idle_wall + hold_wall));
    const Clock::time_point started = Clock::now();
    const Clock::time_point deadline =
        started + idle_wall + hold_wall + target.request.timeout + kStuckSlack;
    const loadgen::TargetId id = engine.Add(std::move(plan), recorder);
    while (!engine.WaitFinished(id, kPollInterval)) {
      const Clock::time_point now = Clock::now();
      {
        std::lock_guard<std::mutex> lock(live_mu_);
        live_[index].phase_elapsed_s = Seconds(now - started);
      }
      if (stop.stop_requested() || now > deadline) break;
    }
    engine.Remove(id, nanoseconds(0));
  };

  BurstRecorder warm_up;
  run(nanoseconds(0), &warm_up, "cold starts: warming " + std::to_string(burst) + " instances");
  for (std::size_t g = 0; g < plan_.idle_gaps.size() && !stop.stop_requested(); ++g) {
    const nanoseconds gap = plan_.idle_gaps[g];
    BurstRecorder recorder;
    run(ToWall(gap, plan_.time_scale), &recorder,
        "cold starts: idle " + FormatDuration(gap) + " (" + std::to_string(g + 1) + "/" +
            std::to_string(plan_.idle_gaps.size()) + ")");
    if (stop.stop_requested()) break;
    IdleGapInput input;
    input.idle_seconds = Seconds(gap);
    input.burst_concurrency = burst;
    input.hold_seconds = Seconds(hold_wall) * plan_.time_scale;
    input.cold = std::move(recorder.cold);
    input.warm = std::move(recorder.warm);
    const uint64_t cold = input.cold.Requests();
    const uint64_t total = cold + input.warm.Requests();
    on_event_(target.name + " after " + FormatDuration(gap) + " idle: " + std::to_string(cold) +
              " of " + std::to_string(total) + " requests started cold");
    out->idle_gaps.push_back(std::move(input));
  }
}

}  // namespace infercost
