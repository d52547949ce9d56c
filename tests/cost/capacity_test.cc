// CapacityTracker, billed-duration rounding, FormatUsd and the enum spellings.
#include "cost/capacity.h"

#include <gtest/gtest.h>

#include <chrono>
#include <cmath>
#include <optional>
#include <string>

#include "cost/cost.h"
#include "cost_test_util.h"

namespace infercost {
namespace {

using Seconds = CapacityTracker::Seconds;
using namespace std::chrono_literals;

TEST(CapacityTracker, AbsentUntilAHealthyWindow) {
  CapacityTracker t;
  EXPECT_FALSE(t.has_value());
  EXPECT_EQ(t.ips(), 0);
  EXPECT_FALSE(t.Observe(50, 0.2, Seconds(0.1), std::nullopt));  // 20 % errors
  EXPECT_FALSE(t.has_value());
  EXPECT_TRUE(t.Observe(40, 0.0, Seconds(0.1), std::nullopt));
  EXPECT_TRUE(t.has_value());
  EXPECT_EQ(t.ips(), 40);
}

TEST(CapacityTracker, MedianOfTheTopThreeHealthyWindows) {
  CapacityTracker t;
  t.Observe(5, 0, std::nullopt, std::nullopt);
  EXPECT_EQ(t.ips(), 5);  // the one counted window
  t.Observe(8, 0.005, std::nullopt, std::nullopt);
  EXPECT_EQ(t.ips(), 5);  // the lower of two: one lucky window cannot set it
  t.Observe(6, 0, std::nullopt, std::nullopt);
  t.Observe(12, 0.5, std::nullopt, std::nullopt);  // faster but failing: not capacity
  EXPECT_EQ(t.ips(), 6);                           // top three 8, 6, 5: median 6
  t.Observe(30, 0, std::nullopt, std::nullopt);    // one lucky window: 30, 8, 6 -> 8
  EXPECT_EQ(t.ips(), 8);
  EXPECT_EQ(t.windows_counted(), 4u);
  EXPECT_EQ(t.windows_rejected(), 1u);
  EXPECT_EQ(t.Method(), "median of the top 3 of 4 counted windows");
}

CapacityWindow Open(double ips, double rate, uint64_t dropped = 0, bool kept_up = true) {
  CapacityWindow w;
  w.ips = ips;
  w.generator_kept_up = kept_up;
  w.dropped = dropped;
  w.offered = {OfferedLoad::Kind::kOpen, rate};
  return w;
}

CapacityWindow Closed(double ips, int concurrency) {
  CapacityWindow w;
  w.ips = ips;
  w.offered = {OfferedLoad::Kind::kClosed, 1.0 * concurrency};
  return w;
}

// The case: catch-up bursts after a stall showed 117.9 IPS for an offered 100/s.
TEST(CapacityTracker, OpenLoopNeverCountsMoreThanItOffers) {
  CapacityTracker t;
  EXPECT_FALSE(t.Observe(Open(117.9, 100)));  // a catch-up burst
  EXPECT_NE(t.last_rejected_reason().find("over the offered"), std::string::npos);
  EXPECT_TRUE(t.Observe(Open(100.6, 100)));  // edge noise: counts at the offered 100
  EXPECT_TRUE(t.Observe(Open(99.2, 100)));
  EXPECT_TRUE(t.Observe(Open(100.2, 100)));
  EXPECT_DOUBLE_EQ(t.ips(), 100);  // top 100, 100, 99.2: median 100
  EXPECT_FALSE(t.Observe(Open(90, 100, /*dropped=*/0, /*kept_up=*/false)));
  EXPECT_FALSE(t.Observe(Open(100, 100, /*dropped=*/3)));
  EXPECT_DOUBLE_EQ(t.ips(), 100);
}

// A burstable instance out of credits serves a third of what it did at the same load: the
// second such window in a row re-learns capacity; a lower offered load is no evidence.
TEST(CapacityTracker, RelearnsDownwardOnASustainedDrop) {
  CapacityTracker t;
  for (double ips : {30.0, 30.3, 29.8}) t.Observe(Closed(ips, 8));
  EXPECT_DOUBLE_EQ(t.ips(), 30);
  EXPECT_TRUE(t.Observe(Closed(10, 2)));   // less load offered: counted, not a drop
  EXPECT_DOUBLE_EQ(t.ips(), 30);           // and under the top three
  EXPECT_FALSE(t.Observe(Closed(10, 8)));  // one window under 80 %: not yet
  EXPECT_DOUBLE_EQ(t.ips(), 30);
  EXPECT_TRUE(t.Observe(Closed(10.1, 8)));  // the second in a row: re-learned
  EXPECT_DOUBLE_EQ(t.ips(), 10);            // the lower of the two drop windows
  EXPECT_EQ(t.relearned_down(), 1u);
  EXPECT_NE(t.Method().find("re-learned downward 1 time"), std::string::npos);
  // Credits earned back: capacity rises with the windows again.
  for (double ips : {29.0, 30.0, 31.0}) t.Observe(Closed(ips, 8));
  EXPECT_DOUBLE_EQ(t.ips(), 30);
  // An open loop past the cap drops arrivals: no count, but evidence of a drop.
  CapacityTracker o;
  for (int i = 0; i < 3; ++i) o.Observe(Open(100, 100));
  EXPECT_FALSE(o.Observe(Open(33.4, 100, 120)));
  EXPECT_TRUE(o.Observe(Open(33.3, 100, 130)));
  EXPECT_DOUBLE_EQ(o.ips(), 33.3);
}

TEST(CapacityTracker, ADropRunIsBrokenByAnyOtherWindow) {
  CapacityTracker t;
  for (int i = 0; i < 3; ++i) t.Observe(Closed(30, 8));
  t.Observe(Closed(10, 8));
  t.Observe(Closed(29, 8));  // back up: the run starts again
  EXPECT_FALSE(t.Observe(Closed(10, 8)));
  EXPECT_DOUBLE_EQ(t.ips(), 30);
}

TEST(CapacityTracker, ErrorRatioMustStayUnderOnePercent) {
  CapacityTracker t;
  EXPECT_FALSE(t.Observe(10, 0.01, std::nullopt, std::nullopt));
  EXPECT_TRUE(t.Observe(10, 0.0099, std::nullopt, std::nullopt));
}

TEST(CapacityTracker, SloOnP95) {
  CapacityTracker t;
  const std::optional<Seconds> slo = Seconds(0.25);
  EXPECT_FALSE(t.Observe(30, 0, Seconds(0.3), slo));
  EXPECT_FALSE(t.Observe(30, 0, std::nullopt, slo));  // no p95 to hold against the SLO
  EXPECT_TRUE(t.Observe(20, 0, Seconds(0.25), slo));  // at the SLO is within it
  EXPECT_EQ(t.ips(), 20);
  // The config's nanosecond SLO converts as is.
  const std::optional<std::chrono::nanoseconds> config_slo = 250ms;
  EXPECT_TRUE(t.Observe(22, 0, Seconds(0.2), config_slo));
  EXPECT_EQ(t.top().front().ips, 22);
  EXPECT_EQ(t.ips(), 20);  // the lower of two
}

TEST(CapacityTracker, IgnoresNonsense) {
  CapacityTracker t;
  EXPECT_FALSE(t.Observe(0, 0, std::nullopt, std::nullopt));
  EXPECT_FALSE(t.Observe(-3, 0, std::nullopt, std::nullopt));
  EXPECT_FALSE(t.Observe(std::nan(""), 0, std::nullopt, std::nullopt));
  EXPECT_FALSE(t.Observe(HUGE_VAL, 0, std::nullopt, std::nullopt));
  EXPECT_FALSE(t.Observe(5, std::nan(""), std::nullopt, std::nullopt));
  EXPECT_FALSE(t.Observe(5, 0, Seconds(std::nan("")), Seconds(1)));
  EXPECT_FALSE(t.has_value());
}

TEST(CapacityTracker, ResetForgets) {
  CapacityTracker t;
  t.Observe(5, 0, std::nullopt, std::nullopt);
  t.Reset();
  EXPECT_FALSE(t.has_value());
}

TEST(CapacityTracker, FeedsTheCapacityBasis) {
  // Two windows of g4dn.xlarge: 100 IPS healthy, then 120 IPS at 5 % errors. Capacity stays
  // 100: 0.526 / (100 x 3600) x 1e6 = 1.461111.
  CapacityTracker t;
  t.Observe(100, 0, Seconds(0.05), Seconds(0.1));
  t.Observe(120, 0.05, Seconds(0.05), Seconds(0.1));
  const Cost cost = ComputeCost(testing::MustResolve(testing::InstanceSpec("g4dn.xlarge")),
                                Usage{.elapsed_seconds = 60,
                                      .ok = 6840,
                                      .requests = 7200,
                                      .billable_requests = 7200,
                                      .gateway_requests = 7200,
                                      .capacity_ips = t.ips()});
  ASSERT_TRUE(cost.capacity_usd_per_million);
  EXPECT_NEAR(*cost.capacity_usd_per_million, 1.461111, 1e-6);
}

TEST(FormatUsd, RoundsOnlyForPresentation) {
  EXPECT_EQ(FormatUsd(10.713688), "$10.71");
  EXPECT_EQ(FormatUsd(10.716688), "$10.72");
  EXPECT_EQ(FormatUsd(0.292222), "$0.29");
  EXPECT_EQ(FormatUsd(1.461111), "$1.46");
  EXPECT_EQ(FormatUsd(1234.567), "$1234.57");
  EXPECT_EQ(FormatUsd(0), "$0.00");
  EXPECT_EQ(FormatUsd(0.01), "$0.01");
  EXPECT_EQ(FormatUsd(0.0042), "$0.0042");
  EXPECT_EQ(FormatUsd(0.005), "$0.0050");
  EXPECT_EQ(FormatUsd(2e-7), "$0.00000020");
  EXPECT_EQ(FormatUsd(-1.5), "-$1.50");
  EXPECT_EQ(FormatUsd(std::nan("")), "n/a");
  EXPECT_EQ(FormatUsd(HUGE_VAL), "n/a");
}

TEST(Names, RoundTrip) {
  for (PricingModel v : {PricingModel::kInstance, PricingModel::kHourly, PricingModel::kLambda,
                         PricingModel::kPerRequest}) {
    EXPECT_EQ(ParsePricingModel(Name(v)), v);
  }
  for (PriceBasis v : {PriceBasis::kOnDemand, PriceBasis::kReserved, PriceBasis::kSpot,
                       PriceBasis::kSavingsPlan}) {
    EXPECT_EQ(ParsePriceBasis(Name(v)), v);
  }
  for (CpuCredits v : {CpuCredits::kUnlimited, CpuCredits::kStandard}) {
    EXPECT_EQ(ParseCpuCredits(Name(v)), v);
  }
  for (ApiGateway v : {ApiGateway::kNone, ApiGateway::kHttp, ApiGateway::kRest}) {
    EXPECT_EQ(ParseApiGateway(Name(v)), v);
  }
  for (Architecture v : {Architecture::kX86_64, Architecture::kArm64}) {
    EXPECT_EQ(ParseArchitecture(Name(v)), v);
  }
}

TEST(Names, SpellingsUsedByConfigAndFlags) {
  EXPECT_EQ(Name(PricingModel::kPerRequest), "per_request");
  EXPECT_EQ(Name(PriceBasis::kOnDemand), "on_demand");
  EXPECT_EQ(Name(PriceBasis::kSavingsPlan), "savings_plan");
  EXPECT_EQ(Name(Architecture::kX86_64), "x86_64");
  EXPECT_EQ(ParseApiGateway("REST"), std::nullopt);
  EXPECT_EQ(ParseArchitecture("amd64"), std::nullopt);
  EXPECT_EQ(ParsePricingModel(""), std::nullopt);
  EXPECT_EQ(ParsePriceBasis("on-demand"), std::nullopt);
  EXPECT_EQ(ParseCpuCredits("Unlimited"), std::nullopt);
}

}  // namespace
}  // namespace infercost
