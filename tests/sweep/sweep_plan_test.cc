// Sweep planning on configs built in memory: targets, objectives, engine threads and the spend
// estimate, worked by hand from the built-in us-east-1 prices (Lambda: $0.20 per 1M requests,
// $0.0000166667 per GB-s).
#include <gtest/gtest.h>

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "sweep/plan.h"

namespace infercost {
namespace {

using namespace std::chrono_literals;

TargetConfig Hourly(const std::string& name, double usd_per_hour) {
  TargetConfig target;
  target.name = name;
  target.pricing.model = PricingModel::kHourly;
  target.pricing.usd_per_hour = usd_per_hour;
  return target;
}

TargetConfig Lambda(const std::string& name, int memory_mb) {
  TargetConfig target;
  target.name = name;
  target.pricing.model = PricingModel::kLambda;
  target.pricing.memory_mb = memory_mb;
  return target;
}

SweepOptions Options(std::vector<double> levels) {
  SweepOptions options;
  options.fleet = "fleet.yaml";
  options.levels = std::move(levels);
  options.step = 30s;
  options.warmup = 30s;
  return options;
}

TEST(PlanSweepTest, RefusesWhatCannotBeSwept) {
  struct Case {
    std::string name;
    Config config;
    std::string error;
  };
  Config unknown_type;
  TargetConfig box;
  box.name = "box";
  box.pricing.model = PricingModel::kInstance;
  box.pricing.instance_type = "p9.huge";
  unknown_type.targets = {box};
  const std::vector<Case> cases = {
      {"no targets", Config{}, "fleet.yaml has no targets to sweep"},
      {"unknown instance type", unknown_type,
       "target box: pricing: unknown instance type 'p9.huge'"},
  };
  for (const Case& c : cases) {
    const SweepPlanResult result = PlanSweep(c.config, Options({1}));
    EXPECT_FALSE(result.sweep.has_value()) << c.name;
    EXPECT_EQ(result.error.rfind(c.error, 0), 0u) << c.name << ": " << result.error;
  }
}

TEST(PlanSweepTest, ObjectiveStatedForAllTargetsOnlyWhenShared) {
  struct Case {
    std::string name;
    std::optional<std::chrono::nanoseconds> slo_a, slo_b;
    std::optional<double> flag_s;
    std::optional<double> want_a, want_b, want_common;
  };
  const std::vector<Case> cases = {
      {"none", std::nullopt, std::nullopt, std::nullopt, std::nullopt, std::nullopt, std::nullopt},
      {"shared", 200ms, 200ms, std::nullopt, 0.2, 0.2, 0.2},
      {"differs", 200ms, 500ms, std::nullopt, 0.2, 0.5, std::nullopt},
      {"one unset", 200ms, std::nullopt, std::nullopt, 0.2, std::nullopt, std::nullopt},
      {"flag wins", 200ms, 500ms, 0.1, 0.1, 0.1, 0.1},
  };
  for (const Case& c : cases) {
    Config config;
    config.targets = {Hourly("a", 1), Hourly("b", 1)};
    config.targets[0].slo_p95 = c.slo_a;
    config.targets[1].slo_p95 = c.slo_b;
    SweepOptions options = Options({1});
    options.slo_p95_s = c.flag_s;
    const SweepPlanResult result = PlanSweep(config, options);
    ASSERT_TRUE(result.sweep.has_value()) << result.error;
    EXPECT_EQ(result.sweep->targets[0].criteria.slo_p95_s, c.want_a) << c.name;
    EXPECT_EQ(result.sweep->targets[1].criteria.slo_p95_s, c.want_b) << c.name;
    EXPECT_EQ(result.sweep->slo_p95_s, c.want_common) << c.name;
  }
}

TEST(PlanSweepTest, EmulatedFleetChargesNothingAndScalesTheColdStartHeuristic) {
  Config config;
  config.threads = 6;
  config.targets = {Lambda("fn", 1024)};
  config.targets[0].spend_limit_usd = 5;
  config.targets[0].request.cold_start.latency_above = 2s;
  config.targets[0].load.max_in_flight = 40;
  SweepOptions options = Options({1, 2});
  options.time_scale = 100;
  options.idle_gaps = {1min, 5min};

  const SweepPlanResult real = PlanSweep(config, options);
  ASSERT_TRUE(real.sweep.has_value()) << real.error;
  EXPECT_EQ(real.sweep->plan.engine_threads, 6);
  EXPECT_EQ(real.sweep->targets[0].spend_limit_usd, 5);
  EXPECT_EQ(real.sweep->targets[0].request.cold_start.latency_above, 2s);
  EXPECT_EQ(real.sweep->targets[0].max_in_flight, 40);
  EXPECT_EQ(real.sweep->plan.idle_gaps, options.idle_gaps);
  EXPECT_TRUE(real.sweep->AnyServerless());

  options.emulated = true;
  const SweepPlanResult emulated = PlanSweep(config, options);
  ASSERT_TRUE(emulated.sweep.has_value()) << emulated.error;
  EXPECT_EQ(emulated.sweep->plan.engine_threads, 2);
  EXPECT_EQ(emulated.sweep->targets[0].spend_limit_usd, std::nullopt);
  EXPECT_EQ(emulated.sweep->targets[0].request.cold_start.latency_above, 20ms);
}

TEST(EstimateSweepSpendTest, MatchesHandWorkedFigures) {
  struct Case {
    std::string name;
    TargetConfig target;
    LoadAxis axis;
    std::vector<double> levels;
    std::vector<std::chrono::nanoseconds> idle_gaps;
    double usd;
  };
  const std::vector<Case> cases = {
      // Two levels of 60 s each: 2 minutes at $3.60/h.
      {"hourly", Hourly("box", 3.6), LoadAxis::kConcurrency, {1, 2}, {}, 0.12},
      // Idle gaps are for serverless targets only.
      {"hourly, gaps ignored", Hourly("box", 3.6), LoadAxis::kConcurrency, {1, 2}, {10min}, 0.12},
      // (1 + 2) clients x 60 s / 0.1 s = 1,800 requests of 100 ms at 1 GB: 180 GB-s.
      {"lambda closed",
       Lambda("fn", 1024),
       LoadAxis::kConcurrency,
       {1, 2},
       {},
       1800 * 0.2e-6 + 180 * 0.0000166667},
      // (1 + 2) req/s x 60 s = 180 requests of 10 s at 1 GB: 1,800 GB-s.
      {"lambda open",
       Lambda("fn", 1024),
       LoadAxis::kRate,
       {1, 2},
       {},
       180 * 0.2e-6 + 1800 * 0.0000166667},
      // One level (600 requests, 60 GB-s); two bursts of 8 clients for 30 s (4,800 requests,
      // 480 GB-s); their 16 first requests cold, 10 s each (160 GB-s).
      {"lambda cold starts",
       Lambda("fn", 1024),
       LoadAxis::kConcurrency,
       {1},
       {10min},
       (600 + 4800 + 16) * 0.2e-6 + (60 + 480 + 160) * 0.0000166667},
  };
  for (const Case& c : cases) {
    Config config;
    config.targets = {c.target};
    SweepOptions options = Options(c.levels);
    options.axis = c.axis;
    options.idle_gaps = c.idle_gaps;
    const SweepPlanResult result = PlanSweep(config, options);
    ASSERT_TRUE(result.sweep.has_value()) << result.error;
    EXPECT_NEAR(result.sweep->SpendUsd(), c.usd, 1e-9) << c.name;
    EXPECT_NEAR(result.sweep->spend_usd.at(0), c.usd, 1e-9) << c.name;
  }
}

TEST(StepSpendWithWarmupTest, TheWarmUpCostsTheSamePerSecond) {
  SweepPlan plan;
  plan.step = 30s;
  plan.warmup = 10s;
  StepResult step;
  step.spend_usd = 0.3;
  EXPECT_DOUBLE_EQ(StepSpendWithWarmupUsd(step, plan), 0.4);
  plan.warmup = 0s;
  EXPECT_DOUBLE_EQ(StepSpendWithWarmupUsd(step, plan), 0.3);
}

TEST(DescribePlanTest, SaysFleetLevelsTimeAndCost) {
  Config config;
  config.targets = {Hourly("a", 3.6), Hourly("b", 1.8)};
  SweepOptions options = Options({1, 2, 4});
  options.time_scale = 10;
  const SweepPlanResult result = PlanSweep(config, options);
  ASSERT_TRUE(result.sweep.has_value()) << result.error;
  EXPECT_EQ(DescribePlan(*result.sweep, options, std::chrono::milliseconds(17'500)),
            "infercost sweep: 2 targets of fleet.yaml\n"
            "  concurrency 1,2,4, 30s per step after 30s warm-up, targets in parallel\n"
            "  time: at most 18s of wall time at time scale 10.0\n"
            "  estimated cost on the real platforms: at most $0.27 (a $0.18, b $0.09)\n");
  options.emulated = true;
  options.parallel = false;
  EXPECT_NE(DescribePlan(*result.sweep, options, 1min).find("; emulated, so nothing is charged"),
            std::string::npos);
}

}  // namespace
}  // namespace infercost
