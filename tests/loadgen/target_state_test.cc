// The per-target state machine in simulated time: no engine, no network, no sleeps.
#include "loadgen/target_state.h"

#include <gtest/gtest.h>

#include <vector>

#include "tests/loadgen/stages.h"

namespace loadgen {
namespace {

using std::chrono::milliseconds;
using std::chrono::nanoseconds;
using std::chrono::seconds;
using testing::ClosedStage;
using testing::IdleStage;
using testing::OpenStage;

const Clock::time_point kT0 = Clock::time_point(seconds(1'000));

// Records what the state machine asks for; sends succeed unless told otherwise.
class FakeActions : public TargetState::Actions {
 public:
  struct StageEvent {
    int index;
    bool active;
  };
  bool Send(Clock::time_point scheduled_at, Clock::time_point now) override {
    sends.push_back(scheduled_at - kT0);
    send_lag.push_back(now - scheduled_at);
    return succeed;
  }
  void Drop(Clock::time_point scheduled_at) override { drops.push_back(scheduled_at - kT0); }
  void StageChanged(int index, const Stage& /*stage*/, bool active) override {
    stages.push_back({index, active});
  }
  std::vector<nanoseconds> sends;
  std::vector<nanoseconds> send_lag;
  std::vector<nanoseconds> drops;
  std::vector<StageEvent> stages;
  bool succeed = true;
};

LoadPlan Plan(std::vector<Stage> stages, bool repeat = false) {
  LoadPlan plan;
  plan.stages = std::move(stages);
  plan.repeat = repeat;
  return plan;
}

// Runs the state machine from kT0 to kT0 + `until` in `step`s, finishing every request as soon as
// it is sent (a target with zero service time). Returns the actions seen.
void RunFor(TargetState& state, nanoseconds until, nanoseconds step) {
  for (nanoseconds t = step; t <= until; t += step) {
    state.Update(kT0 + t);
    while (state.in_flight() > 0 && !state.Finished()) state.RequestDone(kT0 + t);
  }
}

TEST(TargetState, ClosedLoopKeepsConcurrencyOutstandingAndRefillsOnCompletion) {
  FakeActions actions;
  TargetState state(Plan({ClosedStage(3, seconds(10))}), &actions);
  state.Start(kT0);
  EXPECT_EQ(actions.sends.size(), 3u);
  EXPECT_EQ(state.in_flight(), 3);
  state.RequestDone(kT0 + milliseconds(5));
  EXPECT_EQ(state.in_flight(), 3);  // refilled at once
  EXPECT_EQ(actions.sends.size(), 4u);
  EXPECT_EQ(actions.sends.back(), milliseconds(5));    // closed loop: scheduled = sent
  EXPECT_EQ(state.NextDeadline(), kT0 + seconds(10));  // the stage end
}

TEST(TargetState, ClosedLoopEndsAtTheStageEndAndFinishesWhenDrainedOfRequests) {
  FakeActions actions;
  TargetState state(Plan({ClosedStage(2, seconds(1))}), &actions);
  state.Start(kT0);
  state.Update(kT0 + seconds(1));
  EXPECT_TRUE(state.plan_over());
  EXPECT_FALSE(state.Finished());  // two requests still out
  state.RequestDone(kT0 + seconds(1));
  EXPECT_EQ(actions.sends.size(), 2u);  // no refill after the end
  state.RequestDone(kT0 + seconds(1));
  EXPECT_TRUE(state.Finished());
  ASSERT_FALSE(actions.stages.empty());
  EXPECT_EQ(actions.stages.back().index, -1);
  EXPECT_EQ(state.NextDeadline(), Clock::time_point::max());
}

TEST(TargetState, MaxRequestsEndsThePlan) {
  FakeActions actions;
  LoadPlan plan = Plan({ClosedStage(4, nanoseconds(0))});
  plan.max_requests = 10;
  TargetState state(plan, &actions);
  state.Start(kT0);
  RunFor(state, milliseconds(100), milliseconds(1));
  EXPECT_EQ(actions.sends.size(), 10u);
  EXPECT_EQ(state.sent(), 10u);
  EXPECT_TRUE(state.Finished());
}

TEST(TargetState, OpenLoopConstantSendsEachArrivalAtItsIntendedTime) {
  FakeActions actions;
  TargetState state(Plan({OpenStage(100, seconds(1))}), &actions);
  state.Start(kT0);
  EXPECT_EQ(state.NextDeadline(), kT0 + milliseconds(10));
  RunFor(state, seconds(2), milliseconds(1));
  ASSERT_EQ(actions.sends.size(), 100u);
  for (std::size_t i = 0; i < actions.sends.size(); ++i) {
    EXPECT_EQ(actions.sends[i], milliseconds(10) * static_cast<int>(i));
  }
  EXPECT_TRUE(state.Finished());
}

TEST(TargetState, ALateUpdateSendsEveryMissedArrivalWithItsOwnIntendedTime) {
  FakeActions actions;
  TargetState state(Plan({OpenStage(1000, seconds(1))}), &actions);
  state.Start(kT0);
  state.Update(kT0 + milliseconds(50));  // the loop woke 50 ms late
  ASSERT_EQ(actions.sends.size(), 51u);
  EXPECT_EQ(actions.sends[10], milliseconds(10));
  EXPECT_EQ(actions.send_lag[10], milliseconds(40));
}

TEST(TargetState, PoissonArrivalsAreTheSeededSchedule) {
  auto run = [](uint64_t seed) {
    FakeActions actions;
    LoadPlan plan = Plan({OpenStage(200, seconds(5), Arrival::kPoisson)});
    plan.seed = seed;
    TargetState state(plan, &actions);
    state.Start(kT0);
    RunFor(state, seconds(5), milliseconds(1));
    return actions.sends;
  };
  const std::vector<nanoseconds> a = run(7);
  EXPECT_EQ(a, run(7));
  EXPECT_NE(a, run(8));
  EXPECT_NEAR(static_cast<double>(a.size()), 1000.0, 150.0);  // 5 s at 200/s, ~5 sigma
  EXPECT_TRUE(std::is_sorted(a.begin(), a.end()));
}

TEST(TargetState, ArrivalsBeyondMaxInFlightAreDropped) {
  FakeActions actions;
  LoadPlan plan = Plan({OpenStage(1000, milliseconds(10))});
  plan.max_in_flight = 3;
  TargetState state(plan, &actions);
  state.Start(kT0);
  state.Update(kT0 + milliseconds(9));  // nothing finishes
  EXPECT_EQ(actions.sends.size(), 3u);
  EXPECT_EQ(actions.drops.size(), 7u);
  EXPECT_EQ(actions.drops.front(), milliseconds(3));
}

TEST(TargetState, StagesSwitchAtTheirBoundariesAndIdleStagesSendNothing) {
  FakeActions actions;
  TargetState state(
      Plan({OpenStage(100, seconds(1)), IdleStage(seconds(1)), ClosedStage(2, seconds(1))}),
      &actions);
  state.Start(kT0);
  RunFor(state, seconds(1) + milliseconds(500), milliseconds(1));
  EXPECT_EQ(actions.sends.size(), 100u);  // none in the idle stage
  EXPECT_EQ(state.stage_index(), 1);
  EXPECT_EQ(state.NextDeadline(), kT0 + seconds(2));
  state.Update(kT0 + seconds(2));
  EXPECT_EQ(state.stage_index(), 2);
  EXPECT_EQ(actions.sends.size(), 102u);  // the closed stage fills at its start
  EXPECT_EQ(actions.sends.back(), seconds(2));
  ASSERT_GE(actions.stages.size(), 3u);
  EXPECT_TRUE(actions.stages[0].active);
  EXPECT_EQ(actions.stages[1].index, 1);
  EXPECT_FALSE(actions.stages[1].active);  // idle
  EXPECT_TRUE(actions.stages[2].active);
}

TEST(TargetState, ArrivalsOfAnEndingStageGoOutBeforeTheSwitch) {
  FakeActions actions;
  TargetState state(Plan({OpenStage(10, seconds(1)), IdleStage(seconds(1))}), &actions);
  state.Start(kT0);
  state.Update(kT0 + milliseconds(1500));  // woke late, inside the idle stage
  EXPECT_EQ(actions.sends.size(), 10u);
  EXPECT_EQ(state.stage_index(), 1);
}

TEST(TargetState, RepeatingPlansStartOverForever) {
  FakeActions actions;
  TargetState state(Plan({OpenStage(10, seconds(1)), IdleStage(seconds(1))}, true), &actions);
  state.Start(kT0);
  RunFor(state, seconds(100), milliseconds(10));
  EXPECT_EQ(actions.sends.size(), 501u);  // 50 cycles of 10, and the 51st starts at 100 s
  EXPECT_FALSE(state.plan_over());
  EXPECT_EQ(actions.sends[10], seconds(2));  // the second cycle starts after the idle second
}

TEST(TargetState, PauseStopsSchedulingAndResumeContinuesFromNow) {
  FakeActions actions;
  TargetState state(Plan({OpenStage(100, seconds(10))}), &actions);
  state.Start(kT0);
  RunFor(state, milliseconds(995), milliseconds(5));
  EXPECT_EQ(actions.sends.size(), 100u);
  state.SetPaused(true, kT0 + seconds(1));
  EXPECT_FALSE(actions.stages.back().active);
  EXPECT_EQ(state.NextDeadline(), kT0 + seconds(10));  // only the stage end
  state.Update(kT0 + seconds(3));
  EXPECT_EQ(actions.sends.size(), 100u);
  state.SetPaused(false, kT0 + seconds(3));
  EXPECT_TRUE(actions.stages.back().active);
  state.Update(kT0 + seconds(3) + milliseconds(25));
  // Arrivals missed while paused are never sent: the next ones are at 3.00, 3.01 and 3.02 s.
  ASSERT_EQ(actions.sends.size(), 103u);
  EXPECT_EQ(actions.sends[100], seconds(3));
  EXPECT_TRUE(actions.drops.empty());
}

TEST(TargetState, PausedClosedLoopDoesNotRefill) {
  FakeActions actions;
  TargetState state(Plan({ClosedStage(2, seconds(10))}), &actions);
  state.Start(kT0);
  state.SetPaused(true, kT0 + seconds(1));
  state.RequestDone(kT0 + seconds(1));
  state.RequestDone(kT0 + seconds(1));
  EXPECT_EQ(actions.sends.size(), 2u);
  state.SetPaused(false, kT0 + seconds(2));
  EXPECT_EQ(actions.sends.size(), 4u);
}

TEST(TargetState, DrainStopsSchedulingAndExpiresAtItsDeadline) {
  FakeActions actions;
  TargetState state(Plan({ClosedStage(2, nanoseconds(0))}), &actions);
  state.Start(kT0);
  state.BeginDrain(kT0 + seconds(1), milliseconds(500));
  EXPECT_TRUE(state.draining());
  EXPECT_EQ(state.NextDeadline(), kT0 + milliseconds(1500));
  state.RequestDone(kT0 + milliseconds(1100));  // finishes within the drain: no refill
  EXPECT_EQ(actions.sends.size(), 2u);
  EXPECT_FALSE(state.DrainExpired(kT0 + milliseconds(1499)));
  EXPECT_TRUE(state.DrainExpired(kT0 + milliseconds(1500)));
  EXPECT_FALSE(state.Drained());
  state.RequestDone(kT0 + milliseconds(1500));  // the engine aborts the last one
  EXPECT_TRUE(state.Drained());
  EXPECT_FALSE(state.DrainExpired(kT0 + seconds(2)));
  state.SetPaused(true, kT0 + seconds(2));  // ignored while draining
  EXPECT_FALSE(state.paused());
}

TEST(TargetState, AFailedSendCountsAsSentButNotInFlight) {
  FakeActions actions;
  actions.succeed = false;
  LoadPlan plan = Plan({ClosedStage(3, nanoseconds(0))});
  plan.max_requests = 5;
  TargetState state(plan, &actions);
  state.Start(kT0);
  EXPECT_EQ(state.in_flight(), 0);
  EXPECT_GE(state.sent(), 1u);
  RunFor(state, seconds(1), milliseconds(1));
  EXPECT_EQ(state.sent(), 5u);
  EXPECT_TRUE(state.Finished());
}

// Issue 15 finding 10 (and 5's spin on EMFILE): a closed loop whose sends keep failing retried on
// every Update, as fast as the worker looped; now it waits kRefillBackoff between attempts.
TEST(TargetState, ClosedLoopWhoseSendKeepsFailingDoesNotSpin) {
  FakeActions actions;
  actions.succeed = false;
  TargetState state(Plan({ClosedStage(1500, nanoseconds(0))}), &actions);
  state.Start(kT0);
  EXPECT_EQ(actions.sends.size(), 1u);
  for (int i = 0; i < 10'000; ++i) state.Update(kT0 + nanoseconds(i));  // a busy worker loop
  EXPECT_EQ(actions.sends.size(), 1u);
  EXPECT_EQ(state.NextDeadline(), kT0 + TargetState::kRefillBackoff);
  RunFor(state, seconds(1), milliseconds(1));
  EXPECT_EQ(actions.sends.size(), 11u);  // once per 100 ms
}

TEST(TargetState, HoldRefillPausesTheClosedLoopUntilItsTime) {
  FakeActions actions;
  TargetState state(Plan({ClosedStage(2, nanoseconds(0))}), &actions);
  state.Start(kT0);
  ASSERT_EQ(actions.sends.size(), 2u);
  state.HoldRefill(kT0 + milliseconds(50));
  state.RequestDone(kT0 + milliseconds(1));
  state.Update(kT0 + milliseconds(10));
  EXPECT_EQ(actions.sends.size(), 2u);
  EXPECT_EQ(state.NextDeadline(), kT0 + milliseconds(50));
  state.Update(kT0 + milliseconds(50));
  EXPECT_EQ(actions.sends.size(), 3u);
}

}  // namespace
}  // namespace loadgen
