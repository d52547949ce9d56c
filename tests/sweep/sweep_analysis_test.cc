// Unit tests of the sweep analysis on synthetic measurements, with figures worked by hand.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <vector>

#include "sweep/analysis.h"

namespace infercost {
namespace {

using loadgen::Interval;
using loadgen::Outcome;

constexpr int64_t kMs = 1'000'000;

// `ok` successful requests of `latency_ns` each, plus `failed` of the given outcome.
Interval MakeInterval(uint64_t ok, int64_t latency_ns, uint64_t failed = 0,
                      Outcome failure = Outcome::kHttp5xx) {
  Interval interval;
  interval.requests[static_cast<std::size_t>(Outcome::kOk)] = ok;
  interval.requests[static_cast<std::size_t>(failure)] += failed;
  if (ok > 0) interval.ok_latency.RecordN(latency_ns, ok);
  if (ok + failed > 0) interval.latency.RecordN(latency_ns, ok + failed);
  // Billed as the billability table says for each class (a plain 429: the endpoint's throttle).
  interval.by_billing_class[0].requests = ok;
  interval
      .by_billing_class[static_cast<std::size_t>(
          loadgen::BillingClassOf(failure, 0, loadgen::AwsError::kNone, false))]
      .requests += failed;
  return interval;
}

ResolvedPricing Resolved(const PricingSpec& spec) {
  const ResolveResult resolved = Resolve(spec, BuiltinCatalog());
  EXPECT_TRUE(resolved.pricing.has_value()) << resolved.error;
  return resolved.pricing.value_or(ResolvedPricing{});
}

ResolvedPricing Hourly(double usd_per_hour) {
  PricingSpec spec;
  spec.model = PricingModel::kHourly;
  spec.usd_per_hour = usd_per_hour;
  return Resolved(spec);
}

ResolvedPricing PerRequest(double usd_per_request) {
  PricingSpec spec;
  spec.model = PricingModel::kPerRequest;
  spec.usd_per_request = usd_per_request;
  return Resolved(spec);
}

// A StepResult as the analysis would produce it, for the functions that only read figures.
StepResult Step(double offered, double ips, double p95_s = 0.1, double error_ratio = 0) {
  StepResult step;
  step.offered = offered;
  step.seconds = 60;
  step.ips = {ips, ips, ips};
  step.p95_s = {p95_s, p95_s, p95_s};
  step.ok = static_cast<uint64_t>(ips * 60);
  step.requests =
      static_cast<uint64_t>(std::llround(static_cast<double>(step.ok) / (1.0 - error_ratio)));
  step.by_outcome[0] = step.ok;
  step.by_outcome[static_cast<std::size_t>(Outcome::kHttp5xx)] = step.requests - step.ok;
  step.billable = step.requests;
  step.gateway_requests = step.requests;
  step.error_ratio = error_ratio;
  step.healthy = error_ratio <= 0.01 && ips > 0;
  step.within_slo = step.healthy;
  return step;
}

TargetSweep Target(const std::string& name, ResolvedPricing pricing, std::vector<StepResult> steps,
                   SweepCriteria criteria = {}) {
  TargetSweep target;
  target.name = name;
  target.pricing = std::move(pricing);
  target.serverless = IsServerless(target.pricing);
  target.steps = std::move(steps);
  for (StepResult& step : target.steps) {
    step.within_slo =
        step.healthy && (!criteria.slo_p95_s || step.p95_s.value <= *criteria.slo_p95_s);
    if (step.healthy) target.capacity_ips = std::max(target.capacity_ips, step.ips.value);
  }
  target.knee = FindKnee(target.steps, criteria);
  target.best = BestWithinSlo(target.steps);
  return target;
}

TEST(SummarizeStep, CountsRatesAndLittlesLaw) {
  // Ten 1 s windows, each with 10 successes at 100 ms and 1 server error at 100 ms.
  StepInput input;
  input.offered = 2;
  for (int i = 0; i < 10; ++i) input.windows.push_back({1.0, MakeInterval(10, 100 * kMs, 1)});
  SummaryOptions options;
  options.criteria.max_error_ratio = 0.10;
  const StepResult step = SummarizeStep(input, Hourly(3.6), 0, options, 1);
  EXPECT_EQ(step.requests, 110u);
  EXPECT_EQ(step.ok, 100u);
  EXPECT_DOUBLE_EQ(step.seconds, 10.0);
  EXPECT_NEAR(step.error_ratio, 10.0 / 110.0, 1e-12);
  EXPECT_DOUBLE_EQ(step.ips.value, 10.0);
  // Identical windows: the bootstrap interval collapses onto the value.
  EXPECT_DOUBLE_EQ(step.ips.low, 10.0);
  EXPECT_DOUBLE_EQ(step.ips.high, 10.0);
  EXPECT_NEAR(step.p95_s.value, 0.100, 0.001);
  // Little's law: 11 finished requests per second, each held for 100 ms.
  EXPECT_NEAR(step.effective_concurrency, 1.1, 1e-9);
  // $3.60/h over 10 IPS: 3.6 / (10 × 3600) × 1e6 = $100 per 1M (the seed's formula 1).
  ASSERT_TRUE(step.usd_per_million.has_value());
  EXPECT_NEAR(step.usd_per_million->value, 100.0, 1e-9);
  EXPECT_NEAR(step.spend_usd, 0.01, 1e-12);  // 10 s of $3.60/h
  EXPECT_TRUE(step.healthy);
  EXPECT_EQ(step.by_outcome[static_cast<std::size_t>(Outcome::kHttp5xx)], 10u);
}

TEST(SummarizeStep, TimeScaleStretchesTimesNotCounts) {
  // At time scale 100, a 0.1 s wall window stands for 10 s and 2 ms latencies for 200 ms.
  StepInput input;
  input.offered = 1;
  for (int i = 0; i < 4; ++i) input.windows.push_back({10.0, MakeInterval(50, 2 * kMs)});
  SummaryOptions options;
  options.time_scale = 100;
  const StepResult step = SummarizeStep(input, Hourly(1), 0, options, 1);
  EXPECT_DOUBLE_EQ(step.ips.value, 5.0);
  EXPECT_NEAR(step.p50_s, 0.200, 0.002);
  EXPECT_NEAR(step.mean_latency_s, 0.200, 1e-9);
  EXPECT_NEAR(step.effective_concurrency, 1.0, 1e-9);
}

TEST(SummarizeStep, BootstrapIsSeededAndBracketsTheValue) {
  StepInput input;
  input.offered = 4;
  for (int i = 0; i < 10; ++i) {
    input.windows.push_back({1.0, MakeInterval(20 + 4 * i, (50 + 10 * i) * kMs)});
  }
  SummaryOptions options;
  options.seed = 7;
  const StepResult a = SummarizeStep(input, Hourly(1), 0, options, 3);
  const StepResult b = SummarizeStep(input, Hourly(1), 0, options, 3);
  EXPECT_DOUBLE_EQ(a.ips.value, 38.0);  // 380 successes over 10 s
  EXPECT_LT(a.ips.low, a.ips.value);
  EXPECT_GT(a.ips.high, a.ips.value);
  EXPECT_DOUBLE_EQ(a.ips.low, b.ips.low);
  EXPECT_DOUBLE_EQ(a.p95_s.high, b.p95_s.high);
  EXPECT_LE(a.p95_s.low, a.p95_s.value);
  EXPECT_GE(a.p95_s.high, a.p95_s.value);
  ASSERT_TRUE(a.usd_per_million.has_value());
  // Cost per inference falls as IPS rises: the interval of $/1M mirrors that of IPS.
  EXPECT_NEAR(a.usd_per_million->low, 1.0 / (a.ips.high * 3600) * 1e6, 1e-6);
}

TEST(SummarizeStep, ErrorsAboveTheLimitMakeAStepUnhealthy) {
  StepInput input;
  input.offered = 64;
  for (int i = 0; i < 5; ++i) {
    input.windows.push_back({1.0, MakeInterval(90, 10 * kMs, 10, Outcome::kThrottled)});
  }
  const StepResult step = SummarizeStep(input, Hourly(1), 0, SummaryOptions{}, 1);
  EXPECT_FALSE(step.healthy);
  EXPECT_FALSE(step.within_slo);
  const StopDecision stop = ShouldStop({step}, SweepCriteria{}, 3);
  EXPECT_EQ(stop.reason, StopReason::kErrors);
  EXPECT_NE(stop.detail.find("throttled 50"), std::string::npos) << stop.detail;
}

TEST(ShouldStop, PlateauAfterTwoFlatSteps) {
  SweepCriteria criteria;
  // Two workers: throughput doubles from C=1 to C=2, then stays put.
  std::vector<StepResult> steps = {Step(1, 10), Step(2, 20)};
  EXPECT_EQ(ShouldStop(steps, criteria, 5).reason, StopReason::kNone);
  steps.push_back(Step(4, 20.5));  // +2.5 %: flat
  EXPECT_EQ(ShouldStop(steps, criteria, 4).reason, StopReason::kNone);
  steps.push_back(Step(8, 19.8));  // below the best: flat
  EXPECT_EQ(ShouldStop(steps, criteria, 3).reason, StopReason::kPlateau);
  const std::optional<std::size_t> knee = FindKnee(steps, criteria);
  ASSERT_TRUE(knee.has_value());
  EXPECT_EQ(*knee, 1u);  // C=2: the parallelism of the target
}

TEST(ShouldStop, GrowthOverTheBestSoFarResetsTheCount) {
  SweepCriteria criteria;
  std::vector<StepResult> steps = {Step(1, 10), Step(2, 10.2), Step(4, 15), Step(8, 15.3)};
  EXPECT_EQ(ShouldStop(steps, criteria, 3).reason, StopReason::kNone);
  EXPECT_EQ(*FindKnee(steps, criteria), 2u);  // the last step is flat: saturated at C=4
}

TEST(ShouldStop, SloBreakAndCompletion) {
  SweepCriteria criteria;
  criteria.slo_p95_s = 0.5;
  std::vector<StepResult> steps = {Step(1, 2, 0.2), Step(2, 4, 0.3), Step(4, 8, 0.7)};
  const StopDecision stop = ShouldStop(steps, criteria, 2);
  EXPECT_EQ(stop.reason, StopReason::kSlo);
  EXPECT_EQ(stop.detail, "p95 700 ms above the objective of 500 ms");
  std::vector<StepResult> growing = {Step(1, 2), Step(2, 4), Step(4, 8)};
  EXPECT_EQ(ShouldStop(growing, SweepCriteria{}, 0).reason, StopReason::kCompleted);
  EXPECT_FALSE(FindKnee(growing, SweepCriteria{}).has_value());
}

TEST(BestWithinSlo, HighestQualifyingThroughput) {
  SweepCriteria criteria;
  criteria.slo_p95_s = 0.25;
  TargetSweep target =
      Target("t", Hourly(1), {Step(1, 5, 0.1), Step(2, 9, 0.2), Step(4, 12, 0.3), Step(8, 12, 0.6)},
             criteria);
  ASSERT_TRUE(target.best.has_value());
  EXPECT_EQ(*target.best, 1u);
  ASSERT_TRUE(target.knee.has_value());
  EXPECT_EQ(*target.knee, 2u);
}

// t3.medium's list price, for hand-worked monthly figures: $0.0416/h × 730 h = $30.368.
constexpr double kT3PerHour = 0.0416;
constexpr double kT3Monthly = kT3PerHour * 730;

TEST(CostAtTraffic, InstancesSizedForThePeakLambdaPaidOnTheAverage) {
  TargetSweep instance = Target("t3", Hourly(kT3PerHour), {Step(1, 5), Step(2, 10), Step(4, 10)});
  TargetSweep lambda = Target("fn", PerRequest(10e-6), {Step(1, 2), Step(2, 4), Step(4, 8)});
  const TrafficProfile traffic{20, 5};

  const OptionCost fleet = CostAtTraffic(instance, traffic);
  ASSERT_TRUE(fleet.feasible);
  EXPECT_EQ(fleet.units, 2);  // 20 req/s peak at 10 IPS each
  EXPECT_NEAR(fleet.monthly_usd, 2 * kT3Monthly, 1e-6);
  // 5 req/s over the month: 5 × 730 × 3600 = 13.14M inferences.
  EXPECT_NEAR(fleet.usd_per_million, 2 * kT3Monthly / 13.14, 1e-6);

  const OptionCost serverless = CostAtTraffic(lambda, traffic);
  ASSERT_TRUE(serverless.feasible);
  EXPECT_EQ(serverless.units, 0);
  EXPECT_NEAR(serverless.monthly_usd, 13.14e6 * 10e-6, 1e-6);  // $131.40
}

// The line items in the monthly figure, by hand: 2 units of t3 ($0.0416/h) behind one ALB with
// 100 KB (102,400 B) per request, 1 public IPv4 address and 8 GB of gp3 per unit, 5 req/s on
// average (13.14M requests a month):
//   instances 2 x 0.0416 x 730 = $60.736; ALB hours 0.0225 x 730 = $16.425 (one ALB for both)
//   LCUs 13,140,000 x 102,400 / 2^30 GB x $0.008 = $10.025024414
//   IPv4 2 x 0.005 x 730 = $7.30; EBS 2 x 8 GB x $0.08 = $1.28; total $95.766024414
TEST(CostAtTraffic, LineItemsInTheMonthlyFigure) {
  PricingSpec spec;
  spec.model = PricingModel::kHourly;
  spec.usd_per_hour = kT3PerHour;
  spec.load_balancer = LoadBalancerSpec{LoadBalancerType::kAlb, 102400};
  spec.public_ipv4 = 1;
  spec.ebs_gb = 8;
  spec.ebs_type = "gp3";
  const TargetSweep instance = Target("t3", Resolved(spec), {Step(1, 5), Step(2, 10), Step(4, 10)});
  const OptionCost fleet = CostAtTraffic(instance, TrafficProfile{20, 5});
  ASSERT_TRUE(fleet.feasible);
  EXPECT_EQ(fleet.units, 2);
  EXPECT_NEAR(fleet.monthly_usd, 95.766024414, 1e-6);
}

TEST(CostAtTraffic, ServerlessLimitAndSloRuleTargetsOut) {
  // Throttling above C=4: the limit is known, and 20 req/s peak is beyond it.
  TargetSweep limited =
      Target("fn", PerRequest(1e-6), {Step(1, 2), Step(2, 4), Step(4, 8), Step(8, 8.1, 0.1, 0.2)});
  const OptionCost option = CostAtTraffic(limited, TrafficProfile{20, 20});
  EXPECT_FALSE(option.feasible);
  EXPECT_NE(option.why_not.find("concurrency limit"), std::string::npos) << option.why_not;

  SweepCriteria tight;
  tight.slo_p95_s = 0.05;
  TargetSweep slow = Target("fn", PerRequest(1e-6), {Step(1, 2, 0.2), Step(2, 4, 0.2)}, tight);
  EXPECT_FALSE(CostAtTraffic(slow, TrafficProfile{1, 1}).feasible);
}

TEST(FindBreakEven, FirstCrossingOfAFlatInstancePrice) {
  TargetSweep instance = Target("t3", Hourly(kT3PerHour), {Step(1, 5), Step(2, 10), Step(4, 10)});
  // $10 per 1M requests: 26.28 $/month per req/s of traffic.
  TargetSweep lambda = Target("fn", PerRequest(10e-6), {Step(1, 2), Step(2, 4)});
  const BreakEven flat = FindBreakEven(instance, lambda, 1.0);
  ASSERT_TRUE(flat.rps.has_value());
  EXPECT_NEAR(*flat.rps, kT3Monthly / 26.28, 1e-6);  // 1.1556 req/s
  ASSERT_TRUE(flat.always_above_rps.has_value());
  EXPECT_NEAR(*flat.always_above_rps, *flat.rps, 1e-6);
  // A peak four times the average: the one instance covers up to 2.5 req/s average, and the
  // crossing (at 1.16) lies inside it, so the break-even does not move.
  EXPECT_NEAR(*FindBreakEven(instance, lambda, 4.0).rps, kT3Monthly / 26.28, 1e-6);
}

TEST(FindBreakEven, PerRequestPricingWinsBackAfterEachStepUntilItDoesNot) {
  TargetSweep instance = Target("t3", Hourly(kT3PerHour), {Step(1, 5), Step(2, 10), Step(4, 10)});
  // $1.50 per 1M: 3.942 $/month per req/s, just above the instance's $1.16 per 1M at capacity.
  TargetSweep lambda = Target("fn", PerRequest(1.5e-6), {Step(1, 2), Step(2, 4)});
  const BreakEven result = FindBreakEven(instance, lambda, 1.0);
  ASSERT_TRUE(result.rps.has_value());
  EXPECT_NEAR(*result.rps, kT3Monthly / 3.942, 1e-6);  // 7.70 req/s
  // Segment of 4 instances (30-40 req/s): 4 × 30.368 = 121.472 = 3.942 × T at T = 30.815; from
  // 40 req/s on, five instances (151.84) already undercut 157.68.
  ASSERT_TRUE(result.always_above_rps.has_value());
  EXPECT_NEAR(*result.always_above_rps, 4 * kT3Monthly / 3.942, 1e-6);
}

TEST(FindBreakEven, CheaperServerlessNeverBreaksEven) {
  TargetSweep instance = Target("t3", Hourly(kT3PerHour), {Step(1, 5), Step(2, 10), Step(4, 10)});
  TargetSweep lambda = Target("fn", PerRequest(0.5e-6), {Step(1, 2), Step(2, 4)});
  const BreakEven result = FindBreakEven(instance, lambda, 1.0, 200);
  EXPECT_FALSE(result.rps.has_value());
  EXPECT_FALSE(result.always_above_rps.has_value());
}

TEST(Recommend, ChangesFromServerlessToInstanceAcrossTheBreakEven) {
  std::vector<TargetSweep> targets = {
      Target("t3", Hourly(kT3PerHour), {Step(1, 5), Step(2, 10), Step(4, 10)}),
      Target("fn", PerRequest(10e-6), {Step(1, 2), Step(2, 4), Step(4, 8)})};
  const Recommendation low = Recommend(targets, TrafficProfile{0.5, 0.5}, 0.5);
  ASSERT_TRUE(low.cheapest.has_value());
  EXPECT_EQ(low.options[*low.cheapest].target, "fn");
  EXPECT_EQ(low.sentence, "For 0.500 req/s at p95 <= 500 ms, use fn at " + FormatUsd(13.14) +
                              "/month (" + FormatUsd(10.0) + " per 1M); 1 x t3 would cost " +
                              FormatUsd(kT3Monthly) +
                              "/month and becomes cheaper above 1.16 req/s.");
  const Recommendation high = Recommend(targets, TrafficProfile{25, 25}, 0.5);
  EXPECT_EQ(high.options[*high.cheapest].target, "t3");
  EXPECT_EQ(high.options[*high.cheapest].units, 3);
  ASSERT_EQ(high.break_evens.size(), 1u);
  EXPECT_NE(high.sentence.find("and is cheaper below 1.16 req/s"), std::string::npos)
      << high.sentence;
}

TEST(Recommend, WithoutTrafficComparesCostAtTheBestPoint) {
  std::vector<TargetSweep> targets = {
      Target("t3", Hourly(kT3PerHour), {Step(1, 5), Step(2, 10), Step(4, 10)}),
      Target("fn", PerRequest(10e-6), {Step(1, 2), Step(2, 4)})};
  targets[0].steps[1].usd_per_million = Estimate{1.1556, 1.1, 1.2};
  targets[1].steps[1].usd_per_million = Estimate{10, 10, 10};
  const Recommendation r = Recommend(targets, std::nullopt, std::nullopt);
  EXPECT_EQ(r.options[*r.cheapest].target, "t3");
  EXPECT_NE(r.sentence.find("At its best point, t3 is the cheapest"), std::string::npos)
      << r.sentence;
}

TEST(Recommend, NothingMeetsTheObjective) {
  SweepCriteria tight;
  tight.slo_p95_s = 0.01;
  std::vector<TargetSweep> targets = {
      Target("fn", PerRequest(10e-6), {Step(1, 2, 0.2), Step(2, 4, 0.2)}, tight)};
  const Recommendation r = Recommend(targets, TrafficProfile{1, 1}, 0.01);
  EXPECT_FALSE(r.cheapest.has_value());
  EXPECT_EQ(r.sentence,
            "No target met p95 <= 10.0 ms without errors at any step: relax the objective or add "
            "capacity.");
}

ResolvedPricing Lambda1024() {
  PricingSpec spec;
  spec.model = PricingModel::kLambda;
  spec.memory_mb = 1024;
  return Resolved(spec);
}

IdleGapInput Gap(double idle_s, uint64_t cold, uint64_t warm) {
  IdleGapInput gap;
  gap.idle_seconds = idle_s;
  gap.burst_concurrency = 8;
  gap.cold = MakeInterval(cold, 2200 * kMs);
  gap.cold.cold_starts = cold;
  gap.cold.by_billing_class[0].billed_ms = cold * 2200;
  gap.cold.by_billing_class[0].billed_by_aws = cold;
  gap.cold.billed_from_header = cold;
  gap.warm = MakeInterval(warm, 200 * kMs);
  gap.warm.by_billing_class[0].billed_ms = warm * 200;
  gap.warm.by_billing_class[0].billed_by_aws = warm;
  gap.warm.billed_from_header = warm;
  return gap;
}

TEST(AnalyzeColdStarts, BracketsTheIdleTimeoutAndPricesTheColdStarts) {
  TargetSweep lambda = Target("fn", Lambda1024(), {Step(1, 5, 0.2)});
  const std::vector<IdleGapInput> gaps = {Gap(900, 8, 8), Gap(60, 0, 16), Gap(300, 0, 16)};
  const ColdStartAnalysis analysis =
      AnalyzeColdStarts(lambda, BuiltinCatalog(), gaps, std::nullopt, 1.0);
  ASSERT_EQ(analysis.gaps.size(), 3u);
  EXPECT_DOUBLE_EQ(analysis.gaps[0].idle_seconds, 60);
  EXPECT_DOUBLE_EQ(analysis.gaps[0].probability, 0);
  EXPECT_DOUBLE_EQ(analysis.gaps[2].probability, 1);
  EXPECT_EQ(analysis.gaps[2].cold_starts, 8u);
  EXPECT_NEAR(analysis.gaps[2].cold_p95_s, 2.2, 0.022);
  EXPECT_EQ(*analysis.timeout_above_s, 300);
  EXPECT_EQ(*analysis.timeout_below_s, 900);
  EXPECT_EQ(analysis.cold.count, 8u);
  EXPECT_EQ(analysis.warm.count, 40u);
  EXPECT_NEAR(analysis.warm.p95_s, 0.2, 0.002);
  // 2 s more billed at 1 GB and $0.0000166667 per GB-s.
  EXPECT_NEAR(analysis.cold_extra_usd, 2.0 * 0.0000166667, 1e-10);
  // Bursts: 48 requests × $0.20/1M plus (40 × 0.2 s + 8 × 2.2 s) × 1 GB at the duration price;
  // cold starts added 8 × 2 s of it.
  const double spend = 48 * 0.2e-6 + (40 * 0.2 + 8 * 2.2) * 0.0000166667;
  EXPECT_NEAR(analysis.cold_cost_share, 16 * 0.0000166667 / spend, 1e-6);
  // No traffic figure: keep the burst's 8 instances warm, 8 GB × $0.0000041667/GB-s × 730 h.
  EXPECT_EQ(analysis.provisioned_concurrency, 8);
  EXPECT_NEAR(analysis.provisioned_monthly_usd, 8 * 0.0000041667 * 3600 * 730, 0.01);
}

// The dashed "warm p95" line sat above bursts that had no cold start: it pooled the warm
// requests of cold bursts, which queue behind the cold instances. The reference is now the
// bursts that met no cold instance.
TEST(AnalyzeColdStarts, WarmReferenceComesFromBurstsWithNoColdStart) {
  TargetSweep lambda = Target("fn", Lambda1024(), {Step(1, 5, 0.2)});
  IdleGapInput cold_burst = Gap(900, 8, 8);
  cold_burst.warm = MakeInterval(8, 1500 * kMs);  // warm requests queued behind cold starts
  const ColdStartAnalysis analysis = AnalyzeColdStarts(
      lambda, BuiltinCatalog(), {Gap(60, 0, 16), Gap(300, 0, 16), cold_burst}, std::nullopt, 1.0);
  EXPECT_TRUE(analysis.warm_reference_clean);
  EXPECT_EQ(analysis.warm_reference.count, 32u);
  EXPECT_NEAR(analysis.warm_reference.p95_s, 0.2, 0.002);
  for (const IdleGapResult& gap : analysis.gaps) {
    if (gap.cold_starts == 0) {
      EXPECT_LE(analysis.warm_reference.p95_s, gap.p95_s * 1.01);
    }
  }
  EXPECT_GT(analysis.warm.p95_s, 1.0);  // the pooled warm requests, still reported as such
  // Every burst cold: the warm requests are all there is, and the report says which it used.
  const ColdStartAnalysis all_cold =
      AnalyzeColdStarts(lambda, BuiltinCatalog(), {cold_burst}, std::nullopt, 1.0);
  EXPECT_FALSE(all_cold.warm_reference_clean);
  EXPECT_EQ(all_cold.warm_reference.count, 8u);
}

TEST(AnalyzeColdStarts, ProvisionedConcurrencyFollowsLittlesLaw) {
  TargetSweep lambda = Target("fn", Lambda1024(), {Step(1, 5, 0.2)});
  const ColdStartAnalysis analysis = AnalyzeColdStarts(
      lambda, BuiltinCatalog(), {Gap(60, 0, 16), Gap(900, 8, 8)}, TrafficProfile{30, 10}, 1.0);
  // 30 req/s at the peak, each holding an instance for 200 ms: 6 instances.
  EXPECT_EQ(analysis.provisioned_concurrency, 6);
}

TEST(Format, NumbersAndDurations) {
  EXPECT_EQ(FormatNumber(1.15556), "1.16");
  EXPECT_EQ(FormatNumber(0.5), "0.500");
  EXPECT_EQ(FormatNumber(123.4), "123");
  EXPECT_EQ(FormatNumber(12345.6), "12,346");
  EXPECT_EQ(FormatMs(0.631), "631 ms");
  EXPECT_EQ(FormatMs(0.0123), "12.3 ms");
  EXPECT_EQ(FormatMs(29), "29.0 s");
  EXPECT_EQ(FormatMs(1), "1.00 s");
  EXPECT_EQ(FormatPrice(0.0416), "$0.0416");
  EXPECT_EQ(FormatPrice(0.526), "$0.526");
  EXPECT_EQ(FormatPrice(0.0000097222), "$0.0000097222");
  EXPECT_EQ(FormatPrice(3.5), "$3.5");
  EXPECT_EQ(FormatOffered(LoadAxis::kConcurrency, 16), "C=16");
  EXPECT_EQ(FormatOffered(LoadAxis::kRate, 2.5), "2.50 req/s");
  EXPECT_EQ(FormatOffered(LoadAxis::kRate, 20), "20 req/s");
}

}  // namespace
}  // namespace infercost
