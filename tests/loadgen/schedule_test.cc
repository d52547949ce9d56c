#include "loadgen/schedule.h"

#include <gtest/gtest.h>

#include <cmath>
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

// Every arrival before `until`, as the engine asks for them: each call passes the previous one.
std::vector<nanoseconds> Arrivals(Schedule& schedule, nanoseconds until) {
  std::vector<nanoseconds> out;
  nanoseconds after(0);
  while (true) {
    const auto next = schedule.NextArrival(after);
    if (!next.has_value() || *next >= until) break;
    if (!out.empty()) {
      EXPECT_GT(*next, out.back());
    }
    out.push_back(*next);
    after = *next;
  }
  return out;
}

TEST(Schedule, ConstantRateIsExact) {
  LoadPlan plan;
  plan.stages = {OpenStage(1000, seconds(1))};
  Schedule schedule(plan);
  const auto arrivals = Arrivals(schedule, seconds(10));
  ASSERT_EQ(arrivals.size(), 1000u);
  for (std::size_t k = 0; k < arrivals.size(); ++k) {
    ASSERT_EQ(arrivals[k], milliseconds(static_cast<int64_t>(k))) << k;
  }
}

TEST(Schedule, ConstantRateDoesNotAccumulateRounding) {
  // 1/3 s is not a whole number of nanoseconds; arrival k is still round(k / 3 s).
  LoadPlan plan;
  plan.stages = {OpenStage(3, seconds(100))};
  Schedule schedule(plan);
  const auto arrivals = Arrivals(schedule, seconds(1000));
  ASSERT_EQ(arrivals.size(), 300u);
  EXPECT_EQ(arrivals[1], nanoseconds(333'333'333));
  EXPECT_EQ(arrivals[2], nanoseconds(666'666'667));
  EXPECT_EQ(arrivals[299], nanoseconds(99'666'666'667));
}

TEST(Schedule, PhaseShiftsTheConstantGridWithinOnePeriod) {
  // At 2/s with phase 0.25: 125 ms, 625 ms, 1125 ms, ... and still two per second.
  LoadPlan plan;
  plan.stages = {OpenStage(2, seconds(10))};
  plan.phase = 0.25;
  Schedule schedule(plan);
  const auto arrivals = Arrivals(schedule, seconds(10));
  ASSERT_EQ(arrivals.size(), 20u);
  for (std::size_t k = 0; k < arrivals.size(); ++k) {
    ASSERT_EQ(arrivals[k], milliseconds(125 + 500 * static_cast<int64_t>(k))) << k;
  }
}

TEST(Schedule, PhaseCarriesAcrossStageVisits) {
  // A repeating plan: the rate stage's grid runs on its own clock, phase included, so each
  // 1 s visit of a 2/s stage holds its two arrivals at 0.4 s and 0.9 s of the visit.
  LoadPlan plan;
  plan.stages = {OpenStage(2, seconds(1)), IdleStage(seconds(1))};
  plan.repeat = true;
  plan.phase = 0.8;
  Schedule schedule(plan);
  const auto arrivals = Arrivals(schedule, seconds(6));
  const std::vector<nanoseconds> want = {milliseconds(400),  milliseconds(900),
                                         milliseconds(2400), milliseconds(2900),
                                         milliseconds(4400), milliseconds(4900)};
  EXPECT_EQ(arrivals, want);
}

TEST(Schedule, PhaseOutsideZeroToOneCountsAsZero) {
  for (double phase : {-0.5, 1.0, 7.0, std::nan("")}) {
    LoadPlan plan;
    plan.stages = {OpenStage(4, seconds(1))};
    plan.phase = phase;
    Schedule schedule(plan);
    const auto arrivals = Arrivals(schedule, seconds(1));
    ASSERT_EQ(arrivals.size(), 4u) << phase;
    EXPECT_EQ(arrivals[0], nanoseconds(0)) << phase;
    EXPECT_EQ(arrivals[3], milliseconds(750)) << phase;
  }
}

TEST(Schedule, PoissonMeanRateWithinTolerance) {
  LoadPlan plan;
  plan.stages = {OpenStage(1000, seconds(100), Arrival::kPoisson)};
  plan.seed = 12345;
  Schedule schedule(plan);
  const auto arrivals = Arrivals(schedule, seconds(100));
  // 100,000 expected; the count's standard deviation is ~316 (0.3 %).
  EXPECT_NEAR(static_cast<double>(arrivals.size()), 100'000.0, 1'000.0);
  // Exponential gaps: the coefficient of variation is 1 (a constant rate would give 0).
  double sum = 0, sum_sq = 0;
  for (std::size_t i = 1; i < arrivals.size(); ++i) {
    const double gap = static_cast<double>((arrivals[i] - arrivals[i - 1]).count());
    sum += gap;
    sum_sq += gap * gap;
  }
  const double n = static_cast<double>(arrivals.size() - 1);
  const double mean = sum / n;
  const double cv = std::sqrt(sum_sq / n - mean * mean) / mean;
  EXPECT_NEAR(mean, 1e6, 1e4);
  EXPECT_NEAR(cv, 1.0, 0.03);
}

TEST(Schedule, SameSeedSameScheduleOtherSeedOtherSchedule) {
  LoadPlan plan;
  plan.stages = {OpenStage(200, seconds(10), Arrival::kPoisson)};
  plan.seed = 99;
  Schedule a(plan), b(plan);
  const auto first = Arrivals(a, seconds(10));
  EXPECT_EQ(first, Arrivals(b, seconds(10)));
  plan.seed = 100;
  Schedule c(plan);
  EXPECT_NE(first, Arrivals(c, seconds(10)));
}

TEST(Schedule, StagesPositionsAndArrivalsOnlyInOpenStages) {
  LoadPlan plan;
  plan.stages = {ClosedStage(4, seconds(1)), OpenStage(10, seconds(2)), IdleStage(seconds(1)),
                 OpenStage(5, seconds(1))};
  Schedule schedule(plan);
  const auto p0 = schedule.At(milliseconds(500));
  EXPECT_EQ(p0.stage_index, 0);
  EXPECT_EQ(p0.stage_start, seconds(0));
  EXPECT_EQ(p0.stage_end, seconds(1));
  const auto p1 = schedule.At(seconds(1));
  EXPECT_EQ(p1.stage_index, 1);
  EXPECT_EQ(p1.stage_end, seconds(3));
  EXPECT_EQ(schedule.At(milliseconds(3500)).stage_index, 2);
  EXPECT_EQ(schedule.At(milliseconds(4999)).stage_index, 3);
  EXPECT_FALSE(schedule.Ended(milliseconds(4999)));
  EXPECT_TRUE(schedule.Ended(seconds(5)));
  EXPECT_EQ(schedule.At(seconds(5)).stage_index, -1);

  const auto arrivals = Arrivals(schedule, seconds(100));
  ASSERT_EQ(arrivals.size(), 25u);
  EXPECT_EQ(arrivals.front(), seconds(1));  // the open stage's first arrival is at its start
  EXPECT_EQ(arrivals[19], seconds(1) + milliseconds(1900));
  EXPECT_EQ(arrivals[20], seconds(4));
  EXPECT_EQ(arrivals[24], seconds(4) + milliseconds(800));
  EXPECT_FALSE(schedule.NextArrival(arrivals.back()).has_value());
}

TEST(Schedule, RepeatWrapsAround) {
  LoadPlan plan;
  plan.stages = {OpenStage(4, seconds(1)), IdleStage(seconds(1))};
  plan.repeat = true;
  Schedule schedule(plan);
  EXPECT_FALSE(schedule.Ended(seconds(1'000'000)));
  const auto p = schedule.At(milliseconds(4500));
  EXPECT_EQ(p.stage_index, 0);
  EXPECT_EQ(p.stage_start, seconds(4));
  EXPECT_EQ(p.stage_end, seconds(5));
  EXPECT_EQ(schedule.At(milliseconds(5500)).stage_index, 1);
  const auto arrivals = Arrivals(schedule, seconds(6));
  ASSERT_EQ(arrivals.size(), 12u);  // three cycles of four
  EXPECT_EQ(arrivals[4], seconds(2));
  EXPECT_EQ(arrivals[11], seconds(4) + milliseconds(750));
}

TEST(Schedule, EndlessLastStageNeverEnds) {
  LoadPlan plan;
  plan.stages = {ClosedStage(1, seconds(1)), OpenStage(100, nanoseconds(0))};
  Schedule schedule(plan);
  EXPECT_FALSE(schedule.Ended(seconds(1'000'000)));
  EXPECT_EQ(schedule.At(seconds(5000)).stage_end, nanoseconds::max());
  const auto next = schedule.NextArrival(seconds(3600));
  ASSERT_TRUE(next.has_value());
  EXPECT_EQ(*next, seconds(3600));
}

TEST(Schedule, PlansWithoutOpenStagesHaveNoArrivals) {
  LoadPlan plan;
  plan.stages = {ClosedStage(2, seconds(1)), IdleStage(seconds(1))};
  plan.repeat = true;
  Schedule schedule(plan);
  EXPECT_FALSE(schedule.NextArrival(nanoseconds(0)).has_value());
  LoadPlan empty;
  Schedule none(empty);
  EXPECT_TRUE(none.Ended(nanoseconds(0)));
  EXPECT_FALSE(none.NextArrival(nanoseconds(0)).has_value());
}

TEST(Schedule, SkippingAheadResumesOnTheGrid) {
  // After a pause the engine asks from "now": arrivals continue on the stage's grid.
  LoadPlan plan;
  plan.stages = {OpenStage(10, seconds(10))};
  Schedule schedule(plan);
  EXPECT_EQ(schedule.NextArrival(nanoseconds(0)), nanoseconds(0));
  EXPECT_EQ(schedule.NextArrival(milliseconds(3050)), milliseconds(3100));
  EXPECT_EQ(schedule.NextArrival(milliseconds(3100)), milliseconds(3200));
  // Never back in time, even if asked from an earlier offset.
  EXPECT_EQ(schedule.NextArrival(milliseconds(100)), milliseconds(3300));
}

// Issue 15 finding 3: a constant-rate stage fired one arrival at each of its starts, so
// [{1s, rate: 0.1}, {1s, idle}] sent 6 requests in 10 s where at most 1 was due.
TEST(Schedule, ShortLowRateStageDoesNotFireAtEveryStart) {
  LoadPlan plan;
  plan.repeat = true;
  plan.stages = {OpenStage(0.1, seconds(1)), IdleStage(seconds(1))};
  Schedule schedule(plan);
  const auto arrivals = Arrivals(schedule, seconds(100));
  // 50 s of the rate stage in 100 s: 5 arrivals, one per 10 s of the stage's own time.
  ASSERT_EQ(arrivals.size(), 5u);
  for (std::size_t k = 0; k < arrivals.size(); ++k) {
    EXPECT_EQ(arrivals[k], seconds(20 * static_cast<int64_t>(k))) << k;
  }
}

TEST(Schedule, RepeatedStageKeepsItsRateAcrossCycles) {
  // 0.7 arrivals per visit: over 1000 visits, 700 arrivals (give or take one), not 1000.
  LoadPlan plan;
  plan.repeat = true;
  plan.stages = {OpenStage(0.7, seconds(1)), ClosedStage(1, seconds(1))};
  Schedule schedule(plan);
  const auto arrivals = Arrivals(schedule, seconds(2000));
  EXPECT_NEAR(static_cast<double>(arrivals.size()), 700.0, 1.0);
}

// Issue 15 finding 2: rate 1e-10 overflowed the grid offset (llround of a value beyond int64) and
// the engine thread spun forever.
TEST(Schedule, TinyRateDoesNotWedgeTheEngine) {
  for (double rate : {1e-10, 1e-300, 5e-324}) {
    LoadPlan plan;
    plan.repeat = true;
    plan.stages = {OpenStage(rate, seconds(1)), IdleStage(seconds(1))};
    Schedule schedule(plan);
    EXPECT_EQ(schedule.NextArrival(nanoseconds(0)), nanoseconds(0)) << rate;
    // The next one lies beyond any representable time: none, at once.
    EXPECT_FALSE(schedule.NextArrival(nanoseconds(0)).has_value()) << rate;
  }
  LoadPlan endless;
  endless.stages = {OpenStage(1e-10, nanoseconds(0))};
  Schedule schedule(endless);
  EXPECT_EQ(schedule.NextArrival(nanoseconds(0)), nanoseconds(0));
  EXPECT_FALSE(schedule.NextArrival(nanoseconds(1)).has_value());
}

// Issue 15 finding 10: a cycle beyond ~292 years overflowed.
TEST(Schedule, CycleBeyondTheRepresentableTimeDoesNotOverflow) {
  LoadPlan plan;
  plan.repeat = true;
  const nanoseconds half = nanoseconds::max() / 2 + nanoseconds(1);
  plan.stages = {OpenStage(1, half), IdleStage(half), OpenStage(1, seconds(1))};
  Schedule schedule(plan);
  EXPECT_EQ(schedule.At(seconds(5)).stage_index, 0);
  EXPECT_EQ(schedule.NextArrival(seconds(5)), seconds(5));
}

}  // namespace
}  // namespace loadgen
