// Service driven directly (no process, no HTTP): reloads against a real loopback test server.
#include "serve/service.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <prometheus/metric_family.h>
#include <prometheus/registry.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "config/config.h"
#include "loadgen/engine.h"
#include "serve/metrics.h"
#include "tests/serve/service_samples.h"
#include "tests/support/temp_dir.h"
#include "tests/support/test_server.h"
#include "tests/support/wait.h"

namespace infercost {
namespace {

using std::chrono::milliseconds;

ServiceOptions FastTicks() {
  ServiceOptions options;
  options.tick = milliseconds(50);  // also the statistics' publish interval
  options.drain = std::chrono::seconds(10);
  return options;
}

Config Parse(const std::string& yaml) {
  ConfigResult result = ParseConfig(
      yaml, "service_test.yaml", [](const std::string&) { return std::optional<std::string>(); });
  EXPECT_TRUE(result.config.has_value())
      << (result.errors.empty() ? "" : result.errors[0].ToString());
  return *result.config;
}

// One closed-loop GET target; `extra` is appended to its entry.
std::string OneTarget(const test::TestServer& server, const std::string& name,
                      const std::string& window, int concurrency, const std::string& extra = "") {
  std::ostringstream out;
  out << "window: " << window << "\n"
      << "targets:\n"
      << "  - name: " << name << "\n"
      << "    url: " << server.Url("/ok") << "\n"
      << "    method: GET\n"
      << "    load: { stages: [ { duration: 1h, concurrency: " << concurrency << " } ] }\n"
      << "    pricing: { model: per_request, usd_per_request: 0.001 }\n"
      << extra;
  return out.str();
}

double Value(const Service& service, const std::string& family, const std::string& target,
             const std::string& outcome = "") {
  return test::ServiceSample(service, family, target, outcome);
}

void WaitForRequests(const test::TestServer& server, uint64_t n) {
  ASSERT_TRUE(test::WaitFor([&] { return server.Requests() >= n; }, std::chrono::seconds(20)));
}

// Nothing in flight: every request the server received has been recorded.
bool Settled(const Service& service, const test::TestServer& server) {
  const TargetFigures f = service.Views()[0].figures;
  return f.in_flight == 0 && f.requests_total == server.Requests();
}

// This process's stderr (the log) redirected into a file while the object lives.
class CapturedLog {
 public:
  explicit CapturedLog(std::filesystem::path path) : path_(std::move(path)) {
    std::fflush(stderr);
    saved_ = dup(STDERR_FILENO);
    const int fd = open(path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    dup2(fd, STDERR_FILENO);
    close(fd);
  }
  ~CapturedLog() {
    std::fflush(stderr);
    dup2(saved_, STDERR_FILENO);
    close(saved_);
  }
  CapturedLog(const CapturedLog&) = delete;
  CapturedLog& operator=(const CapturedLog&) = delete;
  bool Has(const std::string& text) const {
    std::ifstream in(path_);
    std::stringstream s;
    s << in.rdbuf();
    return s.str().find(text) != std::string::npos;
  }

 private:
  std::filesystem::path path_;
  int saved_ = -1;
};

class ServiceTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { loadgen::GlobalInit(); }
};

// Requests that finished between the last tick and a reload that changes the window used to be
// lost with the old statistics store, and the latency summary's count started again at zero.
TEST_F(ServiceTest, WindowChangeLosesNoRequestAndKeepsTheSummaryCount) {
  test::TestServer server;
  Service service(FastTicks());
  ASSERT_TRUE(service.Apply(Parse(OneTarget(server, "a", "60s", 2))).empty());
  WaitForRequests(server, 30);
  ASSERT_TRUE(service.Apply(Parse(OneTarget(server, "a", "30s", 2))).empty());
  WaitForRequests(server, server.Requests() + 10);
  service.Stop();

  const double ok = Value(service, "infercost_requests_total", "a", "ok");
  EXPECT_EQ(ok, static_cast<double>(server.Requests()));
  EXPECT_EQ(Value(service, "infercost_inferences_total", "a"), ok);
  EXPECT_EQ(Value(service, "infercost_request_latency_seconds", "a"), ok);
  ASSERT_EQ(service.Views().size(), 1u);
  EXPECT_EQ(static_cast<double>(service.Views()[0].figures.requests_total), ok);
}

// A reload that arrives while (or after) the service shuts down must not start load again: the
// engine would run targets whose recorders are destroyed before it.
TEST_F(ServiceTest, ApplyAfterStopIsRefused) {
  test::TestServer server;
  Service service(FastTicks());
  ASSERT_TRUE(service.Apply(Parse(OneTarget(server, "a", "60s", 1))).empty());
  WaitForRequests(server, 5);
  service.Stop();
  const uint64_t after_stop = server.Requests();

  const std::vector<std::string> errors = service.Apply(Parse(OneTarget(server, "b", "60s", 1)));
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_NE(errors[0].find("shutting down"), std::string::npos) << errors[0];
  ASSERT_EQ(service.Views().size(), 1u);
  EXPECT_EQ(service.Views()[0].name, "a");
  // The refusal came before the engine was touched: no target "b". Stop() joined the engine's
  // workers, so nothing can send any more and the counts can be checked at once, without a wait.
  service.Tick();
  EXPECT_EQ(server.Requests(), after_stop);
  EXPECT_EQ(Value(service, "infercost_requests_total", "a", "ok"), static_cast<double>(after_stop));
}

// A changed load definition restarts the target's load; its CSV file (same path) must keep every
// row, not be truncated under the open recorder.
TEST_F(ServiceTest, RestartWithTheSameCsvKeepsEveryRow) {
  test::TestServer server;
  test::TempDir dir("service_test_csv");
  const std::string csv = (dir.path() / "a.csv").string();
  Service service(FastTicks());
  ASSERT_TRUE(
      service.Apply(Parse(OneTarget(server, "a", "60s", 1, "    csv: " + csv + "\n"))).empty());
  WaitForRequests(server, 20);
  ASSERT_TRUE(
      service.Apply(Parse(OneTarget(server, "a", "60s", 2, "    csv: " + csv + "\n"))).empty());
  WaitForRequests(server, server.Requests() + 20);
  service.Stop();

  std::ifstream in(csv, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  const std::string content = text.str();
  EXPECT_EQ(content.find('\0'), std::string::npos);
  std::istringstream lines(content);
  std::string line;
  uint64_t headers = 0;
  uint64_t rows = 0;
  while (std::getline(lines, line)) {
    if (line.starts_with("target,")) {
      ++headers;
    } else if (!line.empty()) {
      ++rows;
    }
  }
  EXPECT_EQ(headers, 1u);
  EXPECT_EQ(rows, server.Requests());
}

// A target stopped by its spend limit stays stopped when a reload restarts its load, until the
// limit is raised.
TEST_F(ServiceTest, SpendLimitedTargetStaysStoppedAcrossARestart) {
  test::TestServer server;
  Service service(FastTicks());
  const std::string limit = "    spend_limit_usd: 0.005\n";
  ASSERT_TRUE(service.Apply(Parse(OneTarget(server, "a", "60s", 4, limit))).empty());
  ASSERT_TRUE(
      test::WaitFor([&] { return service.Views()[0].figures.load_state == "spend limit reached"; },
                    std::chrono::seconds(20)));
  // In-flight requests finish.
  ASSERT_TRUE(test::WaitFor([&] { return Settled(service, server); }, std::chrono::seconds(20)));
  const uint64_t before = server.Requests();

  ASSERT_TRUE(service.Apply(Parse(OneTarget(server, "a", "60s", 8, limit))).empty());
  // The restart left the load stopped: a tick sees nothing sent and nothing in flight.
  service.Tick();
  EXPECT_TRUE(Settled(service, server));
  EXPECT_EQ(server.Requests(), before);
  EXPECT_EQ(service.Views()[0].figures.load_state, "spend limit reached");
  EXPECT_FALSE(service.Views()[0].figures.load_active);
  // Raising the limit starts the load that the restart left stopped.
  ASSERT_TRUE(service.Apply(Parse(OneTarget(server, "a", "60s", 8, "    spend_limit_usd: 1000\n")))
                  .empty());
  WaitForRequests(server, before + 10);
}

// The updater's schedule: three quarters of a tick past each multiple of the tick since the
// clock's epoch (the engine publishes in the first half, MakeStatsOptions), whatever each tick
// takes, and a tick that overran skips the moments it missed instead of running them back to
// back.
TEST(UpdaterSchedule, TicksKeepTheirPeriodAndSkipMissedSlots) {
  using std::chrono::steady_clock;
  const steady_clock::time_point grid{std::chrono::seconds(100)};
  const std::chrono::nanoseconds tick = std::chrono::seconds(1);
  EXPECT_EQ(NextTick(grid, tick), grid + milliseconds(750));
  EXPECT_EQ(NextTick(grid + milliseconds(749), tick), grid + milliseconds(750));
  EXPECT_EQ(NextTick(grid + milliseconds(750), tick), grid + milliseconds(1750));
  // A thousand ticks of 3 ms of work each end 1,000 ticks later, not 1,003 s.
  steady_clock::time_point due = NextTick(grid, tick);
  for (int i = 0; i < 1000; ++i) due = NextTick(due + milliseconds(3), tick);
  EXPECT_EQ(due, grid + milliseconds(1000750));
  // Overran by 2.5 ticks: on to the first moment after now.
  EXPECT_EQ(NextTick(grid + milliseconds(750) + milliseconds(2500), tick),
            grid + milliseconds(3750));
  // Every target's publish phase is in the first half of the tick: a quarter tick of margin
  // before the updater reads it.
  for (const char* name : {"a", "g4dn-xlarge", "t0999", "lambda-1024"}) {
    const loadgen::StatsOptions options = MakeStatsOptions(
        name, std::chrono::seconds(60), tick, 1.0, BoundsFor(LatencyBuckets::kStandard));
    EXPECT_TRUE(options.publish_on_clock_grid);
    EXPECT_GE(options.publish_phase, std::chrono::nanoseconds::zero()) << name;
    EXPECT_LT(options.publish_phase, tick / 2) << name;
  }
}

// Issue 15 finding 9: a reload held the service lock while it drained a changed target and closed
// and opened its CSV files, so views (the page, /api/v1/targets) and ticks waited. The in-process
// twin of ServeTest.ReloadDoesNotBlockApiWhileDraining, run under ThreadSanitizer: a tick and a
// view during the drain, both before the reload commits (which logs the restart).
TEST_F(ServiceTest, ViewsAndTicksGoOnWhileAReloadDrains) {
  test::TestServer server;
  test::TempDir dir("service_test_drain");
  const CapturedLog log(dir.path() / "log.txt");
  auto config = [&](int concurrency, const std::string& csv) {
    return Parse(
        OneTarget(server, "b", "60s", 1, "    csv: " + (dir.path() / "b.csv").string() + "\n") +
        "  - name: h\n    url: " + server.Url("/hang") +
        "\n    csv: " + (dir.path() / csv).string() + "\n    load: { stages: [ { duration: 1h, " +
        "concurrency: " + std::to_string(concurrency) + " } ] }\n" +
        "    pricing: { model: per_request, usd_per_request: 0.001 }\n");
  };
  ServiceOptions options = FastTicks();
  options.drain = std::chrono::seconds(1);  // the hanging requests at Stop()
  Service service(options);
  ASSERT_TRUE(service.Apply(config(2, "h1.csv")).empty());
  ASSERT_TRUE(
      test::WaitFor([&] { return server.Requests("/hang") >= 2; }, std::chrono::seconds(20)));

  std::vector<std::string> errors = {"not applied"};
  std::jthread reload([&] { errors = service.Apply(config(3, "h2.csv")); });
  ASSERT_TRUE(test::WaitFor([&] { return log.Has("draining target for the reload"); },
                            std::chrono::seconds(20)));
  service.Tick();
  const std::vector<TargetView> views = service.Views();
  EXPECT_FALSE(log.Has("target load restarted with its new definition"))
      << "the view and the tick waited for the reload";
  EXPECT_EQ(views.size(), 2u);
  reload.join();
  EXPECT_TRUE(errors.empty());
  EXPECT_TRUE(log.Has("target load restarted with its new definition"));

  // Nothing lost: b's server count = its CSV rows = its counter.
  WaitForRequests(server, server.Requests("/ok") + 10);
  service.Stop();
  std::ifstream in(dir.path() / "b.csv");
  uint64_t rows = 0;
  for (std::string line; std::getline(in, line);) ++rows;
  EXPECT_EQ(rows - 1, server.Requests("/ok"));
  EXPECT_EQ(Value(service, "infercost_requests_total", "b", "ok"),
            static_cast<double>(server.Requests("/ok")));
}

// The updater thread's exception barrier: a tick that throws (a std::exception or anything else)
// used to end the process through std::terminate. It is logged, and the next tick runs.
TEST_F(ServiceTest, ATickThatThrowsIsLoggedAndTheNextOneRuns) {
  const test::TempDir dir("service_test_tick_throws");
  test::TestServer server;
  std::atomic<int> calls{0};
  ServiceOptions options = FastTicks();
  options.before_tick = [&] {
    const int call = ++calls;
    if (call == 2) throw std::runtime_error("planted tick failure");
    if (call == 3) throw 42;
  };
  Service service(options);
  {
    const CapturedLog log(dir.path() / "log");
    ASSERT_TRUE(service.Apply(Parse(OneTarget(server, "a", "60s", 1))).empty());
    // Ticks go on after the two failures, and their figures reach /metrics.
    ASSERT_TRUE(test::WaitFor([&] { return calls.load() >= 6; }, std::chrono::seconds(20)));
    WaitForRequests(server, 5);
    EXPECT_TRUE(test::WaitFor(
        [&] {
          return service.Exposition()->find("infercost_requests_total{") != std::string::npos;
        },
        std::chrono::seconds(20)));
    service.Stop();
    EXPECT_TRUE(log.Has("metrics update failed"));
    EXPECT_TRUE(log.Has("planted tick failure"));
    EXPECT_TRUE(log.Has("an unknown exception"));
  }
  EXPECT_EQ(Value(service, "infercost_requests_total", "a", "ok"),
            static_cast<double>(server.Requests()));
}

// Issue 15 finding 9: exit took 1.5 s after "stopped" with 1,000 targets, 5.3 s with 2,000 and
// over a minute with 5,000: each target's series were removed one by one, and each removal is a
// linear search of its family (prometheus-cpp). At exit the series are left to the registry that
// goes with them: an abandoned target's destruction removes nothing, a removed target's does.
TEST(TargetSeriesExit, ExitLeavesSeriesToTheRegistryInsteadOfRemovingEachOne) {
  prometheus::Registry registry;
  MetricFamilies families(registry);
  auto series_of = [&](const std::string& target) {
    std::size_t n = 0;
    for (const prometheus::MetricFamily& f : registry.Collect()) {
      for (const prometheus::ClientMetric& m : f.metric) {
        for (const prometheus::ClientMetric::Label& l : m.label) {
          if (l.name == "target" && l.value == target) ++n;
        }
      }
    }
    return n;
  };
  auto removed = std::make_unique<TargetSeries>(families, "removed");
  auto at_exit = std::make_unique<TargetSeries>(families, "at_exit");
  ASSERT_GT(series_of("removed"), 0u);
  const std::size_t each = series_of("at_exit");
  removed.reset();
  at_exit->Abandon();
  at_exit.reset();
  EXPECT_EQ(series_of("removed"), 0u);
  EXPECT_EQ(series_of("at_exit"), each);
}

}  // namespace
}  // namespace infercost
