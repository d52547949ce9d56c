// What the engine tests share: a recorder that keeps every event, and plan builders.
#ifndef TESTS_LOADGEN_ENGINE_FIXTURES_H_
#define TESTS_LOADGEN_ENGINE_FIXTURES_H_

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "loadgen/engine.h"
#include "tests/loadgen/stages.h"

namespace loadgen::testing {

inline constexpr auto kRunBound =
    std::chrono::seconds(60);  // WaitFinished bound: only a hung engine reaches it

// Keeps everything the engine reports. Thread contract: written by the worker, read by the test
// (under the mutex) at any time.
class CollectingRecorder : public Recorder {
 public:
  struct StageEvent {
    int index;
    bool active;
    Clock::time_point at;
  };

  void OnRequestDone(const RequestRecord& record) override {
    std::lock_guard lock(mu_);
    records_.push_back(record);
  }
  void OnDropped(Clock::time_point scheduled_at) override {
    std::lock_guard lock(mu_);
    drops_.push_back(scheduled_at);
  }
  void OnStage(int index, const Stage&, bool active) override {
    std::lock_guard lock(mu_);
    stages_.push_back({index, active, Clock::now()});
  }
  void OnTick(Clock::time_point now, int in_flight) override {
    std::lock_guard lock(mu_);
    ticks_.push_back(now);
    last_tick_in_flight_ = in_flight;
    max_in_flight_ = std::max(max_in_flight_, in_flight);
  }

  std::vector<RequestRecord> records() const {
    std::lock_guard lock(mu_);
    return records_;
  }
  std::size_t count() const {
    std::lock_guard lock(mu_);
    return records_.size();
  }
  std::vector<Clock::time_point> drops() const {
    std::lock_guard lock(mu_);
    return drops_;
  }
  std::vector<StageEvent> stages() const {
    std::lock_guard lock(mu_);
    return stages_;
  }
  std::vector<Clock::time_point> ticks() const {
    std::lock_guard lock(mu_);
    return ticks_;
  }
  int max_in_flight() const {
    std::lock_guard lock(mu_);
    return max_in_flight_;
  }
  // The tick count and the in-flight count the last tick reported.
  std::pair<std::size_t, int> last_tick() const {
    std::lock_guard lock(mu_);
    return {ticks_.size(), last_tick_in_flight_};
  }
  std::size_t CountOutcome(Outcome outcome) const {
    std::lock_guard lock(mu_);
    return static_cast<std::size_t>(std::count_if(
        records_.begin(), records_.end(), [&](const auto& r) { return r.outcome == outcome; }));
  }

 private:
  mutable std::mutex mu_;
  std::vector<RequestRecord> records_;
  std::vector<Clock::time_point> drops_;
  std::vector<StageEvent> stages_;
  std::vector<Clock::time_point> ticks_;
  int max_in_flight_ = 0;
  int last_tick_in_flight_ = -1;
};

inline RequestSpec Get(const std::string& url,
                       std::chrono::nanoseconds timeout = std::chrono::seconds(10)) {
  RequestSpec spec;
  spec.url = url;
  spec.method = "GET";
  spec.timeout = timeout;
  return spec;
}

inline TargetPlan Closed(RequestSpec spec, int concurrency, uint64_t requests) {
  TargetPlan plan;
  plan.name = "t";
  plan.request = std::move(spec);
  plan.load.stages = {ClosedStage(concurrency, std::chrono::nanoseconds(0))};
  plan.load.max_requests = requests;
  return plan;
}

inline TargetPlan Open(RequestSpec spec, double rate, std::chrono::nanoseconds duration) {
  TargetPlan plan;
  plan.name = "t";
  plan.request = std::move(spec);
  plan.load.stages = {OpenStage(rate, duration)};
  return plan;
}

// Runs one plan to its end and forgets it.
inline void RunToEnd(Engine& engine, TargetPlan plan, Recorder* recorder) {
  const TargetId id = engine.Add(std::move(plan), recorder);
  ASSERT_TRUE(engine.WaitFinished(id, kRunBound));
  engine.Remove(id, std::chrono::seconds(0));
}

}  // namespace loadgen::testing

#endif  // TESTS_LOADGEN_ENGINE_FIXTURES_H_
