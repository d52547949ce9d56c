// The embedded default end to end: `infercost serve` with no config starts the emulated AWS fleet
// in-process and loads it with examples/emulated-aws.yaml. After a bounded run every target has
// figures, Lambda has cold starts, and the four $/1M figures rank as the emulator's profiles
// predict: the expectation is computed here from the profiles, the embedded config and the price
// catalog through the cost model, not written down.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "config/config.h"
#include "cost/cost.h"
#include "emulator/profile.h"
#include "tests/serve/serve_support.h"
#include "tests/support/temp_dir.h"

namespace infercost {
namespace {

using test::Samples;
using test::ServeProcess;
using test::WaitFor;

// Slow enough that the 2-core machine serves the emulated fleet at full speed (g4dn at its
// profile's ~480 IPS is ~1,000 requests/s of wall clock), fast enough that the 15 s window fills
// well inside the 90 s warm stage.
constexpr double kTimeScale = 2.0;

struct Expectation {
  std::string target;
  double usd_per_million = 0;
};

// What each target's observed $/1M should be in the warm stage, from the profiles: closed-loop
// throughput at the stage's concurrency, every request warm and billed its mean warm duration, and
// the capacity the service will have measured by then (that same throughput: the warm stage is
// the busiest healthy window so far), which puts burstables at full utilisation.
std::vector<Expectation> Expected() {
  EnvLookup env = [](const std::string& name) -> std::optional<std::string> {
    if (name == kEmulatorUrlVariable) return "http://127.0.0.1:1";
    return std::nullopt;
  };
  ConfigResult config = ParseConfig(std::string(EmbeddedDefaultConfig()),
                                    std::string(kEmbeddedDefaultConfigName), env);
  EXPECT_TRUE(config.config.has_value());
  std::vector<Expectation> out;
  if (!config.config) return out;
  for (const TargetConfig& t : config.config->targets) {
    // ${INFERCOST_EMULATOR_URL}/<profile>/predict; a Lambda function is named as its profile,
    // and the emulator serves its SageMaker endpoint on the g4dn.xlarge profile (the same
    // hardware as ml.g4dn.xlarge).
    std::string profile_name;
    if (t.kind == TargetKind::kLambda) {
      profile_name = t.aws.function;
    } else if (t.kind == TargetKind::kSageMaker) {
      profile_name = "g4dn.xlarge";
    } else {
      const std::string path = t.request.url.substr(std::string("http://127.0.0.1:1/").size());
      profile_name = path.substr(0, path.find('/'));
    }
    const emulator::Profile* profile =
        emulator::FindProfile(emulator::BuiltInProfiles(), profile_name);
    EXPECT_NE(profile, nullptr) << profile_name;
    if (profile == nullptr) continue;
    const loadgen::Stage& warm = t.load.stages.at(0);
    EXPECT_EQ(warm.kind, loadgen::Stage::Kind::kClosed) << t.name;
    const double ips = profile->ExpectedClosedLoopIps(warm.concurrency);
    ResolveResult pricing = Resolve(t.pricing, BuiltinCatalog());
    EXPECT_TRUE(pricing.pricing.has_value()) << pricing.error;
    if (!pricing.pricing) continue;
    constexpr double kWindowSeconds = 30;
    Usage usage;
    usage.elapsed_seconds = kWindowSeconds;
    usage.ok = static_cast<uint64_t>(std::llround(ips * kWindowSeconds));
    usage.requests = usage.ok;
    usage.billable_requests = usage.ok;
    usage.gateway_requests = usage.ok;
    usage.billed_ms =
        static_cast<uint64_t>(std::llround(profile->ExpectedWarmBilledMs() * double(usage.ok)));
    usage.capacity_ips = ips;
    const Cost cost = ComputeCost(*pricing.pricing, usage);
    EXPECT_TRUE(cost.observed_usd_per_million.has_value()) << t.name;
    out.push_back({t.name, cost.observed_usd_per_million.value_or(NAN)});
  }
  return out;
}

std::string Describe(const std::vector<Expectation>& figures) {
  std::string out;
  for (const Expectation& e : figures) {
    out += e.target + "=$" + std::to_string(e.usd_per_million) + " ";
  }
  return out;
}

TEST(EmbeddedDefault, ShowsTheWholeComparisonAndRanksAsTheProfilesPredict) {
  const std::vector<Expectation> expected = Expected();
  ASSERT_EQ(expected.size(), 5u);

  const test::TempDir dir("embedded_default");
  ServeProcess serve(dir.path(), {"--time-scale", std::to_string(kTimeScale)});
  ASSERT_GT(serve.port(), 0) << serve.Log();

  // Wait (bounded) until every target has a capacity: its window is full and healthy, so the
  // observed figure is on the same footing as the expectation.
  Samples s;
  const bool settled = WaitFor(
      [&] {
        s = serve.Scrape();
        for (const Expectation& e : expected) {
          const std::string l = "{target=\"" + e.target + "\"}";
          if (!test::Get(s, "infercost_capacity_inferences_per_second" + l)) return false;
        }
        return true;
      },
      std::chrono::seconds(75));
  ASSERT_TRUE(settled) << serve.Log();

  std::vector<Expectation> measured;
  for (const Expectation& e : expected) {
    const std::string l = "{target=\"" + e.target + "\"}";
    EXPECT_GT(test::Get(s, "infercost_inferences_per_second" + l).value_or(0), 0) << e.target;
    const auto cost =
        test::Get(s, "infercost_cost_per_million_inferences_usd{basis=\"observed\",target=\"" +
                         e.target + "\"}");
    ASSERT_TRUE(cost.has_value()) << e.target;
    EXPECT_GT(*cost, 0) << e.target;
    EXPECT_TRUE(std::isfinite(*cost)) << e.target;
    measured.push_back({e.target, *cost});
  }
  // Lambda through the Invoke API: cold starts from AWS's Init Duration, every billed duration
  // AWS's own (the REPORT line), keys from the emulated instance metadata with an expiry.
  EXPECT_GT(test::Get(s, R"(infercost_cold_starts_total{target="lambda-1024"})").value_or(0), 0);
  EXPECT_GT(
      test::Get(s, R"(infercost_init_duration_seconds_count{target="lambda-1024"})").value_or(0),
      0);
  EXPECT_GT(
      test::Get(s, R"(infercost_billed_duration_seconds_count{target="lambda-1024"})").value_or(0),
      0);
  EXPECT_GT(test::Get(s, R"(infercost_max_memory_used_bytes{target="lambda-1024"})").value_or(0),
            0);
  for (const char* target : {"lambda-1024", "sagemaker-g4dn"}) {
    const std::string l = std::string("{target=\"") + target + "\"}";
    EXPECT_GT(test::Get(s, "infercost_credentials_expiry_timestamp_seconds" + l).value_or(0), 0)
        << target;
    EXPECT_EQ(test::SumOf(s, "infercost_requests_total",
                          "outcome=\"auth_error\",target=\"" + std::string(target) + "\""),
              0)
        << target;
  }
  const std::string targets = test::HttpFetch(serve.Url("/api/v1/targets")).body;
  EXPECT_NE(targets.find("\"billing\": \"billed by AWS\""), std::string::npos) << targets;
  std::printf("measured %s\nexpected %s\n", Describe(measured).c_str(), Describe(expected).c_str());
  // Every pair the profiles set clearly apart (by more than kMargin) ranks the same way when
  // measured. Pairs closer than that (SageMaker's ml.g4dn.xlarge against t3.medium: 0.44 against
  // 0.53) may swap on a loaded 2-core machine, where the emulated GPUs are the busiest targets.
  constexpr double kMargin = 1.25;
  for (const Expectation& a : expected) {
    for (const Expectation& b : expected) {
      if (a.usd_per_million * kMargin >= b.usd_per_million) continue;
      const auto find = [&](const std::string& name) {
        return std::find_if(measured.begin(), measured.end(),
                            [&](const Expectation& m) { return m.target == name; })
            ->usd_per_million;
      };
      EXPECT_LT(find(a.target), find(b.target))
          << a.target << " should cost less than " << b.target << "\nmeasured "
          << Describe(measured) << "\nexpected " << Describe(expected);
    }
  }
  EXPECT_EQ(serve.Stop(), 0) << serve.Log();
}

}  // namespace
}  // namespace infercost
