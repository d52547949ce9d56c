// ComputeCost against figures worked by hand from the built-in us-east-1 prices:
//   g4dn.xlarge $0.526/h; t4g.medium $0.0336/h, 2 vCPU, 20 % baseline, $0.04 per surplus
//   vCPU-hour; t3.medium $0.0416/h, 2 vCPU, 20 %, $0.05; Lambda $0.20 per 1M requests
//   (2e-7 each), $0.0000166667 per GB-s (x86_64), $0.0000133334 (arm64), provisioned
//   concurrency $0.0000041667 per GB-s configured and $0.0000097222 per GB-s of duration
//   (x86_64); API Gateway REST $3.50 and HTTP $1.00 per 1M requests; SageMaker real-time
//   ml.g4dn.xlarge $0.7364/h, ml.m5.large $0.115/h; SageMaker Serverless $0.00002 per GB-s
//   (1024 MB: $0.0000200 per second), data processed $0.016 per GB (2^30 bytes) in and out.
#include "cost/cost.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "cost_test_util.h"

namespace infercost {
namespace {

using testing::HourlySpec;
using testing::InstanceSpec;
using testing::LambdaSpec;
using testing::MustResolve;
using testing::PerRequestSpec;
using testing::SageMakerServerlessSpec;
using testing::SageMakerSpec;

// $/1M figures are compared to 1e-6 dollars: far below a cent, above double rounding noise.
constexpr double kTolerance = 1e-6;

struct CostCase {
  std::string name;
  PricingSpec spec;
  Usage usage;
  std::optional<double> observed_usd_per_million;  // hand-worked; nullopt: must be absent
  std::optional<double> capacity_usd_per_million;
  std::string observed_text;  // FormatUsd of the observed figure; "" to skip
};

// 100 SageMaker Serverless requests in 60 s, each billed 200 ms, each 100 KB (102400 B) in and
// 1 KB (1024 B) out; capacity 10 IPS.
Usage ServerlessWindow(bool billed_estimated) {
  return Usage{.elapsed_seconds = 60,
               .ok = 100,
               .requests = 100,
               .billable_requests = 100,
               .gateway_requests = 100,
               .billed_ms = 100 * 200,
               .billed_estimated = billed_estimated,
               .data_in_bytes = 100 * 102400,
               .data_out_bytes = 100 * 1024,
               .capacity_ips = 10};
}

// A window in which every request succeeds and is billed.
Usage AllOk(double elapsed_seconds, uint64_t ok, double capacity_ips, uint64_t billed_ms = 0) {
  return Usage{.elapsed_seconds = elapsed_seconds,
               .ok = ok,
               .requests = ok,
               .billable_requests = ok,
               .gateway_requests = ok,
               .billed_ms = billed_ms,
               .capacity_ips = capacity_ips};
}

PricingSpec WithGateway(PricingSpec spec, ApiGateway gateway) {
  spec.api_gateway = gateway;
  return spec;
}

std::vector<CostCase> Cases() {
  const Architecture kX86 = Architecture::kX86_64;
  const Architecture kArm = Architecture::kArm64;
  return {
      // The seed's C=8 run: 1024 MB (1 GB), 1.58 IPS, 630.82 ms average (the seed rounds it to
      // 0.631 s); 100 requests of it bill 63082 ms.
      //   requests 100 x 2e-7 = 0.00002; duration 63.082 GB-s x 0.0000166667 = 0.00105136877
      //   (0.00107136877 + nothing by the clock) / 100 x 1e6 = 10.713688 -> $10.71
      // Capacity 1.58 IPS: no time part, so the same per inference: 2e-7 + 0.63082 x 1 x
      // 0.0000166667 = 0.0000107136877 -> 10.713688.
      {"seed_lambda_c8", LambdaSpec(1024), AllOk(100 / 1.58, 100, 1.58, 63082), 10.713688,
       10.713688, "$10.71"},
      // The same at exactly 631 ms billed: 63.1 x 0.0000166667 = 0.00105166877; + 0.00002 ->
      // 10.716688 per 1M, which rounds to $10.72 (the seed's $10.70 rounds its terms first).
      {"seed_lambda_c8_631ms", LambdaSpec(1024), AllOk(100 / 1.58, 100, 1.58, 63100), 10.716688,
       10.716688, "$10.72"},
      // Behind a REST API: + 100 x 0.0000035 = 0.00035 -> 10.713688 + 3.50 = 14.213688.
      {"seed_lambda_c8_rest_api", LambdaSpec(1024, kX86, ApiGateway::kRest),
       AllOk(100 / 1.58, 100, 1.58, 63082), 14.213688, 14.213688, "$14.21"},
      // Behind an HTTP API: + 100 x 0.000001 -> 10.713688 + 1.00 = 11.713688.
      {"seed_lambda_c8_http_api", LambdaSpec(1024, kX86, ApiGateway::kHttp),
       AllOk(100 / 1.58, 100, 1.58, 63082), 11.713688, 11.713688, "$11.71"},
      // arm64, 1024 MB, 100 x 631 ms: 63.1 GB-s x 0.0000133334 = 0.00084133754; + 0.00002
      // = 0.00086133754 / 100 x 1e6 = 8.613375 -> $8.61 (x86_64: $10.72).
      {"lambda_arm64", LambdaSpec(1024, kArm), AllOk(60, 100, 1.58, 63100), 8.613375, 8.613375,
       "$8.61"},
      // g4dn.xlarge at 100 IPS for 60 s: 0.526 x 60/3600 = 0.0087667 / 6000 x 1e6 = 1.461111;
      // formula (1) at capacity 100: 0.526 / (100 x 3600) x 1e6 = 1.461111 -> $1.46.
      {"g4dn_xlarge_100_ips", InstanceSpec("g4dn.xlarge"), AllOk(60, 6000, 100), 1.461111, 1.461111,
       "$1.46"},
      // At 500 IPS: 0.526 / (500 x 3600) x 1e6 = 0.292222 -> $0.29.
      {"g4dn_xlarge_500_ips", InstanceSpec("g4dn.xlarge"), AllOk(60, 30000, 500), 0.292222,
       0.292222, "$0.29"},
      // Two instances at 500 IPS in all: 2 x 0.526 / (500 x 3600) x 1e6 = 0.584444.
      {"g4dn_xlarge_two_instances", InstanceSpec("g4dn.xlarge", 2), AllOk(60, 30000, 500), 0.584444,
       0.584444, "$0.58"},
      // SageMaker real-time, ml.g4dn.xlarge at $0.7364/h (not EC2's $0.526), count 1, 100 IPS:
      //   0.7364 / (100 x 3600) x 1e6 = 0.7364 / 0.36 = 2.045556 -> $2.05; the window's 60 s
      //   cost 0.7364 / 60 = 0.01227333, / 6000 inferences x 1e6 = the same 2.045556.
      {"sagemaker_g4dn_xlarge_100_ips", SageMakerSpec("ml.g4dn.xlarge"), AllOk(60, 6000, 100),
       2.045556, 2.045556, "$2.05"},
      // An endpoint of 2 x ml.m5.large ($0.115/h) at 50 IPS: 0.23 / (50 x 3600) x 1e6 =
      // 0.23 / 0.18 = 1.277778 -> $1.28.
      {"sagemaker_two_m5_large_50_ips", SageMakerSpec("ml.m5.large", 2), AllOk(60, 3000, 50),
       1.277778, 1.277778, "$1.28"},
      // SageMaker Serverless, 2048 MB (2 GB), 200 ms billed, 100 KB in + 1 KB out, per request:
      //   compute 2 GB x 0.2 s = 0.4 GB-s x 0.00002            = 0.000008
      //   data in 102400 / 2^30 GB x 0.016 = 9.5367431640625e-5 x 0.016 = 0.00000152587890625
      //   data out 1024 / 2^30 GB x 0.016 = 9.5367431640625e-7 x 0.016 = 0.0000000152587890625
      //   sum 0.0000095411376953125 x 1e6 = 9.541138 per 1M -> $9.54; no time part, so the
      //   capacity basis (mean duration and data per request) is the same.
      {"sagemaker_serverless_2048mb_200ms", SageMakerServerlessSpec(2048), ServerlessWindow(false),
       9.541138, 9.541138, "$9.54"},
      // 6144 MB (6 GB), same traffic: compute 6 x 0.2 x 0.00002 = 0.000024; + data 0.0000015411
      //   = 0.0000255411376953125 -> 25.541138.
      {"sagemaker_serverless_6144mb_200ms", SageMakerServerlessSpec(6144), ServerlessWindow(false),
       25.541138, 25.541138, "$25.54"},
      // An HTTP API in front of the instance: 1.461111 + 1.00 = 2.461111.
      {"g4dn_xlarge_behind_http_api", WithGateway(InstanceSpec("g4dn.xlarge"), ApiGateway::kHttp),
       AllOk(60, 6000, 100), 2.461111, 2.461111, "$2.46"},
      // t4g.medium at 20 IPS on its list price (standard mode: never a surplus charge):
      // 0.0336 / (20 x 3600) x 1e6 = 0.466667 -> $0.47, on both bases.
      {"t4g_medium_20_ips_standard", InstanceSpec("t4g.medium", 1, CpuCredits::kStandard),
       AllOk(60, 1200, 20), 0.466667, 0.466667, "$0.47"},
      // Unlimited mode at 20 of 100 IPS: utilisation 0.2 = the baseline, no surplus: 0.466667.
      // At capacity it runs flat out: (1 - 0.2) x 2 vCPU x 0.04 = 0.064/h on top of 0.0336/h;
      // 0.0976 / (100 x 3600) x 1e6 = 0.271111.
      {"t4g_medium_20_ips_unlimited_at_baseline", InstanceSpec("t4g.medium"), AllOk(60, 1200, 100),
       0.466667, 0.271111, "$0.47"},
      // Sustained full load, unlimited: utilisation 20/20 = 1, surplus (1 - 0.2) x 2 x 0.04 =
      // 0.064/h, so 0.0976/h: 0.0976 x 60/3600 = 0.00162667 / 1200 x 1e6 = 1.355556 -> $1.36,
      // 2.9x the list-price figure.
      {"t4g_medium_full_load_unlimited", InstanceSpec("t4g.medium"), AllOk(60, 1200, 20), 1.355556,
       1.355556, "$1.36"},
      // Half load (20 of 40 IPS): (0.5 - 0.2) x 2 x 0.04 = 0.024/h; 0.0576 / 72000 x 1e6 = 0.80.
      // Capacity 40 at utilisation 1: 0.0976 / (40 x 3600) x 1e6 = 0.677778.
      {"t4g_medium_half_load_unlimited", InstanceSpec("t4g.medium"), AllOk(60, 1200, 40), 0.80,
       0.677778, "$0.80"},
      // t3.medium flat out: (1 - 0.2) x 2 x 0.05 = 0.08/h + 0.0416 = 0.1216/h;
      // 0.1216 / 72000 x 1e6 = 1.688889.
      {"t3_medium_full_load_unlimited", InstanceSpec("t3.medium"), AllOk(60, 1200, 20), 1.688889,
       1.688889, "$1.69"},
      // Provisioned concurrency 1, 1024 MB, fully used: one environment busy 60 s of 60 s.
      //   time: 1 x 1 GB x 0.0000041667 x 3600 = 0.01500012/h x 60/3600 = 0.000250002
      //   duration: 60 GB-s, all within PC x window = 60 GB-s, x 0.0000097222 = 0.000583332
      //   requests: 100 x 2e-7 = 0.00002
      //   0.000853334 / 100 x 1e6 = 8.53334 (on-demand alone would be 10.20)
      // Capacity 100/60 IPS at 0.6 s mean: busy = 1 environment = PC, all at the PC price:
      //   0.01500012 / 6000 + 2e-7 + 0.6 x 0.0000097222 = 0.00000853334 -> 8.53334.
      {"lambda_provisioned_fully_used", LambdaSpec(1024, kX86, ApiGateway::kNone, 1),
       AllOk(60, 100, 100.0 / 60, 60000), 8.53334, 8.53334, "$8.53"},
      // Half used: 50 requests of 0.6 s in 60 s.
      //   time 0.000250002 (paid whole); duration 30 x 0.0000097222 = 0.000291666;
      //   requests 0.00001; 0.000551668 / 50 x 1e6 = 11.03336 (on-demand alone: 10.20).
      // Capacity 50/60 IPS: 0.01500012 / 3000 + 2e-7 + 0.6 x 0.0000097222 -> 11.03336.
      {"lambda_provisioned_half_used", LambdaSpec(1024, kX86, ApiGateway::kNone, 1),
       AllOk(60, 50, 50.0 / 60, 30000), 11.03336, 11.03336, "$11.03"},
      // Overflow: 150 requests of 0.6 s (90 GB-s) in 60 s with PC 1. PC covers 60 GB-s:
      //   60 x 0.0000097222 + 30 x 0.0000166667 = 0.001083333; time 0.000250002;
      //   requests 0.00003; 0.001363335 / 150 x 1e6 = 9.0889.
      // Capacity 2.5 IPS: busy 1.5 environments, PC covers 2/3 of the duration:
      //   0.01500012 / 9000 + 2e-7 + 0.6 x (2/3 x 0.0000097222 + 1/3 x 0.0000166667) = 9.0889.
      {"lambda_provisioned_overflow", LambdaSpec(1024, kX86, ApiGateway::kNone, 1),
       AllOk(60, 150, 2.5, 90000), 9.0889, 9.0889, "$9.09"},
      // 10 % failures on g4dn.xlarge: 6000 requests, 5400 ok. The hour is paid all the same and
      // spread over successes only: 0.0087667 / 5400 x 1e6 = 1.623457 (vs 1.461111).
      {"g4dn_xlarge_10pct_failures", InstanceSpec("g4dn.xlarge"),
       Usage{.elapsed_seconds = 60,
             .ok = 5400,
             .requests = 6000,
             .billable_requests = 6000,
             .gateway_requests = 6000,
             .capacity_ips = 100},
       1.623457, 1.461111, "$1.62"},
      // 10 % failures on Lambda behind REST, errors inside the function (billed in full):
      // 1000 requests of 100 ms at 1024 MB, 900 ok.
      //   duration 100 GB-s x 0.0000166667 = 0.00166667; Lambda 1000 x 2e-7 = 0.0002;
      //   REST 1000 x 0.0000035 = 0.0035 (larger than the compute); 0.00536667 / 900 x 1e6
      //   = 5.962967. Capacity 10 IPS: 2e-7 + 0.0000035 + 0.1 x 0.0000166667 -> 5.36667.
      {"lambda_rest_10pct_function_errors", LambdaSpec(1024, kX86, ApiGateway::kRest),
       Usage{.elapsed_seconds = 100,
             .ok = 900,
             .requests = 1000,
             .billable_requests = 1000,
             .gateway_requests = 1000,
             .billed_ms = 100000,
             .capacity_ips = 10},
       5.962967, 5.36667, "$5.96"},
      // 10 % Lambda throttles behind REST (API Gateway's 500 with x-amzn-ErrorType: the
      // billability table's invocation_rejected): the gateway bills all 1000, Lambda the 900 it
      // ran.
      //   duration 90 GB-s x 0.0000166667 = 0.001500003; Lambda 900 x 2e-7 = 0.00018;
      //   REST 1000 x 0.0000035 = 0.0035; 0.005180003 / 900 x 1e6 = 5.755559.
      // Capacity (no hourly price): the window's per-request charges per billed request, the
      // same 0.005180003 / 900: the rejected invocations' gateway fees are billed and spread
      // over the billed requests, as a failed invocation's duration is.
      {"lambda_rest_10pct_throttled", LambdaSpec(1024, kX86, ApiGateway::kRest),
       Usage{.elapsed_seconds = 100,
             .ok = 900,
             .requests = 1000,
             .billable_requests = 900,
             .gateway_requests = 1000,
             .billed_ms = 90000,
             .capacity_ips = 10},
       5.755559, 5.755559, "$5.76"},
      // Nothing succeeded: the hour still costs 0.0087667, but no figure per inference exists.
      {"g4dn_xlarge_zero_successes", InstanceSpec("g4dn.xlarge"),
       Usage{.elapsed_seconds = 60,
             .ok = 0,
             .requests = 500,
             .billable_requests = 500,
             .gateway_requests = 500},
       std::nullopt, std::nullopt, ""},
      // per_request at $10 per 1M plus $0.36/h fixed, 1000 requests in 60 s:
      //   time 0.36 x 60/3600 = 0.006; requests 1000 x 0.00001 = 0.01; 0.016 / 1000 x 1e6 = 16.
      //   Capacity 10 IPS: 0.36 / 36000 + 0.00001 = 0.00002 -> 20.
      {"per_request_with_fixed", PerRequestSpec(0.00001, 0.36), AllOk(60, 1000, 10), 16.0, 20.0,
       "$16.00"},
      // hourly $1.10 x 2 + $0.10 fixed = 2.30/h at 20 IPS: 2.30 / 72000 x 1e6 = 31.944444.
      {"hourly_two_plus_fixed", HourlySpec(1.10, 2, 0.10), AllOk(60, 1200, 20), 31.944444,
       31.944444, "$31.94"},
      // Capacity not measured yet: observed 1.461111, capacity absent.
      {"g4dn_xlarge_capacity_unknown", InstanceSpec("g4dn.xlarge"),
       Usage{.elapsed_seconds = 60,
             .ok = 6000,
             .requests = 6000,
             .billable_requests = 6000,
             .gateway_requests = 6000},
       1.461111, std::nullopt, "$1.46"},
  };
}

class ComputeCostTest : public ::testing::TestWithParam<CostCase> {};

TEST_P(ComputeCostTest, MatchesHandWorkedFigures) {
  const CostCase& c = GetParam();
  const Cost cost = ComputeCost(MustResolve(c.spec), c.usage);

  ASSERT_EQ(cost.observed_usd_per_million.has_value(), c.observed_usd_per_million.has_value())
      << cost.observed_absent_reason;
  if (c.observed_usd_per_million) {
    EXPECT_NEAR(*cost.observed_usd_per_million, *c.observed_usd_per_million, kTolerance);
    EXPECT_TRUE(cost.observed_absent_reason.empty());
  } else {
    EXPECT_FALSE(cost.observed_absent_reason.empty());
  }
  ASSERT_EQ(cost.capacity_usd_per_million.has_value(), c.capacity_usd_per_million.has_value())
      << cost.capacity_absent_reason;
  if (c.capacity_usd_per_million) {
    EXPECT_NEAR(*cost.capacity_usd_per_million, *c.capacity_usd_per_million, kTolerance);
  } else {
    EXPECT_FALSE(cost.capacity_absent_reason.empty());
  }
  if (!c.observed_text.empty()) {
    EXPECT_EQ(FormatUsd(*cost.observed_usd_per_million), c.observed_text);
  }
  // The observed figure is the window's spend over its successes, nothing else.
  if (cost.observed_usd_per_million) {
    EXPECT_NEAR(*cost.observed_usd_per_million,
                cost.TotalUsd() / static_cast<double>(c.usage.ok) * 1e6, 1e-9);
  }
}

INSTANTIATE_TEST_SUITE_P(HandWorked, ComputeCostTest, ::testing::ValuesIn(Cases()),
                         [](const ::testing::TestParamInfo<CostCase>& case_info) {
                           return case_info.param.name;
                         });

TEST(ComputeCost, SplitsTimeAndRequestComponents) {
  // Lambda REST with PC 1 over 60 s (the fully-used case above): time is the PC charge only,
  // request is Lambda requests + gateway + duration.
  const ResolvedPricing p =
      MustResolve(LambdaSpec(1024, Architecture::kX86_64, ApiGateway::kRest, 1));
  const Cost cost = ComputeCost(p, Usage{.elapsed_seconds = 60,
                                         .ok = 100,
                                         .requests = 100,
                                         .billable_requests = 100,
                                         .gateway_requests = 100,
                                         .billed_ms = 60000});
  // 0.01500012/h x 60/3600
  EXPECT_NEAR(cost.time_usd, 0.000250002, 1e-12);
  // 100 x 2e-7 + 100 x 0.0000035 + 60 x 0.0000097222
  EXPECT_NEAR(cost.request_usd, 0.00002 + 0.00035 + 0.000583332, 1e-12);
  EXPECT_DOUBLE_EQ(cost.surplus_credit_usd, 0);
}

TEST(ComputeCost, SurplusCreditIsPartOfTimeAndReportsUtilisation) {
  // t4g.medium at 20 of 40 IPS for one hour: surplus (0.5 - 0.2) x 2 x 0.04 = 0.024.
  const Cost cost =
      ComputeCost(MustResolve(InstanceSpec("t4g.medium")), Usage{.elapsed_seconds = 3600,
                                                                 .ok = 72000,
                                                                 .requests = 72000,
                                                                 .billable_requests = 72000,
                                                                 .gateway_requests = 72000,
                                                                 .capacity_ips = 40});
  EXPECT_NEAR(cost.utilisation, 0.5, 1e-12);
  EXPECT_NEAR(cost.surplus_credit_usd, 0.024, 1e-12);
  EXPECT_NEAR(cost.time_usd, 0.0336 + 0.024, 1e-12);
}

TEST(ComputeCost, UtilisationIsClampedToOne) {
  // An unhealthy window can serve more than the healthy capacity: 30 of 20 IPS counts as 1.
  const Cost cost =
      ComputeCost(MustResolve(InstanceSpec("t4g.medium")), Usage{.elapsed_seconds = 3600,
                                                                 .ok = 108000,
                                                                 .requests = 108000,
                                                                 .billable_requests = 108000,
                                                                 .gateway_requests = 108000,
                                                                 .capacity_ips = 20});
  EXPECT_DOUBLE_EQ(cost.utilisation, 1.0);
  EXPECT_NEAR(cost.surplus_credit_usd, 0.064, 1e-12);
}

// The surplus-credit charge at full load, which the capacity basis adds to the hourly price and
// infercost_price_full_load_surplus_usd_per_hour exports for the recording rules.
TEST(FullLoadSurplusUsdPerHour, BurstableUnlimitedOnly) {
  struct Case {
    std::string name;
    PricingSpec spec;
    double usd_per_hour;
  };
  const std::vector<Case> cases = {
      // (1 - 0.2) x 2 vCPU x $0.04 per vCPU-hour
      {"t4g.medium unlimited", InstanceSpec("t4g.medium"), 0.064},
      // (1 - 0.2) x 2 x $0.05
      {"t3.medium unlimited", InstanceSpec("t3.medium"), 0.08},
      // two instances: twice the vCPUs
      {"2 x t3.medium", InstanceSpec("t3.medium", 2), 0.16},
      // standard mode throttles instead of charging
      {"t3.medium standard", InstanceSpec("t3.medium", 1, CpuCredits::kStandard), 0},
      {"g4dn.xlarge", InstanceSpec("g4dn.xlarge"), 0},
      {"lambda", LambdaSpec(1024), 0},
      {"hourly", HourlySpec(1.10), 0},
  };
  for (const Case& c : cases) {
    EXPECT_NEAR(FullLoadSurplusUsdPerHour(MustResolve(c.spec)), c.usd_per_hour, 1e-12) << c.name;
  }
}

TEST(ComputeCost, BurstableWithoutCapacitySaysSurplusIsMissing) {
  const Cost cost =
      ComputeCost(MustResolve(InstanceSpec("t3.medium")), Usage{.elapsed_seconds = 60,
                                                                .ok = 1200,
                                                                .requests = 1200,
                                                                .billable_requests = 1200,
                                                                .gateway_requests = 1200});
  EXPECT_DOUBLE_EQ(cost.surplus_credit_usd, 0);
  ASSERT_EQ(cost.caveats.size(), 1u);
  EXPECT_NE(cost.caveats[0].find("surplus"), std::string::npos);
}

TEST(ComputeCost, EstimatedBilledDurationIsFlagged) {
  Usage usage{.elapsed_seconds = 60,
              .ok = 10,
              .requests = 10,
              .billable_requests = 10,
              .billed_ms = 6310,
              .billed_estimated = true};
  const Cost cost = ComputeCost(MustResolve(LambdaSpec(1024)), usage);
  ASSERT_EQ(cost.caveats.size(), 1u);
  EXPECT_NE(cost.caveats[0].find("upper bound"), std::string::npos);
}

// SageMaker Serverless durations taken from latency (no billed record) are an upper bound, as
// Lambda's are; the data processed is in the request component.
TEST(ComputeCost, SageMakerServerlessFlagsEstimatedDurations) {
  const Cost cost = ComputeCost(MustResolve(SageMakerServerlessSpec(2048)), ServerlessWindow(true));
  ASSERT_EQ(cost.caveats.size(), 1u);
  EXPECT_NE(cost.caveats[0].find("upper bound"), std::string::npos);
  EXPECT_DOUBLE_EQ(cost.time_usd, 0);
  EXPECT_NEAR(cost.request_usd, 100 * 0.0000095411376953125, 1e-15);
}

TEST(ComputeCost, ZeroSuccessesKeepsSpendAndGivesAReason) {
  const Cost cost =
      ComputeCost(MustResolve(LambdaSpec(1024, Architecture::kX86_64, ApiGateway::kRest)),
                  Usage{.elapsed_seconds = 60,
                        .ok = 0,
                        .requests = 10,
                        .billable_requests = 0,
                        .gateway_requests = 10,
                        .capacity_ips = 0});
  // Throttled every time: only the gateway bills, 10 x 0.0000035.
  EXPECT_NEAR(cost.request_usd, 0.000035, 1e-15);
  EXPECT_FALSE(cost.observed_usd_per_million.has_value());
  EXPECT_EQ(cost.observed_absent_reason, "no successful inferences in the window");
  EXPECT_FALSE(cost.capacity_usd_per_million.has_value());
}

TEST(ComputeCost, LambdaCapacityNeedsBilledDurations) {
  const Cost cost = ComputeCost(MustResolve(LambdaSpec(1024)), Usage{.elapsed_seconds = 60,
                                                                     .ok = 0,
                                                                     .requests = 5,
                                                                     .billable_requests = 0,
                                                                     .gateway_requests = 5,
                                                                     .capacity_ips = 2});
  EXPECT_FALSE(cost.capacity_usd_per_million.has_value());
  EXPECT_NE(cost.capacity_absent_reason.find("billed"), std::string::npos);
}

// The capacity basis of a Lambda function with provisioned concurrency below capacity, with
// throttles; deploy/prometheus/tests/recording.test.yml's fn-pc case feeds the same figures to the
// recording rule. Round prices for the arithmetic: request $0.0000002, duration $0.00001/GB-s on
// demand and $0.000005/GB-s with PC, 2 GB, PC 2 at $0.0432/h. Over 60 s: 600 ok + 120 throttled
// (billed nothing), 60 billed seconds (0.1 s each), capacity 40 IPS.
//   Hourly: 0.0432 / (40 x 3600) = $0.0000003 per inference.
//   Request fee: $0.0000002 per billed request (the throttled ones pay none, and are no
//   inference: not diluted over all 720 requests).
//   Duration at capacity: 40 x 0.1 = 4 environments busy, PC covers 2: per request
//   min(0.1, 2 / 40) = 0.05 s at the PC price, 0.05 s on demand:
//   2 x (0.05 x 0.000005 + 0.05 x 0.00001) = $0.0000015.
//   Total $0.000002 = $2.00 per 1M (at the observed load PC covers all: $1.50 would be wrong).
TEST(ComputeCost, CapacityBasisLambdaWithProvisionedConcurrencyBelowCapacity) {
  ResolvedPricing p;
  p.spec = LambdaSpec(2048, Architecture::kArm64, ApiGateway::kNone, 2);
  p.platform = "lambda";
  p.memory_gb = 2;
  p.usd_per_hour = 0.0432;
  p.provisioned_usd_per_hour = 0.0432;
  p.function_usd_per_request = 0.0000002;
  p.usd_per_request = 0.0000002;
  p.usd_per_gb_second = 0.000005;
  p.on_demand_usd_per_gb_second = 0.00001;
  const Cost cost = ComputeCost(p, Usage{.elapsed_seconds = 60,
                                         .ok = 600,
                                         .requests = 720,
                                         .billable_requests = 600,
                                         .gateway_requests = 0,
                                         .billed_ms = 60000,
                                         .capacity_ips = 40});
  ASSERT_TRUE(cost.capacity_usd_per_million.has_value()) << cost.capacity_absent_reason;
  EXPECT_NEAR(*cost.capacity_usd_per_million, 2.00, 1e-9);
  // Observed: time 0.0432 / 60 = $0.00072; request: 60 s x 2 GB x $0.000005 (all covered) +
  // 600 x $0.0000002 = $0.00072; $0.00144 over 600 inferences = $2.40 per 1M.
  ASSERT_TRUE(cost.observed_usd_per_million.has_value());
  EXPECT_NEAR(*cost.observed_usd_per_million, 2.40, 1e-9);
}

// The function's request fee at capacity when the window had throttled requests (Lambda's 429
// behind no gateway: invoke_throttled, billed nothing): per_request at $0.00002, 100 ok and 100
// throttled over 10 s at a 10 IPS capacity. One billed request per inference: $0.00002 = $20 per
// 1M, not the fee spend over every request ($0.002 / 200 = $10 per 1M).
TEST(ComputeCost, CapacityBasisChargesTheRequestFeePerBilledRequestDespiteThrottles) {
  const Cost cost =
      ComputeCost(MustResolve(PerRequestSpec(0.00002)), Usage{.elapsed_seconds = 10,
                                                              .ok = 100,
                                                              .requests = 200,
                                                              .billable_requests = 100,
                                                              .gateway_requests = 0,
                                                              .capacity_ips = 10});
  ASSERT_TRUE(cost.capacity_usd_per_million.has_value());
  EXPECT_NEAR(*cost.capacity_usd_per_million, 20.0, 1e-9);
}

TEST(ComputeCost, NeverProducesNonFiniteNumbers) {
  const double kNaN = std::nan("");
  const double kInf = HUGE_VAL;
  const std::vector<PricingSpec> specs = {
      InstanceSpec("t4g.medium"), InstanceSpec("g4dn.xlarge"),
      LambdaSpec(1024, Architecture::kArm64, ApiGateway::kHttp, 3), PerRequestSpec(1e-6)};
  const std::vector<Usage> usages = {
      Usage{},
      Usage{.elapsed_seconds = 0,
            .ok = 10,
            .requests = 10,
            .billable_requests = 10,
            .gateway_requests = 10,
            .billed_ms = 10,
            .capacity_ips = 5},
      Usage{.elapsed_seconds = kNaN,
            .ok = 10,
            .requests = 10,
            .billable_requests = 10,
            .gateway_requests = 10,
            .capacity_ips = kNaN},
      Usage{.elapsed_seconds = -5,
            .ok = 1,
            .requests = 1,
            .billable_requests = 1,
            .gateway_requests = 1,
            .capacity_ips = kInf},
      Usage{.elapsed_seconds = kInf,
            .ok = 1,
            .requests = 1,
            .billable_requests = 1,
            .gateway_requests = 1},
      Usage{.elapsed_seconds = 1e-9,
            .ok = 1,
            .requests = 1,
            .billable_requests = 1,
            .gateway_requests = 1,
            .billed_ms = 1,
            .capacity_ips = 1e-300},
      Usage{.elapsed_seconds = 60,
            .ok = 1,
            .requests = 1,
            .billable_requests = 1,
            .gateway_requests = 1,
            .billed_ms = 1,
            .capacity_ips = 1e-310},
  };
  for (const PricingSpec& spec : specs) {
    const ResolvedPricing p = MustResolve(spec);
    for (const Usage& u : usages) {
      const Cost c = ComputeCost(p, u);
      EXPECT_TRUE(std::isfinite(c.time_usd)) << Name(spec.model);
      EXPECT_TRUE(std::isfinite(c.request_usd));
      EXPECT_TRUE(std::isfinite(c.surplus_credit_usd));
      EXPECT_TRUE(std::isfinite(c.utilisation));
      if (c.observed_usd_per_million) {
        EXPECT_TRUE(std::isfinite(*c.observed_usd_per_million));
      }
      if (c.capacity_usd_per_million) {
        EXPECT_TRUE(std::isfinite(*c.capacity_usd_per_million));
      }
    }
  }
}

}  // namespace
}  // namespace infercost
