// `infercost sweep` run as a process against the AWS emulator on 127.0.0.1:0: where it finds each
// profile's knee, how its recommendation moves with the traffic and the objective, cold starts
// against idle time, the files it writes, and the flags it refuses. Steps are short (about a
// second) and every assertion leaves room for a busy machine: levels, counts and orderings, not
// timings.
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <optional>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include "emulator/emulator.h"
#include "emulator/profile.h"
#include "svg_series.h"
#include "tests/support/process.h"

namespace {

namespace fs = std::filesystem;
using infercost::test::ProcessResult;

std::string Slurp(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

using Row = std::map<std::string, std::string>;

std::vector<Row> ReadCsv(const fs::path& path) {
  std::vector<Row> rows;
  std::istringstream in(Slurp(path));
  std::string line;
  std::vector<std::string> header;
  auto split = [](const std::string& text) {
    std::vector<std::string> fields;
    std::stringstream stream(text);
    for (std::string field; std::getline(stream, field, ',');) fields.push_back(field);
    if (!text.empty() && text.back() == ',') fields.emplace_back();
    return fields;
  };
  if (std::getline(in, line)) header = split(line);
  while (std::getline(in, line)) {
    const std::vector<std::string> fields = split(line);
    EXPECT_EQ(fields.size(), header.size()) << line;
    Row row;
    for (std::size_t i = 0; i < header.size() && i < fields.size(); ++i) row[header[i]] = fields[i];
    rows.push_back(std::move(row));
  }
  return rows;
}

std::vector<Row> RowsOf(const std::vector<Row>& rows, const std::string& target) {
  std::vector<Row> out;
  for (const Row& row : rows) {
    if (row.at("target") == target) out.push_back(row);
  }
  return out;
}

class SweepCommandTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("infercost-sweep-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override {
    emulator_.reset();
    if (!HasFailure()) fs::remove_all(dir_);
  }

  void StartEmulator(double time_scale, std::vector<emulator::Profile> profiles = {}) {
    emulator::Options options;
    options.host = "127.0.0.1";
    options.port = 0;
    options.time_scale = time_scale;
    options.profiles = std::move(profiles);
    std::string error;
    emulator_ = emulator::Emulator::Start(options, &error);
    ASSERT_NE(emulator_, nullptr) << error;
  }

  // A config with one target per (name, emulator target, pricing YAML).
  fs::path WriteConfig(const std::vector<std::array<std::string, 3>>& targets) {
    std::string yaml = "targets:\n";
    for (const auto& [name, profile, pricing] : targets) {
      yaml += "  - name: " + name + "\n    url: " + emulator_->TargetUrl(profile) +
              "\n    expect: { status: 200 }\n    timeout: 10s\n"
              "    cold_start: { header: X-Cold-Start }\n    pricing: " +
              pricing + "\n";
    }
    const fs::path path = dir_ / "sweep.yaml";
    std::ofstream(path) << yaml;
    return path;
  }

  ProcessResult Sweep(std::vector<std::string> args) {
    args.insert(args.begin(), {INFERCOST_BINARY, "sweep"});
    return infercost::test::RunProcess(args);
  }

  fs::path dir_;
  std::unique_ptr<emulator::Emulator> emulator_;
};

// An instance profile: `workers` parallel slots of `service_ms` each.
emulator::Profile Box(const std::string& name, int workers, double service_ms) {
  emulator::Profile p;
  p.name = name;
  p.platform = emulator::Platform::kInstance;
  p.workers = workers;
  p.service = {service_ms, 0.05};
  p.queue_limit = 512;
  return p;
}

// A Lambda profile: `duration_ms` warm, short cold starts, no provisioned concurrency.
emulator::Profile Function(const std::string& name, double duration_ms) {
  emulator::Profile p;
  p.name = name;
  p.platform = emulator::Platform::kLambda;
  p.service = {duration_ms, 0.05};
  p.lambda.cold_start = {150, 0.1};
  p.lambda.provisioned_concurrency = 0;
  p.lambda.gateway_overhead_ms = 0;
  return p;
}

const std::string kInstancePricing = "{ model: instance, instance_type: t4g.medium }";
const std::string kLambdaPricing = "{ model: lambda, memory_mb: 1024 }";

TEST_F(SweepCommandTest, KneeOfEachInstanceProfileSitsWhereItsParallelismPredicts) {
  StartEmulator(1.0);
  const fs::path config = WriteConfig({
      {"g4dn", "g4dn.xlarge", "{ model: instance, instance_type: g4dn.xlarge }"},
      {"t3", "t3.medium", "{ model: instance, instance_type: t3.medium }"},
      {"t4g", "t4g.medium", "{ model: instance, instance_type: t4g.medium }"},
  });
  const std::vector<int> levels = {1, 2, 4, 8, 16, 32, 64};
  const fs::path out = dir_ / "report";
  const ProcessResult run = Sweep({"--config", config.string(), "--concurrency", "1,2,4,8,16,32,64",
                                   "--step", "1s", "--warmup", "300ms", "--out", out.string()});
  ASSERT_EQ(run.exit_code, 0) << run.out << run.err;
  const std::vector<Row> rows = ReadCsv(out / "results.csv");

  for (const auto& [name, profile_name] : std::vector<std::pair<std::string, std::string>>{
           {"g4dn", "g4dn.xlarge"}, {"t3", "t3.medium"}, {"t4g", "t4g.medium"}}) {
    const emulator::Profile* profile = emulator_->FindProfile(profile_name);
    ASSERT_NE(profile, nullptr);
    // The profile's own closed-loop model: the lowest level within 5 % of its best.
    double best = 0;
    for (int c : levels) best = std::max(best, profile->ExpectedClosedLoopIps(c));
    std::size_t predicted = 0;
    while (profile->ExpectedClosedLoopIps(levels[predicted]) < 0.95 * best) ++predicted;

    const std::vector<Row> steps = RowsOf(rows, name);
    ASSERT_GE(steps.size(), 3u) << name;
    // One row per step run, the levels in order, and as many rows as progress lines.
    for (std::size_t i = 0; i < steps.size(); ++i) {
      EXPECT_EQ(std::stoi(steps[i].at("offered")), levels[i]) << name;
    }
    const std::regex step_line("(^|\n)" + name + " C=[0-9]+ \\(");
    EXPECT_EQ(static_cast<std::size_t>(
                  std::distance(std::sregex_iterator(run.out.begin(), run.out.end(), step_line),
                                std::sregex_iterator())),
              steps.size())
        << run.out;
    // Two workers saturate early: the sweep stops on the plateau well before the last level.
    if (profile->workers == 2) {
      EXPECT_LT(steps.size(), levels.size()) << name;
    }
    std::optional<std::size_t> knee;
    for (std::size_t i = 0; i < steps.size(); ++i) {
      if (steps[i].at("knee") == "1") knee = i;
    }
    ASSERT_TRUE(knee.has_value()) << name;
    EXPECT_LE(std::max(*knee, predicted) - std::min(*knee, predicted), 1u)
        << name << ": knee at C=" << levels[*knee]
        << ", the profile predicts C=" << levels[predicted];
    // And the throughput there is what the profile can do, within a generous margin.
    EXPECT_GT(std::stod(steps[*knee].at("ips")),
              0.7 * profile->ExpectedClosedLoopIps(levels[*knee]))
        << name;
  }

  // The charts: well-formed, one series per target.
  const auto series = infercost::testing::SvgSeriesIn(out);
  for (const char* chart : {"throughput.svg", "latency_p95.svg", "monthly_cost.svg"}) {
    ASSERT_TRUE(series.count(chart)) << chart;
    const std::vector<std::string>& names = series.at(chart);
    ASSERT_EQ(names.size(), 3u) << chart;
    EXPECT_EQ(names[0].rfind("g4dn", 0), 0u) << chart;
    EXPECT_EQ(names[1].rfind("t3", 0), 0u) << chart;
    EXPECT_EQ(names[2].rfind("t4g", 0), 0u) << chart;
  }
  EXPECT_TRUE(fs::exists(out / "index.html"));
  EXPECT_TRUE(fs::exists(out / "report.md"));
}

// A break-even near 5 req/s: a t4g.medium ($24.53/month) carrying up to ~100 IPS against a
// 1024 MB function billed ~100 ms a request ($1.87 per 1M, $4.9/month per req/s).
TEST_F(SweepCommandTest, RecommendationMovesFromLambdaToAnInstancePastTheBreakEven) {
  StartEmulator(1.0, {Box("box", 2, 20), Function("fn", 100)});
  const fs::path config =
      WriteConfig({{"box", "box", kInstancePricing}, {"fn", "fn", kLambdaPricing}});
  auto sweep = [&](const std::string& traffic, const std::string& out) {
    return Sweep({"--config", config.string(), "--concurrency", "1,2,4,8", "--step", "1s",
                  "--warmup", "500ms", "--traffic", traffic, "--out", (dir_ / out).string()});
  };
  const ProcessResult low = sweep("1", "low");
  ASSERT_EQ(low.exit_code, 0) << low.out << low.err;
  const std::string low_md = Slurp(dir_ / "low" / "report.md");
  const std::regex low_answer(
      "\\*\\*Recommendation:\\*\\* For 1\\.00 req/s, use fn at \\$[0-9.]+/month .*1 x box would "
      "cost \\$[0-9.]+/month and becomes cheaper above ([0-9.]+) req/s\\.");
  std::smatch match;
  ASSERT_TRUE(std::regex_search(low_md, match, low_answer)) << low_md.substr(0, 600);
  const double break_even = std::stod(match[1]);
  EXPECT_GT(break_even, 2.0);
  EXPECT_LT(break_even, 12.0);

  const std::string above = std::to_string(2 * break_even);
  const ProcessResult high = sweep(above, "high");
  ASSERT_EQ(high.exit_code, 0) << high.out << high.err;
  const std::string high_md = Slurp(dir_ / "high" / "report.md");
  const std::regex high_answer(
      "\\*\\*Recommendation:\\*\\* For [0-9.]+ req/s, run 1 x box at \\$[0-9.]+/month .*fn would "
      "cost \\$[0-9.]+/month and is cheaper below [0-9.]+ req/s\\.");
  EXPECT_TRUE(std::regex_search(high_md, high_answer)) << high_md.substr(0, 600);
  // The command prints the same answer.
  EXPECT_NE(high.out.find("Recommendation: For "), std::string::npos) << high.out;
}

TEST_F(SweepCommandTest, ObjectiveTighterThanLambdaWarmLatencyRulesItOut) {
  StartEmulator(1.0, {Box("box", 2, 20), Function("fn", 100)});
  const fs::path config =
      WriteConfig({{"box", "box", kInstancePricing}, {"fn", "fn", kLambdaPricing}});
  const fs::path out = dir_ / "report";
  const ProcessResult run = Sweep({"--config", config.string(), "--concurrency", "1,2", "--step",
                                   "1s", "--warmup", "500ms", "--slo-p95", "60ms",
                                   "--traffic-profile", "4:1", "--serial", "--out", out.string()});
  ASSERT_EQ(run.exit_code, 0) << run.out << run.err;
  const std::vector<Row> rows = ReadCsv(out / "results.csv");
  const std::vector<Row> fn = RowsOf(rows, "fn");
  ASSERT_EQ(fn.size(), 1u);  // p95 ~100 ms broke the 60 ms objective at the first level
  // --serial: box finished both levels before fn started.
  EXPECT_LT(run.out.find("box C=2 (2/2)"), run.out.find("fn C=1 (1/2)")) << run.out;
  EXPECT_EQ(fn[0].at("within_objective"), "0");
  EXPECT_GT(std::stod(fn[0].at("p95_ms")), 60);
  EXPECT_EQ(RowsOf(rows, "box").front().at("within_objective"), "1");
  const std::string md = Slurp(out / "report.md");
  // At 1 req/s Lambda would have been cheaper (see the test above); the objective rules it out.
  EXPECT_NE(
      md.find("**Recommendation:** For 1.00 req/s (peak 4.00) at p95 <= 60.0 ms, run 1 x box at "),
      std::string::npos)
      << md.substr(0, 600);
  EXPECT_NE(md.find("fn is ruled out (no step met the objective)"), std::string::npos);
  EXPECT_NE(md.find("**fn**: no step met p95 <= 60.0 ms without errors"), std::string::npos);
}

TEST_F(SweepCommandTest, ColdStartsOnlyAfterIdleGapsLongerThanTheIdleTimeout) {
  // The embedded fleet at 600x: the Lambda profile reclaims idle instances after 10 emulated
  // minutes (1 s of wall time) and keeps one provisioned instance warm.
  const fs::path out = dir_ / "report";
  const ProcessResult run = Sweep({"--time-scale", "600", "--concurrency", "1", "--step", "60s",
                                   "--warmup", "6s", "--cold-starts", "--out", out.string()});
  ASSERT_EQ(run.exit_code, 0) << run.out << run.err;
  const std::vector<Row> gaps = ReadCsv(out / "cold_starts.csv");
  ASSERT_EQ(gaps.size(), 5u) << Slurp(out / "cold_starts.csv");
  std::map<int, Row> by_idle;
  for (const Row& row : gaps) {
    EXPECT_EQ(row.at("target"), "lambda-1024");
    by_idle[std::stoi(row.at("idle_seconds"))] = row;
  }
  // 1 and 5 minutes: every instance still warm. 15 and 30: all but the provisioned one gone, so
  // the burst of 8 meets up to 7 cold instances. (10 minutes is the timeout itself: either way.)
  for (int idle : {60, 300}) {
    EXPECT_EQ(by_idle.at(idle).at("cold_starts"), "0") << idle;
  }
  for (int idle : {900, 1800}) {
    EXPECT_GE(std::stoi(by_idle.at(idle).at("cold_starts")), 1) << idle;
    EXPECT_LE(std::stoi(by_idle.at(idle).at("cold_starts")), 8) << idle;
  }
  const std::string md = Slurp(out / "report.md");
  // The burst text comes from what ran: at 600x each burst held its 8 requests for the 250 ms
  // wall-time minimum, 150 s of target time (not the 6 s warm-up), and sent as many requests as
  // the CSV counts.
  uint64_t fewest = UINT64_MAX, most = 0;
  for (const Row& row : gaps) {
    EXPECT_EQ(row.at("hold_seconds"), "150");
    fewest = std::min<uint64_t>(fewest, std::stoull(row.at("requests")));
    most = std::max<uint64_t>(most, std::stoull(row.at("requests")));
  }
  const std::string sent =
      fewest == most ? std::to_string(fewest) : std::to_string(fewest) + "–" + std::to_string(most);
  EXPECT_NE(md.find("Each burst kept 8 requests in flight for 2m30s of target time and sent " +
                    sent + " requests. That is longer than the 6 s asked for"),
            std::string::npos)
      << md;
  EXPECT_TRUE(md.find("The idle timeout lies between 5m00s and 10m00s.") != std::string::npos ||
              md.find("The idle timeout lies between 10m00s and 15m00s.") != std::string::npos)
      << md;
  const auto series = infercost::testing::SvgSeriesIn(out);
  ASSERT_TRUE(series.count("cold_starts.svg"));
  // Probability and burst p95 of the one serverless target, plus its warm p95 reference.
  EXPECT_EQ(series.at("cold_starts.svg"),
            (std::vector<std::string>{"lambda-1024", "lambda-1024", "lambda-1024 warm p95"}));
  EXPECT_EQ(series.at("throughput.svg").size(), 5u);  // the whole embedded fleet was swept
  // Lambda through the Invoke API: every $/1M of it rests on AWS's own billed durations.
  EXPECT_NE(md.find(" (billed by AWS)"), std::string::npos) << md;
  EXPECT_EQ(md.find(" (estimated from latency)"), std::string::npos) << md;
}

TEST_F(SweepCommandTest, RatesAndTheSpendGuard) {
  StartEmulator(1.0, {Box("box", 2, 20)});
  const fs::path config = WriteConfig({{"box", "box", kInstancePricing}});
  const fs::path out = dir_ / "report";
  const std::vector<std::string> args = {
      "--config", config.string(), "--rates",     "20,40", "--step", "1s",
      "--warmup", "200ms",         "--max-spend", "0",     "--out",  out.string()};
  const ProcessResult refused = Sweep(args);
  EXPECT_EQ(refused.exit_code, 2);
  EXPECT_NE(refused.err.find("refusing to start: the estimated cost"), std::string::npos)
      << refused.err;
  EXPECT_NE(refused.out.find("estimated cost on the real platforms: at most"), std::string::npos);
  EXPECT_FALSE(fs::exists(out));

  std::vector<std::string> yes = args;
  yes.push_back("--yes");
  const ProcessResult run = Sweep(yes);
  ASSERT_EQ(run.exit_code, 0) << run.out << run.err;
  const std::vector<Row> rows = ReadCsv(out / "results.csv");
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0].at("axis"), "rate");
  EXPECT_EQ(rows[1].at("offered"), "40");
  // Open loop below capacity: the target serves what arrives.
  EXPECT_NEAR(std::stod(rows[1].at("ips")), 40, 12);
}

TEST_F(SweepCommandTest, UsageErrors) {
  StartEmulator(1.0, {Box("box", 2, 20)});
  const fs::path config = WriteConfig({{"box", "box", kInstancePricing}});
  struct Case {
    std::vector<std::string> args;
    std::string message;
  };
  const std::vector<Case> cases = {
      {{"--config", config.string(), "--time-scale", "10"},
       "--time-scale applies to the embedded emulated fleet only"},
      {{"--concurrency", "4,2"}, "--concurrency: levels must increase (2 after 4)"},
      {{"--concurrency", "1,2.5"}, "--concurrency: '2.5' is not a whole number"},
      {{"--step", "soon"}, "--step: 'soon' is not a duration; write e.g. 500ms"},
      {{"--step", "30"}, "--step: '30' has no unit; write 30s"},
      {{"--traffic-profile", "10:20"}, "--traffic-profile: '10:20' is not PEAK:AVERAGE"},
      {{"--traffic", "5", "--traffic-profile", "10:5"}, "excludes"},
      {{"--cold-starts", "--idle-gaps", "5m,1m"}, "--idle-gaps: gaps must increase (1m after 5m)"},
      {{"--config", (dir_ / "missing.yaml").string()}, "missing.yaml"},
  };
  for (const Case& c : cases) {
    const ProcessResult run = Sweep(c.args);
    EXPECT_EQ(run.exit_code, 2) << c.message << "\n" << run.err;
    EXPECT_NE(run.err.find(c.message), std::string::npos) << run.err;
  }
}

}  // namespace
