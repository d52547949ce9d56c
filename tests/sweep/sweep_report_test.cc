// The report writers on a synthetic fleet shaped like the emulated one: the files are there, the
// CSV has a row per step, the SVGs are well-formed with one series per target, and the report
// opens with the recommendation.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <map>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "svg_series.h"
#include "sweep/report.h"
#include "sweep/svg_chart.h"

namespace infercost {
namespace {

namespace fs = std::filesystem;

// A target that serves `parallel` requests at once, each in `service_ms` (a closed loop of C
// clients gets min(C, parallel) / service inferences per second).
struct Model {
  std::string name;
  PricingSpec pricing;
  double parallel;
  double service_ms;
  int64_t billed_ms;  // Lambda: billed per request; 0 otherwise
};

PricingSpec Instance(const std::string& type) {
  PricingSpec spec;
  spec.model = PricingModel::kInstance;
  spec.instance_type = type;
  return spec;
}

PricingSpec Lambda() {
  PricingSpec spec;
  spec.model = PricingModel::kLambda;
  spec.memory_mb = 1024;
  spec.api_gateway = ApiGateway::kRest;
  return spec;
}

std::vector<Model> Fleet() {
  return {{"g4dn-xlarge", Instance("g4dn.xlarge"), 6, 12.6, 0},
          {"t3-medium", Instance("t3.medium"), 2, 31, 0},
          {"t4g-medium", Instance("t4g.medium"), 2, 30, 0},
          {"lambda", Lambda(), 1e9, 620, 601}};
}

// Ten windows of one level, with seeded noise in counts and a spread of latencies.
StepInput Measure(const Model& model, double concurrency, double step_s, std::mt19937_64& rng) {
  StepInput input;
  input.offered = concurrency;
  const double ips = std::min(concurrency, model.parallel) / (model.service_ms / 1000);
  const double latency_ms = model.service_ms * std::max(1.0, concurrency / model.parallel);
  std::normal_distribution<double> noise(1.0, 0.03);
  constexpr int kWindows = 10;
  for (int w = 0; w < kWindows; ++w) {
    SweepWindow window;
    window.seconds = step_s / kWindows;
    const auto ok = static_cast<uint64_t>(std::max(1.0, ips * window.seconds * noise(rng)));
    window.interval.requests[0] = ok;
    window.interval.by_billing_class[0].requests = ok;  // BillingClass::kOk
    // Each request's latency: lognormal around the mean, as service times tend to be.
    std::lognormal_distribution<double> latency(std::log(latency_ms * 1e6), 0.15);
    for (uint64_t r = 0; r < ok; ++r) {
      const auto ns = static_cast<int64_t>(latency(rng));
      window.interval.ok_latency.Record(ns);
      window.interval.latency.Record(ns);
    }
    if (model.billed_ms > 0) {
      window.interval.by_billing_class[0].billed_ms = ok * static_cast<uint64_t>(model.billed_ms);
      window.interval.by_billing_class[0].billed_by_aws = ok;
      window.interval.billed_from_header = ok;
    }
    input.windows.push_back(std::move(window));
  }
  return input;
}

SweepReport SyntheticReport(std::optional<TrafficProfile> traffic, std::optional<double> slo_s) {
  SweepReport report;
  SweepMethod& m = report.method;
  m.fleet = "a synthetic fleet";
  m.levels = {1, 2, 4, 8, 16, 32, 64};
  m.step_seconds = 30;
  m.warmup_seconds = 5;
  m.windows_per_step = 10;
  m.bootstrap_samples = 200;
  m.criteria.slo_p95_s = slo_s;
  report.catalog = BuiltinCatalog();
  m.command_line = "infercost sweep --traffic 20";
  m.started_utc = "2026-01-01T00:00:00Z";
  m.wall_seconds = 300;
  SummaryOptions options;
  options.bootstrap_samples = m.bootstrap_samples;
  options.criteria = m.criteria;
  std::mt19937_64 rng(42);
  uint64_t stream = 1;
  for (const Model& model : Fleet()) {
    const ResolveResult resolved = Resolve(model.pricing, BuiltinCatalog());
    EXPECT_TRUE(resolved.pricing.has_value()) << resolved.error;
    std::vector<StepInput> inputs;
    std::vector<StepResult> so_far;
    StopDecision stop;
    for (std::size_t i = 0; i < m.levels.size(); ++i) {
      inputs.push_back(Measure(model, m.levels[i], m.step_seconds, rng));
      so_far.push_back(SummarizeStep(inputs.back(), *resolved.pricing, 0, options, 0));
      stop = ShouldStop(so_far, m.criteria, m.levels.size() - i - 1);
      if (stop.reason != StopReason::kNone) break;
    }
    report.targets.push_back(AnalyzeTarget(model.name, *resolved.pricing, LoadAxis::kConcurrency,
                                           inputs, stop, options, stream++));
  }
  report.recommendation = Recommend(report.targets, traffic, slo_s);
  return report;
}

class SweepReportTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("infercost-sweep-report-" +
            std::to_string(::testing::UnitTest::GetInstance()->random_seed()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
  }
  void TearDown() override {
    // Keep the files for a look when asked (INFERCOST_KEEP_REPORT=1).
    if (std::getenv("INFERCOST_KEEP_REPORT") == nullptr) fs::remove_all(dir_);
  }
  fs::path dir_;
};

TEST_F(SweepReportTest, WritesEveryFileWithOneSeriesPerTarget) {
  const SweepReport report = SyntheticReport(TrafficProfile{20, 20}, 1.0);
  const WrittenReport written = WriteSweepReport(report, dir_.string());
  ASSERT_TRUE(written.error.empty()) << written.error;
  for (const char* name : {"report.md", "results.csv", "throughput.svg", "latency_p95.svg",
                           "monthly_cost.svg", "index.html"}) {
    EXPECT_TRUE(fs::exists(dir_ / name)) << name;
  }
  EXPECT_FALSE(fs::exists(dir_ / "cold_starts.svg"));  // no cold-start run

  const auto series = testing::SvgSeries(
      {dir_ / "throughput.svg", dir_ / "latency_p95.svg", dir_ / "monthly_cost.svg"});
  ASSERT_EQ(series.size(), 3u);
  for (const auto& [file, names] : series) {
    ASSERT_EQ(names.size(), report.targets.size()) << file;
    for (std::size_t i = 0; i < names.size(); ++i) {
      EXPECT_EQ(names[i].rfind(report.targets[i].name, 0), 0u) << file << ": " << names[i];
    }
  }
  std::cout << "report in " << dir_ << "\n";
}

TEST_F(SweepReportTest, CsvHasOneRowPerTargetAndStep) {
  const SweepReport report = SyntheticReport(std::nullopt, std::nullopt);
  const std::string csv = ResultsCsv(report);
  std::istringstream lines(csv);
  std::string header;
  std::getline(lines, header);
  const auto columns = std::count(header.begin(), header.end(), ',') + 1;
  std::map<std::string, int> rows;
  std::string line;
  while (std::getline(lines, line)) {
    EXPECT_EQ(std::count(line.begin(), line.end(), ',') + 1, columns) << line;
    ++rows[line.substr(0, line.find(','))];
  }
  ASSERT_EQ(rows.size(), report.targets.size());
  for (const TargetSweep& target : report.targets) {
    EXPECT_EQ(rows[target.name], static_cast<int>(target.steps.size())) << target.name;
  }
  // The instance targets saturate and stop early; Lambda runs every level.
  EXPECT_LT(report.targets[1].steps.size(), 7u);
  EXPECT_EQ(report.targets[3].steps.size(), 7u);
  EXPECT_EQ(*report.targets[1].knee, 1u);  // t3: two workers, knee at C=2
}

TEST_F(SweepReportTest, ReportOpensWithTheRecommendation) {
  const SweepReport report = SyntheticReport(TrafficProfile{20, 20}, 1.0);
  const std::string md = ReportMarkdown(report);
  const std::string first_paragraph =
      md.substr(md.find("\n\n") + 2, md.find('\n', md.find("\n\n") + 2) - md.find("\n\n") - 2);
  EXPECT_EQ(first_paragraph, "**Recommendation:** " + report.recommendation.sentence);
  EXPECT_NE(report.recommendation.sentence.find("For 20.0 req/s at p95 <= 1.00 s, run"),
            std::string::npos)
      << report.recommendation.sentence;
  EXPECT_NE(md.find("## Break-even traffic"), std::string::npos);
  EXPECT_NE(md.find("## Method"), std::string::npos);
  EXPECT_NE(md.find("## Prices used"), std::string::npos);
  // Lambda is the only target whose throughput keeps growing: the report says so.
  EXPECT_NE(md.find("**lambda**: throughput was still growing at C=64"), std::string::npos);
  const std::string html = ReportHtml(report);
  std::size_t inline_svgs = 0;
  for (std::size_t at = html.find("<svg"); at != std::string::npos;
       at = html.find("<svg", at + 1)) {
    ++inline_svgs;
  }
  EXPECT_EQ(inline_svgs, 3u);
  EXPECT_NE(html.find("<p class=\"answer\"><strong>Recommendation:</strong>"), std::string::npos);
}

// "Prices used" says what each target's figures leave out (cost/cost.h Exclusions()).
TEST_F(SweepReportTest, PricesUsedSayWhatIsNotIncluded) {
  const std::string md = ReportMarkdown(SyntheticReport(TrafficProfile{20, 20}, 1.0));
  const std::string prices = md.substr(md.find("## Prices used"));
  EXPECT_NE(prices.find("| not included |"), std::string::npos) << prices;
  EXPECT_NE(prices.find("CloudWatch Logs ingestion not included"), std::string::npos) << prices;
  EXPECT_NE(prices.find("load balancer (ALB hours and LCUs) not included; public IPv4 addresses "
                        "not included; EBS volumes not included"),
            std::string::npos)
      << prices;
}

TEST_F(SweepReportTest, SerialisingTargetIsCalledOut) {
  SweepReport report;
  report.method.levels = {1, 2, 4, 8};
  std::mt19937_64 rng(1);
  const Model serial{"one-worker", Instance("t3.medium"), 1, 50, 0};
  std::vector<StepInput> inputs;
  for (double c : report.method.levels) inputs.push_back(Measure(serial, c, 10, rng));
  const ResolveResult resolved = Resolve(serial.pricing, BuiltinCatalog());
  const TargetSweep target = AnalyzeTarget("one-worker", *resolved.pricing, LoadAxis::kConcurrency,
                                           inputs, {StopReason::kPlateau, ""}, SummaryOptions{}, 1);
  ASSERT_FALSE(target.warnings.empty());
  EXPECT_NE(std::find_if(target.warnings.begin(), target.warnings.end(),
                         [](const std::string& w) {
                           return w.find("effective concurrency stayed near 1") !=
                                      std::string::npos &&
                                  w.find("the target serialises requests") != std::string::npos;
                         }),
            target.warnings.end());
}

const OptionCost& OptionFor(const SweepReport& report, const std::string& target) {
  for (const OptionCost& o : report.recommendation.options) {
    if (o.target == target) return o;
  }
  ADD_FAILURE() << "no option for " << target;
  return report.recommendation.options.front();
}

const TargetSweep& TargetNamed(const SweepReport& report, const std::string& name) {
  for (const TargetSweep& t : report.targets) {
    if (t.name == name) return t;
  }
  ADD_FAILURE() << "no target " << name;
  return report.targets.front();
}

// The "Cost at N req/s" table used to leave its note column empty and said nothing of how busy
// each option would be: t4g's $ per 1M rose from its best step to the planned traffic with no
// word of surplus credits.
TEST_F(SweepReportTest, CostAtTrafficNoteExplainsUseCreditsAndLatency) {
  const SweepReport report = SyntheticReport(TrafficProfile{20, 20}, 1.0);
  const TargetSweep& t4g = TargetNamed(report, "t4g-medium");
  const OptionCost& o = OptionFor(report, "t4g-medium");
  ASSERT_TRUE(o.feasible);
  EXPECT_EQ(o.units, 1);
  // One instance serving 20 of its ~66.7 IPS: about 30 % busy, above t4g's 20 % baseline.
  EXPECT_NEAR(o.utilisation, 20.0 / t4g.capacity_ips, 1e-12);
  EXPECT_GT(o.utilisation, 0.2);
  // Surplus credits by hand: (use - 20 % baseline) x 2 vCPUs x 730 h x $0.04 per vCPU-hour
  // (catalog: t4g.medium, unlimited mode, Linux).
  const double surplus = (o.utilisation - 0.2) * 2 * 730 * 0.04;
  EXPECT_NEAR(o.surplus_monthly_usd, surplus, 1e-9);
  EXPECT_NEAR(o.monthly_usd, 0.0336 * 730 + surplus, 1e-6);
  EXPECT_NE(o.note.find("surplus credits " + FormatUsd(surplus) + " a month"), std::string::npos)
      << o.note;
  EXPECT_NE(o.note.find("above the 20.0 % baseline"), std::string::npos) << o.note;
  EXPECT_NE(o.note.find("best step "), std::string::npos) << o.note;
  // Latency at the planned peak comes from the lowest step that carried 20 IPS: C=2 serves
  // ~66 IPS at 30 ms, C=1 only ~33, so C=1 does it.
  ASSERT_TRUE(o.p95_s.has_value());
  EXPECT_EQ(o.p95_step, "C=1");
  // Per-request targets: no utilisation, latency from the best step, whose word on duration.
  const OptionCost& lambda = OptionFor(report, "lambda");
  EXPECT_EQ(lambda.utilisation, 0);
  EXPECT_NE(lambda.note.find("duration billed by AWS"), std::string::npos) << lambda.note;
  const std::string md = ReportMarkdown(report);
  EXPECT_NE(md.find("| use at the average | p95 ms at the peak (from step) |"), std::string::npos);
  EXPECT_NE(md.find(FormatPercent(o.utilisation)), std::string::npos);
}

// A traffic below the baseline accrues credits: nothing is bought and the note says so.
TEST_F(SweepReportTest, CostAtTrafficBelowBaselineBuysNoCredits) {
  const SweepReport report = SyntheticReport(TrafficProfile{5, 5}, 1.0);
  const OptionCost& o = OptionFor(report, "t3-medium");
  EXPECT_LT(o.utilisation, 0.2);
  EXPECT_EQ(o.surplus_monthly_usd, 0);
  EXPECT_NE(o.note.find("credits accrue, none is bought"), std::string::npos) << o.note;
}

// The glance table showed the best step's IPS without the knee's latency beside it.
TEST_F(SweepReportTest, GlanceTableShowsTheKneesLatency) {
  const SweepReport report = SyntheticReport(TrafficProfile{20, 20}, 1.0);
  const TargetSweep& g4dn = TargetNamed(report, "g4dn-xlarge");
  ASSERT_TRUE(g4dn.knee.has_value());
  const StepResult& knee = g4dn.steps[*g4dn.knee];
  const std::string md = ReportMarkdown(report);
  EXPECT_NE(md.find(FormatOffered(g4dn.axis, knee.offered) + ", " + FormatNumber(knee.ips.value) +
                    " IPS, p95 " + FormatNumber(knee.p95_s.value * 1000) + " ms"),
            std::string::npos);
}

TEST(NiceTicks, OneTwoFiveSteps) {
  EXPECT_EQ(NiceTicks(0, 100, AxisScale::kLinear), (std::vector<double>{0, 20, 40, 60, 80, 100}));
  EXPECT_EQ(NiceTicks(0, 7, AxisScale::kLinear), (std::vector<double>{0, 1, 2, 3, 4, 5, 6, 7}));
  EXPECT_EQ(NiceTicks(0, 0.5, AxisScale::kLinear),
            (std::vector<double>{0, 0.1, 0.2, 0.30000000000000004, 0.4, 0.5}));
  EXPECT_EQ(NiceTicks(1, 64, AxisScale::kLog2), (std::vector<double>{1, 2, 4, 8, 16, 32, 64}));
  EXPECT_EQ(NiceTicks(10, 1000, AxisScale::kLog10),
            (std::vector<double>{10, 20, 50, 100, 200, 500, 1000}));
  EXPECT_EQ(NiceTicks(0.01, 1e6, AxisScale::kLog10).size(), 9u);  // decades only
  EXPECT_EQ(CompactNumber(0.30000000000000004), "0.3");
  EXPECT_EQ(CompactNumber(25000), "25k");
  EXPECT_EQ(CompactNumber(1500000), "1.5M");
}

TEST(SvgChart, EscapesTextAndDrawsEverySeries) {
  AxisSpec x;
  x.title = "x <unit>";
  AxisSpec y;
  y.title = "y & more";
  SvgChart chart("a \"title\"", x, y);
  ChartSeries a;
  a.name = "a<b";
  a.points = {{1, 1, std::nullopt, std::nullopt}, {2, 4, 3.0, 5.0}};
  chart.AddSeries(a);
  const std::string svg = chart.Render();
  EXPECT_NE(svg.find("a &quot;title&quot;"), std::string::npos);
  EXPECT_NE(svg.find("x &lt;unit&gt;"), std::string::npos);
  EXPECT_NE(svg.find("data-series=\"a&lt;b\""), std::string::npos);
  EXPECT_EQ(svg.find("a<b"), std::string::npos);
}

}  // namespace
}  // namespace infercost
