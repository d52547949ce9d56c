// Profiles: the YAML reader's rules (one invalid-*.yaml per rule, exact message), the built-in
// set, and the expected figures derived from a profile.
#include "emulator/profile.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>

namespace emulator {
namespace {

const std::string kTestData = std::string(INFERCOST_SOURCE_DIR) + "/tests/emulator/testdata/";

struct InvalidCase {
  const char* file;
  std::string message;  // after "PATH:"
};

class InvalidProfilesTest : public testing::TestWithParam<InvalidCase> {};

TEST_P(InvalidProfilesTest, IsRejectedWithFileLineColumnAndMessage) {
  const std::string path = kTestData + GetParam().file;
  std::string errors;
  EXPECT_FALSE(LoadProfilesFile(path, &errors).has_value());
  EXPECT_EQ(errors, path + ":" + GetParam().message + "\n");
}

INSTANTIATE_TEST_SUITE_P(
    Rules, InvalidProfilesTest,
    testing::Values(
        InvalidCase{"invalid-unknown-key.yaml",
                    "5:5: unknown key 'workerz' in target 't3.medium' (expected one of: name, "
                    "platform, service, faults, max_body_bytes, workers, queue_limit, batching, "
                    "cpu_credits)"},
        InvalidCase{"invalid-wrong-type.yaml", "5:14: 'workers' must be a whole number, got 'two'"},
        InvalidCase{"invalid-out-of-range.yaml", "4:38: 'sigma' must be between 0 and 3, got 5"},
        InvalidCase{"invalid-missing-service.yaml", "2:5: target 't3.medium' needs 'service'"},
        InvalidCase{"invalid-platform.yaml",
                    "3:15: 'platform' must be one of instance, lambda, got 'ec2'"},
        InvalidCase{"invalid-duplicate-name.yaml",
                    "5:11: duplicate target name 'lambda' (first on line 2)"},
        InvalidCase{"invalid-lambda-key-on-instance.yaml",
                    "5:5: unknown key 'cold_start' in target 't3.medium' (expected one of: name, "
                    "platform, service, faults, max_body_bytes, workers, queue_limit, batching, "
                    "cpu_credits)"},
        InvalidCase{"invalid-throttle-status.yaml",
                    "5:22: 'throttle_status' must be 429, 500 or 502, got 418"},
        InvalidCase{"invalid-provisioned-over-limit.yaml",
                    "6:30: 'provisioned_concurrency' (3) exceeds 'concurrency_limit' (2)"},
        InvalidCase{"invalid-memory-used-over-size.yaml",
                    "5:25: 'max_memory_used_mb' (300) exceeds 'memory_mb' (256)"},
        InvalidCase{"invalid-fault-ratios.yaml", "5:13: the fault ratios add up to more than 1"},
        InvalidCase{"invalid-syntax.yaml", "5:1: end of map flow not found"},
        InvalidCase{"invalid-empty-targets.yaml", "1:10: 'targets' must be a non-empty list"},
        InvalidCase{"invalid-name.yaml",
                    "2:11: each target needs a 'name' of 1-64 letters, digits, '.', '_' or '-'"},
        InvalidCase{"invalid-credit-mode.yaml",
                    "5:26: 'mode' must be one of standard, unlimited, got 'burst'"},
        InvalidCase{"invalid-duplicate-key.yaml",
                    "6:5: duplicate key 'workers' in target 't3.medium' (first on line 5)"},
        InvalidCase{"invalid-top-level.yaml",
                    "1:1: unknown key 'target' in the profiles file (expected one of: targets)\n" +
                        kTestData +
                        "invalid-top-level.yaml:1:1: the profiles file needs 'targets'"}));

TEST(ProfilesTest, AllProblemsAreReportedAtOnce) {
  std::string errors;
  EXPECT_FALSE(
      ParseProfiles("targets:\n"
                    "  - { name: a, platform: instance, service: { median_ms: -1 } }\n"
                    "  - { name: b, platform: lambda, service: { median_ms: 1 },"
                    " concurrency_limit: 0 }\n",
                    "inline.yaml", &errors));
  EXPECT_EQ(errors,
            "inline.yaml:2:58: 'median_ms' must be between 0 and 3.6e+06, got -1\n"
            "inline.yaml:3:80: 'concurrency_limit' must be between 1 and 100000, got 0\n");
}

TEST(ProfilesTest, UnreadableFileIsAnError) {
  std::string errors;
  EXPECT_FALSE(LoadProfilesFile(kTestData + "no-such-file.yaml", &errors));
  EXPECT_EQ(errors, kTestData + "no-such-file.yaml: cannot read the profiles file\n");
}

TEST(ProfilesTest, DefaultsApplyToKeysLeftOut) {
  std::string errors;
  auto profiles = ParseProfiles(
      "targets:\n"
      "  - { name: box, platform: instance, service: { median_ms: 10 } }\n"
      "  - { name: fn, platform: lambda, service: { median_ms: 100, sigma: 0.1 } }\n",
      "inline.yaml", &errors);
  ASSERT_TRUE(profiles) << errors;
  const Profile& box = (*profiles)[0];
  EXPECT_EQ(box.platform, Platform::kInstance);
  EXPECT_EQ(box.workers, 1);
  EXPECT_EQ(box.queue_limit, 128);
  EXPECT_FALSE(box.batching);
  EXPECT_FALSE(box.cpu_credits);
  EXPECT_EQ(box.max_body_bytes, 16 << 20);
  const Profile& fn = (*profiles)[1];
  EXPECT_EQ(fn.platform, Platform::kLambda);
  EXPECT_EQ(fn.lambda.throttle_status, 429);
  EXPECT_DOUBLE_EQ(fn.lambda.gateway_timeout_ms, 29000);
  EXPECT_EQ(fn.max_body_bytes, 6 << 20);
  EXPECT_EQ(FindProfile(*profiles, "fn"), &fn);
  EXPECT_EQ(FindProfile(*profiles, "nope"), nullptr);
  EXPECT_EQ(fn.lambda.architecture, "x86_64");
  EXPECT_DOUBLE_EQ(fn.lambda.provisioned_ready_ms, 3000);
}

TEST(ProfilesTest, LambdaArchitectureIsX86OrArm) {
  std::string errors;
  auto profiles = ParseProfiles(
      "targets:\n"
      "  - { name: fn, platform: lambda, service: { median_ms: 100 }, architecture: arm64 }\n",
      "inline.yaml", &errors);
  ASSERT_TRUE(profiles) << errors;
  EXPECT_EQ((*profiles)[0].lambda.architecture, "arm64");
  EXPECT_FALSE(ParseProfiles(
      "targets:\n"
      "  - { name: fn, platform: lambda, service: { median_ms: 100 }, architecture: arm }\n",
      "inline.yaml", &errors));
  EXPECT_EQ(errors, "inline.yaml:2:78: 'architecture' must be one of x86_64, arm64, got 'arm'\n");
}

TEST(ProfilesTest, CheckProfilesCatchesWhatCodeCanGetWrong) {
  std::vector<Profile> profiles(2);
  profiles[0].name = "a";
  profiles[1].name = "a";
  profiles[1].workers = 0;
  EXPECT_EQ(CheckProfiles(profiles),
            "profile 'a': the name is used twice\n"
            "profile 'a': workers >= 1 and queue_limit >= 0\n");
  EXPECT_EQ(CheckProfiles(BuiltInProfiles()), "");
}

// --- expected figures ---------------------------------------------------------------------------

Profile Instance(double median_ms, int workers) {
  Profile p;
  p.name = "box";
  p.service = {median_ms, 0};
  p.workers = workers;
  return p;
}

TEST(ExpectedFiguresTest, InstanceCapacityIsWorkersOverMeanServiceTime) {
  Profile p = Instance(20, 2);
  EXPECT_DOUBLE_EQ(p.ExpectedCapacityIps(), 100);
  EXPECT_DOUBLE_EQ(p.ExpectedClosedLoopIps(1), 50);
  EXPECT_DOUBLE_EQ(p.ExpectedClosedLoopIps(8), 100);
  EXPECT_DOUBLE_EQ(p.ExpectedWarmLatencyMs(), 20);
  EXPECT_DOUBLE_EQ(p.ExpectedWarmBilledMs(), 0);
  p.service.sigma = 0.5;  // a lognormal's mean is above its median
  EXPECT_DOUBLE_EQ(p.ExpectedCapacityIps(), 100 / std::exp(0.125));
}

TEST(ExpectedFiguresTest, StandardCreditsCutCapacityToTheBaseline) {
  Profile p = Instance(20, 2);
  p.cpu_credits = CpuCredits{CreditMode::kStandard, 0, 576, 0.2};
  EXPECT_DOUBLE_EQ(p.ExpectedCapacityIps(), 100);
  EXPECT_DOUBLE_EQ(p.ExpectedBaselineCapacityIps(), 20);
  p.cpu_credits->mode = CreditMode::kUnlimited;
  EXPECT_DOUBLE_EQ(p.ExpectedBaselineCapacityIps(), 100);
}

TEST(ExpectedFiguresTest, BatchingRaisesThroughputWithConcurrencyUpToTheCpuOrGpuLimit) {
  Profile p = Instance(0, 4);
  p.batching = Batching{32, 4, 0.5, 0};
  EXPECT_DOUBLE_EQ(p.ExpectedClosedLoopIps(1), 1000 / 4.5);
  EXPECT_DOUBLE_EQ(p.ExpectedClosedLoopIps(16), 16 * 1000 / 12.0);
  EXPECT_DOUBLE_EQ(p.ExpectedCapacityIps(), 32 * 1000 / 20.0);  // the GPU at batch 32
  p.service = {8, 0};
  EXPECT_DOUBLE_EQ(p.ExpectedCapacityIps(), 500);  // now the four CPU workers limit
  EXPECT_DOUBLE_EQ(p.ExpectedClosedLoopIps(64), 500);
  EXPECT_DOUBLE_EQ(p.ExpectedWarmLatencyMs(), 12.5);
}

TEST(ExpectedFiguresTest, LambdaScalesWithConcurrencyUpToItsLimit) {
  Profile p;
  p.platform = Platform::kLambda;
  p.service = {600, 0};
  p.lambda.concurrency_limit = 10;
  p.lambda.gateway_overhead_ms = 20;
  EXPECT_DOUBLE_EQ(p.ExpectedCapacityIps(), 10 * 1000 / 600.0);
  EXPECT_DOUBLE_EQ(p.ExpectedClosedLoopIps(4), 4 * 1000 / 620.0);
  EXPECT_DOUBLE_EQ(p.ExpectedClosedLoopIps(40), 10 * 1000 / 620.0);
  EXPECT_DOUBLE_EQ(p.ExpectedWarmBilledMs(), 600.5);
  EXPECT_EQ(p.MaxInFlight(), 10);
}

// --- the built-in set ---------------------------------------------------------------------------

// us-east-1 on-demand list prices from DESIGN.md ("Reference prices").
constexpr double kG4dnUsdPerHour = 0.526;
constexpr double kT3UsdPerHour = 0.0416;
constexpr double kT4gUsdPerHour = 0.0336;
constexpr double kLambdaUsdPerRequest = 0.20e-6;
constexpr double kLambdaUsdPerGbSecond = 0.0000166667;

double InstanceUsdPerMillion(double usd_per_hour, double ips) {
  return usd_per_hour / (ips * 3600) * 1e6;
}

TEST(BuiltInProfilesTest, HasTheSeedsFourTargets) {
  std::vector<std::string> names;
  for (const Profile& p : BuiltInProfiles()) {
    names.push_back(p.name);
  }
  EXPECT_EQ(names, (std::vector<std::string>{"g4dn.xlarge", "t3.medium", "t4g.medium", "lambda"}));
  EXPECT_NE(BuiltInProfilesYaml().find("[PADDLE-CPU]"), std::string_view::npos);
}

TEST(BuiltInProfilesTest, LambdaReproducesTheSeedsMeasurements) {
  const Profile& lambda = *FindProfile(BuiltInProfiles(), "lambda");
  // Seed Table 1: 631 ms average at C=8 (1024 MB, warm); 440 ms minimum.
  EXPECT_NEAR(lambda.ExpectedWarmLatencyMs(), 631, 15);
  const double smallest_of_100 = lambda.service.median_ms * std::exp(-2.33 * lambda.service.sigma) +
                                 lambda.lambda.gateway_overhead_ms;
  EXPECT_NEAR(smallest_of_100, 440, 15);
  // Seed §2.3: about $10.70 per 1M at 1024 MB without a gateway charge.
  const double usd_per_million =
      (kLambdaUsdPerRequest + kLambdaUsdPerGbSecond * lambda.ExpectedWarmBilledMs() / 1000) * 1e6;
  EXPECT_NEAR(usd_per_million, 10.7, 0.6);
  EXPECT_EQ(lambda.lambda.provisioned_concurrency, 1);
  EXPECT_GT(lambda.lambda.cold_start.MeanMs(), 2000);   // "a few seconds" with EFS
  EXPECT_LT(lambda.lambda.cold_start.MeanMs(), 29000);  // under the gateway timeout
}

TEST(BuiltInProfilesTest, CostPerMillionAtCapacityRanksAsTheReadmeExplains) {
  const auto& profiles = BuiltInProfiles();
  const Profile& g4dn = *FindProfile(profiles, "g4dn.xlarge");
  const Profile& t3 = *FindProfile(profiles, "t3.medium");
  const Profile& t4g = *FindProfile(profiles, "t4g.medium");
  const Profile& lambda = *FindProfile(profiles, "lambda");
  // g4dn is limited by its four vCPUs, not by the GPU.
  EXPECT_LT(g4dn.ExpectedCapacityIps(),
            g4dn.batching->max_batch * 1000 / g4dn.batching->BatchMs(g4dn.batching->max_batch));
  const double g4dn_usd = InstanceUsdPerMillion(kG4dnUsdPerHour, g4dn.ExpectedCapacityIps());
  const double t3_usd = InstanceUsdPerMillion(kT3UsdPerHour, t3.ExpectedCapacityIps());
  const double t4g_usd = InstanceUsdPerMillion(kT4gUsdPerHour, t4g.ExpectedCapacityIps());
  const double lambda_usd =
      (kLambdaUsdPerRequest + kLambdaUsdPerGbSecond * lambda.ExpectedWarmBilledMs() / 1000) * 1e6;
  // List prices: t4g < t3 < g4dn < Lambda, each step at least 20 % apart.
  EXPECT_LT(t4g_usd * 1.2, t3_usd);
  EXPECT_LT(t3_usd * 1.2, g4dn_usd);
  EXPECT_LT(g4dn_usd * 10, lambda_usd);
  // Unlimited mode at capacity (CPU at 100 %): surplus credits for 80 % of each vCPU, $0.05
  // (t3) and $0.04 (t4g) per vCPU-hour (DESIGN.md, cost model). The GPU box then wins.
  const double t3_unlimited =
      InstanceUsdPerMillion(kT3UsdPerHour + 2 * 0.8 * 0.05, t3.ExpectedCapacityIps());
  const double t4g_unlimited =
      InstanceUsdPerMillion(kT4gUsdPerHour + 2 * 0.8 * 0.04, t4g.ExpectedCapacityIps());
  EXPECT_LT(g4dn_usd * 1.2, t4g_unlimited);
  EXPECT_LT(t4g_unlimited * 1.2, t3_unlimited);
  EXPECT_LT(t3_unlimited * 10, lambda_usd);
}

}  // namespace
}  // namespace emulator
