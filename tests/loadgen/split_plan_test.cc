#include <gtest/gtest.h>

#include <algorithm>
#include <set>
#include <vector>

#include "loadgen/load.h"
#include "loadgen/schedule.h"
#include "tests/loadgen/stages.h"

namespace loadgen {
namespace {

using std::chrono::seconds;
using testing::ClosedStage;
using testing::IdleStage;
using testing::OpenStage;

LoadPlan Whole() {
  LoadPlan plan;
  plan.stages = {ClosedStage(10, seconds(1)), OpenStage(90, seconds(1)), IdleStage(seconds(1)),
                 ClosedStage(2, seconds(1))};
  plan.max_requests = 1001;
  plan.max_in_flight = 100;
  plan.seed = 42;
  return plan;
}

TEST(SplitPlan, OneOrFewerPartsIsTheIdentity) {
  for (int count : {0, 1}) {
    const LoadPlan part = SplitPlan(Whole(), count, 0, 5);
    EXPECT_EQ(part.seed, 42u);
    EXPECT_EQ(part.stages[0].concurrency, 10);
    EXPECT_EQ(part.max_requests, 1001u);
  }
}

TEST(SplitPlan, PartsOfferExactlyTheWholeLoad) {
  struct Case {
    int count;
    std::size_t rotation;
    std::vector<int> closed;  // concurrency of stage 0 per part
  };
  const Case cases[] = {
      {3, 0, {4, 3, 3}},
      {3, 1, {3, 4, 3}},
      {3, 2, {3, 3, 4}},
      {4, 0, {3, 3, 2, 2}},
      {10, 0, {1, 1, 1, 1, 1, 1, 1, 1, 1, 1}},
      {12, 3, {1, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1}},
  };
  for (const Case& c : cases) {
    int concurrency = 0;
    int last_stage = 0;
    double rate = 0;
    uint64_t requests = 0;
    int in_flight = 0;
    std::set<uint64_t> seeds;
    for (int i = 0; i < c.count; ++i) {
      const LoadPlan part = SplitPlan(Whole(), c.count, i, c.rotation);
      const Stage& closed = part.stages[0];
      EXPECT_EQ(closed.concurrency, c.closed[static_cast<std::size_t>(i)]) << c.count << "/" << i;
      EXPECT_EQ(closed.kind, closed.concurrency == 0 ? Stage::Kind::kIdle : Stage::Kind::kClosed);
      concurrency += closed.concurrency;
      last_stage += part.stages[3].concurrency;
      rate += part.stages[1].rate;
      EXPECT_EQ(part.stages[2].kind, Stage::Kind::kIdle);
      requests += *part.max_requests;
      in_flight = part.max_in_flight;
      seeds.insert(part.seed);
    }
    EXPECT_EQ(concurrency, 10) << c.count;
    EXPECT_EQ(last_stage, 2) << c.count;
    EXPECT_DOUBLE_EQ(rate, 90.0) << c.count;
    EXPECT_EQ(requests, 1001u) << c.count;
    EXPECT_EQ(in_flight, (100 + c.count - 1) / c.count) << c.count;  // ceil: never drops more
    EXPECT_EQ(seeds.size(), static_cast<std::size_t>(c.count)) << c.count;
  }
}

TEST(SplitPlan, ConstantPartsInterleaveIntoTheWholeGrid) {
  // 3 parts of 30/s with phase 0.5: together, the whole plan's arrivals, one at a time (never
  // three on one instant every 100 ms).
  LoadPlan whole;
  whole.stages = {OpenStage(30, seconds(2))};
  whole.phase = 0.5;
  // Every arrival before 2 s, as the engine asks for them.
  const auto arrivals = [](Schedule schedule, std::vector<int64_t>& out) {
    for (auto t = schedule.NextArrival(std::chrono::nanoseconds(0)); t && *t < seconds(2);
         t = schedule.NextArrival(*t)) {
      out.push_back(t->count());
    }
  };
  std::vector<int64_t> together;
  for (int i = 0; i < 3; ++i) arrivals(Schedule(SplitPlan(whole, 3, i)), together);
  std::sort(together.begin(), together.end());
  std::vector<int64_t> want;
  arrivals(Schedule(whole), want);
  ASSERT_EQ(want.size(), 60u);
  ASSERT_EQ(together.size(), want.size());
  for (std::size_t k = 0; k < want.size(); ++k) {
    EXPECT_NEAR(static_cast<double>(together[k]), static_cast<double>(want[k]), 1.0) << k;
  }
}

TEST(SplitPlan, PhaseOfSpreadsNeighbouringSeedsOverThePeriod) {
  // Seeds 0..999 (as FNV-1a of similar names would not be, but the worst case): their phases
  // fill the ten tenths of [0, 1) about evenly.
  std::vector<int> tenths(10, 0);
  for (uint64_t seed = 0; seed < 1000; ++seed) {
    const double phase = PhaseOf(seed);
    ASSERT_GE(phase, 0.0);
    ASSERT_LT(phase, 1.0);
    ++tenths[static_cast<std::size_t>(phase * 10)];
  }
  for (int n : tenths) {
    EXPECT_GT(n, 60);
    EXPECT_LT(n, 140);
  }
  EXPECT_EQ(PhaseOf(42), PhaseOf(42));
}

TEST(SplitPlan, SeedsAreDistinctAndMixedAcrossNearbyPlanSeeds) {
  std::set<uint64_t> seeds;
  for (uint64_t seed = 1; seed <= 64; ++seed) {
    LoadPlan plan = Whole();
    plan.seed = seed;
    for (int i = 0; i < 16; ++i) {
      const uint64_t s = SplitPlan(plan, 16, i).seed;
      seeds.insert(s);
      EXPECT_GT(s >> 32, 0u) << "the high half carries entropy too";
    }
  }
  EXPECT_EQ(seeds.size(), 64u * 16u);
  // Same inputs, same seed.
  EXPECT_EQ(SplitPlan(Whole(), 4, 2).seed, SplitPlan(Whole(), 4, 2).seed);
}

}  // namespace
}  // namespace loadgen
