// Spend estimates of planned load, worked by hand from the built-in us-east-1 prices: Lambda
// $0.20 per 1M requests and $0.0000166667 per GB-s (x86_64), hourly prices as given.
#include "cost/spend.h"

#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <vector>

#include "cost_test_util.h"
#include "loadgen/billed_duration.h"

namespace infercost {
namespace {

using namespace std::chrono_literals;
using testing::HourlySpec;
using testing::InstanceSpec;
using testing::LambdaSpec;
using testing::MustResolve;
using testing::PerRequestSpec;

TEST(PlannedLoadTest, ClosedLoopSendsConcurrencyOverLatencyEachBilledItsLatency) {
  const PlannedLoad closed = ClosedLoopLoad(8, 600, 500ms);
  EXPECT_DOUBLE_EQ(closed.seconds, 600);
  EXPECT_DOUBLE_EQ(closed.requests, 9600);
  EXPECT_EQ(closed.billed_each, 500ms);
  EXPECT_TRUE(closed.requests_from_latency);
  const PlannedLoad open = OpenLoopLoad(5, 60, 10s);
  EXPECT_DOUBLE_EQ(open.requests, 300);
  EXPECT_EQ(open.billed_each, 10s);
  EXPECT_FALSE(open.requests_from_latency);
}

TEST(EstimateSpendTest, MatchesHandWorkedFigures) {
  struct Case {
    std::string name;
    PricingSpec spec;
    PlannedLoad load;
    double time_usd;
    double request_usd;
    bool depends_on_latency;
  };
  const std::vector<Case> cases = {
      // 18,000 requests: $0.0036; 9,000 GB-s: about $0.15.
      {"lambda open loop", LambdaSpec(1024), OpenLoopLoad(10, 1800, 500ms), 0,
       18'000 * 0.2e-6 + 9'000 * 0.0000166667, true},
      // 9,600 requests: $0.00192; 4,800 GB-s: about $0.08.
      {"lambda closed loop", LambdaSpec(1024), ClosedLoopLoad(8, 600, 500ms), 0,
       9'600 * 0.2e-6 + 4'800 * 0.0000166667, true},
      // 1.5 ms billed as 2 ms (loadgen::RoundBilledMs): 1,000 x 2 ms x 1 GB = 2 GB-s.
      {"lambda 1.5 ms", LambdaSpec(1024),
       OpenLoopLoad(10, 100, std::chrono::milliseconds(loadgen::RoundBilledMs(1500us))), 0,
       1000 * 0.2e-6 + 2 * 0.0000166667, true},
      {"hourly closed loop", HourlySpec(1.10), ClosedLoopLoad(4, 3600, 500ms), 1.10, 0, false},
      {"hourly idle", HourlySpec(1.10), PlannedLoad{.seconds = 1800}, 0.55, 0, false},
      {"per request", PerRequestSpec(0.001), OpenLoopLoad(2, 100, 0ms), 0, 0.2, false},
      {"per request closed", PerRequestSpec(0.001), ClosedLoopLoad(1, 100, 1s), 0, 0.1, true},
      {"lambda idle", LambdaSpec(1024), PlannedLoad{.seconds = 3600}, 0, 0, false},
  };
  for (const Case& c : cases) {
    const SpendEstimate spend = EstimateSpend(MustResolve(c.spec), c.load);
    EXPECT_NEAR(spend.time_usd, c.time_usd, 1e-9) << c.name;
    EXPECT_NEAR(spend.request_usd, c.request_usd, 1e-9) << c.name;
    EXPECT_EQ(spend.surplus_max_usd, 0) << c.name;
    EXPECT_EQ(spend.depends_on_latency, c.depends_on_latency) << c.name;
  }
}

TEST(EstimateSpendTest, BurstableUnderLoadBuysSurplusAtFullCpuButNotWhenIdle) {
  const ResolvedPricing pricing = MustResolve(InstanceSpec("t4g.medium"));
  const SpendEstimate loaded = EstimateSpend(pricing, ClosedLoopLoad(4, 3600, 100ms));
  const SpendEstimate idle = EstimateSpend(pricing, PlannedLoad{.seconds = 3600});
  EXPECT_GT(loaded.surplus_max_usd, 0);
  EXPECT_DOUBLE_EQ(loaded.time_usd, idle.time_usd);  // the surplus is apart from the hours
  EXPECT_EQ(idle.surplus_max_usd, 0);
  EXPECT_DOUBLE_EQ(loaded.TotalUsd(), loaded.time_usd + loaded.surplus_max_usd);
}

TEST(EstimateSpendTest, AddsUp) {
  SpendEstimate total;
  total += SpendEstimate{.time_usd = 1, .request_usd = 2, .surplus_max_usd = 0.5};
  total += SpendEstimate{.time_usd = 0.25, .depends_on_latency = true};
  EXPECT_DOUBLE_EQ(total.time_usd, 1.25);
  EXPECT_DOUBLE_EQ(total.request_usd, 2);
  EXPECT_DOUBLE_EQ(total.TotalUsd(), 3.75);
  EXPECT_TRUE(total.depends_on_latency);
}

}  // namespace
}  // namespace infercost
