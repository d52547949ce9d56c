// The per-target state machine of the engine: which stage is in force, when the next open-loop
// arrival is due, how many closed-loop requests should be outstanding, pauses, the end of the plan
// (duration or max_requests) and the drain on removal. No I/O and no clock of its own: every call
// takes the time it acts at, so tests drive it in simulated time. What it decides is carried out
// by its Actions (the engine sends requests and tells the recorder).
//
// Thread contract: not thread-safe; owned by the worker that runs the target. Actions are called
// synchronously from inside the calls below, and must not call back into the state machine.
#ifndef LOADGEN_TARGET_STATE_H_
#define LOADGEN_TARGET_STATE_H_

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <optional>

#include "loadgen/load.h"
#include "loadgen/record.h"
#include "loadgen/schedule.h"

namespace loadgen {

class TargetState {
 public:
  // Open-loop max_in_flight when the plan says 0.
  static constexpr int kDefaultMaxInFlight = 10'000;
  // How long a closed loop waits before refilling after a request could not even start (Send
  // failed, or the process ran out of descriptors): each failure is counted, but the loop never
  // spins on one.
  static constexpr std::chrono::milliseconds kRefillBackoff{100};

  class Actions {
   public:
    virtual ~Actions() = default;
    // Send one request now, intended for `scheduled_at` (= now in closed loop). True when it is in
    // flight; false when it failed at once (already reported): it counts as sent, not in flight.
    virtual bool Send(Clock::time_point scheduled_at, Clock::time_point now) = 0;
    // An open-loop arrival found max_in_flight requests outstanding and was not sent.
    virtual void Drop(Clock::time_point scheduled_at) = 0;
    // The stage in force changed, or the target was paused or resumed; index -1 when the plan
    // has ended. `active` is false in an idle stage and while paused.
    virtual void StageChanged(int index, const Stage& stage, bool active) = 0;
  };

  // `actions` must outlive the state machine. Nothing happens before Start.
  TargetState(LoadPlan plan, Actions* actions);

  // The plan's offset 0 is `now`: enters the first stage, sends what is due.
  void Start(Clock::time_point now);
  // Does everything due by `now`: arrivals of a stage that ended go out before the next stage
  // starts, then due arrivals are sent (or dropped), the closed loop is refilled, and the plan
  // ends once its duration or max_requests is reached.
  void Update(Clock::time_point now);
  // A request sent by Actions::Send finished (or was aborted). Refills the closed loop.
  void RequestDone(Clock::time_point now);
  // Paused: no new requests; in-flight ones finish. Resumed: arrivals missed while paused were
  // never due; the schedule continues from `now`. Ignored while draining.
  void SetPaused(bool paused, Clock::time_point now);
  // Stops scheduling for good; in-flight requests have until now + drain to finish.
  void BeginDrain(Clock::time_point now, std::chrono::nanoseconds drain);

  // The earliest time Update has something to do (next arrival, stage end or drain deadline);
  // Clock::time_point::max() when nothing is scheduled.
  Clock::time_point NextDeadline() const;
  // No more requests will be scheduled and none is in flight.
  bool Finished() const { return plan_over_ && in_flight_ == 0; }
  bool draining() const { return draining_; }
  // Draining, and the drain deadline has passed with requests still in flight: abort them.
  bool DrainExpired(Clock::time_point now) const {
    return draining_ && in_flight_ > 0 && now >= drain_deadline_;
  }
  // Draining and nothing left in flight: the target can be forgotten.
  bool Drained() const { return draining_ && in_flight_ == 0; }

  int in_flight() const { return in_flight_; }
  uint64_t sent() const { return sent_; }
  bool paused() const { return paused_; }
  bool plan_over() const { return plan_over_; }
  int stage_index() const { return stage_index_; }
  const Stage* stage() const;
  Clock::time_point stage_end() const { return stage_end_; }
  std::optional<Clock::time_point> next_arrival() const { return next_arrival_; }
  const LoadPlan& plan() const { return schedule_.plan(); }

 private:
  bool Scheduling() const { return !paused_ && !plan_over_ && !draining_; }
  bool MaxRequestsReached() const;
  void EndIfBudgetSpent();
  void EnterStage(Clock::time_point now);
  void SendArrivals(Clock::time_point now, Clock::time_point until);
  void FillClosedLoop(Clock::time_point now);
  // Sends one request; false when it failed at once.
  bool SendOne(Clock::time_point scheduled_at, Clock::time_point now);
  void ScheduleNextArrival(std::chrono::nanoseconds after);
  void ReportStage();

 public:
  // The closed loop sends nothing more before `until` (the engine found a request that failed
  // for want of a local resource, such as a descriptor).
  void HoldRefill(Clock::time_point until) { refill_after_ = std::max(refill_after_, until); }

 private:
  Schedule schedule_;
  Actions* actions_;
  int max_in_flight_;
  Clock::time_point start_;
  int stage_index_ = -1;
  Clock::time_point stage_end_ = Clock::time_point::max();
  bool paused_ = false;
  bool plan_over_ = false;  // no more requests will be scheduled
  std::optional<Clock::time_point> next_arrival_;
  int in_flight_ = 0;
  uint64_t sent_ = 0;
  bool draining_ = false;
  Clock::time_point drain_deadline_ = Clock::time_point::max();
  Clock::time_point refill_after_ = Clock::time_point::min();
};

}  // namespace loadgen

#endif  // LOADGEN_TARGET_STATE_H_
