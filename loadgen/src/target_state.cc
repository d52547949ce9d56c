#include "loadgen/target_state.h"

#include <algorithm>
#include <utility>

namespace loadgen {

using std::chrono::nanoseconds;

TargetState::TargetState(LoadPlan plan, Actions* actions)
    : schedule_(std::move(plan)),
      actions_(actions),
      max_in_flight_(schedule_.plan().max_in_flight > 0 ? schedule_.plan().max_in_flight
                                                        : kDefaultMaxInFlight) {}

const Stage* TargetState::stage() const {
  if (stage_index_ < 0) return nullptr;
  return &schedule_.plan().stages[static_cast<std::size_t>(stage_index_)];
}

void TargetState::Start(Clock::time_point now) {
  start_ = now;
  EnterStage(now);
  ScheduleNextArrival(nanoseconds(0));
  FillClosedLoop(now);
  Update(now);
}

void TargetState::Update(Clock::time_point now) {
  if (draining_) return;
  // Arrivals of the stage that is ending go out before the switch, even when the caller is late:
  // switching first would lose them.
  if (!plan_over_ && now >= stage_end_) {
    SendArrivals(now, stage_end_ - nanoseconds(1));
    EnterStage(now);
  }
  SendArrivals(now, now);
  FillClosedLoop(now);
  EndIfBudgetSpent();
}

void TargetState::RequestDone(Clock::time_point now) {
  --in_flight_;
  if (draining_) return;
  FillClosedLoop(now);
  EndIfBudgetSpent();
}

void TargetState::SetPaused(bool paused, Clock::time_point now) {
  if (paused_ == paused || draining_) return;
  paused_ = paused;
  if (paused) {
    next_arrival_.reset();
  } else if (!plan_over_) {
    ScheduleNextArrival(now - start_);
  }
  if (stage() != nullptr) ReportStage();
  Update(now);
}

void TargetState::BeginDrain(Clock::time_point now, nanoseconds drain) {
  draining_ = true;
  next_arrival_.reset();
  drain_deadline_ = now + std::max(drain, nanoseconds(0));
}

Clock::time_point TargetState::NextDeadline() const {
  if (draining_) return drain_deadline_;
  Clock::time_point deadline = Clock::time_point::max();
  if (!plan_over_) deadline = stage_end_;
  const Stage* current = stage();
  if (Scheduling() && current != nullptr && current->kind == Stage::Kind::kClosed &&
      refill_after_ > Clock::time_point::min()) {
    deadline = std::min(deadline, refill_after_);
  }
  if (next_arrival_.has_value() && Scheduling()) deadline = std::min(deadline, *next_arrival_);
  return deadline;
}

bool TargetState::MaxRequestsReached() const {
  const auto& max = schedule_.plan().max_requests;
  return max.has_value() && sent_ >= *max;
}

void TargetState::EndIfBudgetSpent() {
  if (!plan_over_ && MaxRequestsReached()) {
    plan_over_ = true;
    next_arrival_.reset();
  }
}

void TargetState::EnterStage(Clock::time_point now) {
  const Schedule::Position position = schedule_.At(now - start_);
  stage_index_ = position.stage_index;
  if (position.stage_index < 0) {
    plan_over_ = true;
    stage_end_ = Clock::time_point::max();
    next_arrival_.reset();
    actions_->StageChanged(-1, Stage{}, false);
    return;
  }
  stage_end_ = position.stage_end == nanoseconds::max() ? Clock::time_point::max()
                                                        : start_ + position.stage_end;
  ReportStage();
}

void TargetState::ReportStage() {
  const Stage& current = *stage();
  actions_->StageChanged(stage_index_, current, !paused_ && current.kind != Stage::Kind::kIdle);
}

void TargetState::SendArrivals(Clock::time_point now, Clock::time_point until) {
  // In order; each due arrival is sent or counted as dropped.
  while (next_arrival_.has_value() && *next_arrival_ <= until && Scheduling()) {
    if (MaxRequestsReached()) {
      next_arrival_.reset();
      break;
    }
    const Clock::time_point scheduled = *next_arrival_;
    if (in_flight_ >= max_in_flight_) {
      actions_->Drop(scheduled);
    } else {
      SendOne(scheduled, now);
    }
    ScheduleNextArrival(scheduled - start_);
  }
}

void TargetState::FillClosedLoop(Clock::time_point now) {
  // Nothing once the stage is over, even if Update has not switched to the next one yet.
  const Stage* current = stage();
  if (!Scheduling() || current == nullptr || current->kind != Stage::Kind::kClosed ||
      now >= stage_end_ || now < refill_after_) {
    return;
  }
  const int want = std::max(current->concurrency, 0);
  while (in_flight_ < want && !MaxRequestsReached()) {
    if (!SendOne(now, now)) {
      // Counted as sent and failed; retried after a pause, never in a tight loop.
      refill_after_ = now + kRefillBackoff;
      break;
    }
  }
}

bool TargetState::SendOne(Clock::time_point scheduled_at, Clock::time_point now) {
  ++sent_;
  ++in_flight_;
  if (actions_->Send(scheduled_at, now)) return true;
  --in_flight_;
  return false;
}

void TargetState::ScheduleNextArrival(nanoseconds after) {
  const auto next = schedule_.NextArrival(after);
  if (next.has_value()) {
    next_arrival_ = start_ + *next;
  } else {
    next_arrival_.reset();
  }
}

}  // namespace loadgen
