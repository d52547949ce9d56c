// `metrics: { latency_buckets, quantiles }`: the coarse bounds against every bound that deploy/
// and dashboards/ read, the samples a target exposes at each setting, and a reload that changes
// the setting.
#include <gtest/gtest.h>
#include <prometheus/metric_family.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include "config/config.h"
#include "loadgen/engine.h"
#include "serve/metrics.h"
#include "serve/service.h"
#include "tests/support/test_server.h"
#include "tests/support/wait.h"

namespace infercost {
namespace {

namespace fs = std::filesystem;

// Each histogram family with its bounds at one setting.
std::map<std::string, const std::vector<double>*> Families(LatencyBuckets setting) {
  const HistogramBounds& b = BoundsFor(setting);
  return {{"infercost_request_duration_seconds", &b.request_duration},
          {"infercost_cold_start_duration_seconds", &b.cold_start},
          {"infercost_schedule_lag_seconds", &b.schedule_lag},
          {"infercost_billed_duration_seconds", &b.billed_duration},
          {"infercost_init_duration_seconds", &b.init_duration}};
}

bool Holds(const std::vector<double>& bounds, double bound) {
  return std::any_of(bounds.begin(), bounds.end(),
                     [&](double b) { return std::abs(b - bound) <= 1e-12 * bound; });
}

// Coarse keeps fewer buckets, each of them a standard bound, in increasing order: a fleet that
// moves to coarse keeps the `le` values its queries name.
TEST(HistogramBounds, CoarseIsASubsetOfStandard) {
  const auto standard = Families(LatencyBuckets::kStandard);
  for (const auto& [family, coarse] : Families(LatencyBuckets::kCoarse)) {
    const std::vector<double>& fine = *standard.at(family);
    EXPECT_LT(coarse->size(), fine.size()) << family;
    EXPECT_TRUE(std::is_sorted(coarse->begin(), coarse->end())) << family;
    for (double b : *coarse) EXPECT_TRUE(Holds(fine, b)) << family << " " << b;
  }
  // The latency SLO (1 s, InfercostLatencySLOBreach) and the schedule-lag limit (10 ms,
  // measurement_valid and InfercostGeneratorLagging) are bounds at both settings.
  for (LatencyBuckets setting : kLatencyBucketSettings) {
    EXPECT_TRUE(Holds(BoundsFor(setting).request_duration, 1.0));
    EXPECT_TRUE(Holds(BoundsFor(setting).schedule_lag, 0.01));
  }
}

std::string ReadText(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// Every `le` a rule test, dashboard or manifest names, and every threshold an alert compares a
// histogram quantile with, is a bound of that family at either setting: the rules and panels
// see the same buckets, and a threshold at a bound is exact rather than interpolated.
TEST(HistogramBounds, CoarseKeepsEveryBoundDeployAndDashboardsRead) {
  const fs::path root = INFERCOST_SOURCE_DIR;
  const std::regex le(R"((infercost_[a-z_]+_seconds)_bucket\{[^}]*le=\\?"([0-9.eE+-]+)\\?")");
  const std::regex threshold(R"((infercost_[a-z_]+_seconds):p[0-9]+_rate5m\s*>\s*([0-9.]+))");
  std::size_t checked = 0;
  for (const char* dir : {"deploy", "dashboards"}) {
    for (const auto& entry : fs::recursive_directory_iterator(root / dir)) {
      const std::string ext = entry.path().extension().string();
      if (!entry.is_regular_file() || (ext != ".yml" && ext != ".yaml" && ext != ".json")) {
        continue;
      }
      const std::string text = ReadText(entry.path());
      for (const std::regex& re : {le, threshold}) {
        for (auto it = std::sregex_iterator(text.begin(), text.end(), re);
             it != std::sregex_iterator(); ++it) {
          const std::string family = (*it)[1];
          const double bound = std::stod((*it)[2]);
          for (LatencyBuckets setting : kLatencyBucketSettings) {
            const auto families = Families(setting);
            ASSERT_TRUE(families.contains(family)) << entry.path() << ": " << it->str();
            EXPECT_TRUE(Holds(*families.at(family), bound))
                << entry.path() << ": " << it->str() << " is not a " << Name(setting) << " bound";
          }
          ++checked;
        }
      }
    }
  }
  EXPECT_GT(checked, 20u);  // the rule tests' buckets and both alert thresholds were found
}

Config Parse(const std::string& yaml) {
  ConfigResult result = ParseConfig(yaml, "metrics_settings_test.yaml", [](const std::string&) {
    return std::optional<std::string>();
  });
  EXPECT_TRUE(result.config.has_value())
      << (result.errors.empty() ? "" : result.errors[0].ToString());
  return *result.config;
}

std::string OneTarget(const test::TestServer& server, const std::string& metrics) {
  return "metrics: " + metrics +
         "\n"
         "targets:\n"
         "  - name: a\n"
         "    url: " +
         server.Url("/ok") +
         "\n"
         "    method: GET\n"
         "    load: { stages: [ { duration: 1h, concurrency: 1 } ] }\n"
         "    pricing: { model: per_request, usd_per_request: 0.001 }\n";
}

// The exposition's samples of target a, by family (histograms' _bucket, _sum and _count lines
// under the family's name).
std::map<std::string, int> SamplesOfA(const std::string& exposition) {
  std::map<std::string, int> out;
  std::istringstream lines(exposition);
  for (std::string line; std::getline(lines, line);) {
    if (line.starts_with("#") || line.find("target=\"a\"") == std::string::npos) continue;
    std::string name = line.substr(0, line.find('{'));
    for (const char* suffix : {"_bucket", "_sum", "_count"}) {
      if (name.ends_with(suffix)) name.resize(name.size() - std::string(suffix).size());
    }
    ++out[name];
  }
  return out;
}

double ReloadSuccessful(const Service& service) {
  for (const prometheus::MetricFamily& f : service.Collect()) {
    if (f.name == "infercost_config_last_reload_successful") return f.metric.at(0).gauge.value;
  }
  return -1;
}

class MetricsSettingsTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { loadgen::GlobalInit(); }
};

TEST_F(MetricsSettingsTest, SamplesPerTargetAtEachSetting) {
  struct Case {
    const char* metrics;
    LatencyBuckets buckets;
    bool quantiles;
  };
  const Case cases[] = {
      {"{ latency_buckets: standard, quantiles: on }", LatencyBuckets::kStandard, true},
      {"{ latency_buckets: standard, quantiles: off }", LatencyBuckets::kStandard, false},
      {"{ latency_buckets: coarse, quantiles: on }", LatencyBuckets::kCoarse, true},
      {"{ latency_buckets: coarse, quantiles: off }", LatencyBuckets::kCoarse, false},
  };
  std::optional<int> others_seen;  // the samples of the other families, the same at every setting
  for (const Case& c : cases) {
    SCOPED_TRACE(c.metrics);
    test::TestServer server;
    ServiceOptions options;
    options.tick = std::chrono::milliseconds(50);
    Service service(options);
    ASSERT_TRUE(service.Apply(Parse(OneTarget(server, c.metrics))).empty());
    ASSERT_TRUE(test::WaitFor([&] { return server.Requests() >= 5; }, std::chrono::seconds(20)));
    service.Stop();
    service.Tick();
    const std::map<std::string, int> samples = SamplesOfA(*service.Exposition());
    const HistogramBounds& bounds = BoundsFor(c.buckets);
    // Buckets (+Inf included), _sum and _count.
    EXPECT_EQ(samples.at("infercost_request_duration_seconds"),
              static_cast<int>(bounds.request_duration.size()) + 3);
    EXPECT_EQ(samples.at("infercost_cold_start_duration_seconds"),
              static_cast<int>(bounds.cold_start.size()) + 3);
    EXPECT_EQ(samples.at("infercost_schedule_lag_seconds"),
              static_cast<int>(bounds.schedule_lag.size()) + 3);
    // Five quantiles, _sum and _count; none with quantiles off.
    const auto summary = samples.find("infercost_request_latency_seconds");
    EXPECT_EQ(summary == samples.end() ? 0 : summary->second, c.quantiles ? 7 : 0);
    int total = 0;
    int others = 0;
    for (const auto& [family, n] : samples) {
      total += n;
      if (family != "infercost_request_duration_seconds" &&
          family != "infercost_cold_start_duration_seconds" &&
          family != "infercost_schedule_lag_seconds" &&
          family != "infercost_request_latency_seconds") {
        others += n;
      }
    }
    if (!others_seen) others_seen = others;
    EXPECT_EQ(others, *others_seen);
    std::printf("[ metrics: %s ] %d samples for target a\n", c.metrics, total);
  }
}

// The histograms keep the buckets they were created with, so a reload may not change them: it is
// refused as a whole, says so, and the reload gauge shows the failure; the same setting reloads.
TEST_F(MetricsSettingsTest, ReloadThatChangesTheSettingNeedsARestart) {
  test::TestServer server;
  Service service;
  ASSERT_TRUE(service.Apply(Parse(OneTarget(server, "{ latency_buckets: coarse }"))).empty());
  const std::vector<std::string> errors =
      service.Apply(Parse(OneTarget(server, "{ latency_buckets: standard }")));
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0],
            "metrics: a change from latency_buckets coarse, quantiles on to latency_buckets "
            "standard, quantiles on needs a restart; reload refused, nothing changed");
  EXPECT_EQ(ReloadSuccessful(service), 0);
  EXPECT_TRUE(service.Apply(Parse(OneTarget(server, "{ latency_buckets: coarse }"))).empty());
  EXPECT_EQ(ReloadSuccessful(service), 1);
  service.Stop();
}

}  // namespace
}  // namespace infercost
