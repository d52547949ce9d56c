// `infercost serve` as a process against test servers on loopback: request accounting, figures
// against injected delays and the cost model, reload, shutdown, bad input. Assertions are on
// counts and on bounds that hold however slow the machine is, never on timings.
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <atomic>
#include <cmath>
#include <thread>

#include "cost/cost.h"
#include "tests/serve/serve_support.h"
#include "tests/support/process.h"
#include "tests/support/test_server.h"

namespace infercost {
namespace {

namespace fs = std::filesystem;
using test::HttpFetch;
using test::Samples;
using test::ServeProcess;
using test::SumOf;
using test::TestServer;
using test::WaitFor;
using test::WriteFile;

class ServeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("infercost_serve_test_" + std::to_string(getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override {
    if (!HasFailure()) fs::remove_all(dir_);
  }

  fs::path dir_;
  TestServer server_;
};

double Value(const Samples& s, const std::string& series) {
  auto v = test::Get(s, series);
  EXPECT_TRUE(v.has_value()) << "missing series " << series;
  return v.value_or(NAN);
}

// Runs promtool check metrics on a scrape; returns its output when it fails.
std::string PromtoolProblems(const std::string& exposition, const fs::path& dir) {
  const fs::path file = dir / "scrape.prom";
  WriteFile(file, exposition);
  test::RunOptions options;
  options.stdin_path = file;
  const test::ProcessResult run = test::RunProcess({"promtool", "check", "metrics"}, options);
  return run.exit_code == 0
             ? ""
             : "promtool exit " + std::to_string(run.exit_code) + ": " + run.out + run.err;
}

TEST_F(ServeTest, CountsEveryRequestOnceAndAgreesWithTheCostModel) {
  const fs::path config = dir_ / "config.yaml";
  // Three short bursts, then a long idle stage, so that the counters settle and can be compared
  // with the server's own counts.
  WriteFile(config,
            "window: 5s\n"
            "targets:\n"
            "  - name: slow\n"
            "    url: " +
                server_.Url("/delay?ms=20") +
                "\n"
                "    load:\n"
                "      stages:\n"
                "        - { duration: 2s, concurrency: 4 }\n"
                "        - { duration: 1h, idle: true }\n"
                "    pricing: { model: hourly, usd_per_hour: 1.5 }\n"
                "  - name: failing\n"
                "    url: " +
                server_.Url("/status?code=503") +
                "\n"
                "    load:\n"
                "      stages:\n"
                "        - { duration: 2s, rate: 40 }\n"
                "        - { duration: 1h, idle: true }\n"
                "    pricing: { model: hourly, usd_per_hour: 1.5 }\n"
                "  - name: fn\n"
                "    url: " +
                server_.Url("/ok?billed=45") +
                "\n"
                "    load:\n"
                "      stages:\n"
                "        - { duration: 2s, concurrency: 2 }\n"
                "        - { duration: 1h, idle: true }\n"
                "    pricing: { model: lambda, memory_mb: 1024, api_gateway: http }\n"
                "    budget_usd_per_million: 3.5\n");
  ServeProcess serve(dir_, {"--config", config.string()});
  ASSERT_GT(serve.port(), 0) << serve.Log();

  // Wait until every target has finished its burst and nothing is in flight.
  Samples s;
  ASSERT_TRUE(WaitFor(
      [&] {
        s = serve.Scrape();
        for (const char* t : {"slow", "failing", "fn"}) {
          const std::string l = std::string("{target=\"") + t + "\"}";
          if (test::Get(s, "infercost_load_active" + l).value_or(1) != 0) return false;
          if (test::Get(s, "infercost_in_flight_requests" + l).value_or(1) != 0) return false;
          if (test::Get(s, "infercost_inferences_total" + l).value_or(0) == 0 &&
              std::string(t) != "failing")
            return false;
        }
        return SumOf(s, "infercost_requests_total", "target=\"failing\"") > 0;
      },
      std::chrono::seconds(60)))
      << serve.Log() << "\nlast scrape, the series waited on:\n"
      << test::Lines(s, {"infercost_load_active", "infercost_in_flight_requests",
                         "infercost_inferences_total", "infercost_requests_total"});
  // Until a tick has published the last finished requests: the counts match the servers'.
  std::string text;
  ASSERT_TRUE(WaitFor(
      [&] {
        text = HttpFetch(serve.Url("/metrics")).body;
        s = test::ParseExposition(text);
        return SumOf(s, "infercost_requests_total", "target=\"slow\"") ==
                   static_cast<double>(server_.Requests("/delay")) &&
               SumOf(s, "infercost_requests_total", "target=\"failing\"") ==
                   static_cast<double>(server_.Requests("/status")) &&
               SumOf(s, "infercost_requests_total", "target=\"fn\"") ==
                   static_cast<double>(server_.Requests("/ok"));
      },
      std::chrono::seconds(10)));

  // Accounting: what the servers received equals the sum over outcomes, per target.
  const double slow_total = SumOf(s, "infercost_requests_total", "target=\"slow\"");
  const double failing_total = SumOf(s, "infercost_requests_total", "target=\"failing\"");
  const double fn_total = SumOf(s, "infercost_requests_total", "target=\"fn\"");
  EXPECT_EQ(slow_total, static_cast<double>(server_.Requests("/delay")));
  EXPECT_EQ(failing_total, static_cast<double>(server_.Requests("/status")));
  EXPECT_EQ(fn_total, static_cast<double>(server_.Requests("/ok")));
  EXPECT_EQ(Value(s, R"(infercost_requests_total{outcome="ok",target="slow"})"), slow_total);
  EXPECT_EQ(Value(s, R"(infercost_requests_total{outcome="http_5xx",target="failing"})"),
            failing_total);
  EXPECT_EQ(Value(s, R"(infercost_inferences_total{target="failing"})"), 0);
  EXPECT_EQ(Value(s, R"(infercost_inferences_total{target="slow"})"), slow_total);
  EXPECT_EQ(Value(s, R"(infercost_request_duration_seconds_count{target="slow"})"), slow_total);
  // Open loop at 40/s for 2 s: 80 arrivals, each sent or counted as dropped.
  EXPECT_EQ(failing_total + Value(s, R"(infercost_dropped_requests_total{target="failing"})"), 80);

  // Latency never below the injected 20 ms: nothing in the buckets up to 10 ms.
  EXPECT_EQ(Value(s, R"(infercost_request_duration_seconds_bucket{target="slow",le="0.01"})"), 0);
  EXPECT_GE(Value(s, R"(infercost_request_latency_seconds{target="slow",quantile="0.5"})"), 0.020);
  // Little's law bounds IPS: 4 in flight, each at least 20 ms.
  const double slow_ips = Value(s, R"(infercost_inferences_per_second{target="slow"})");
  EXPECT_GT(slow_ips, 0);
  EXPECT_LE(slow_ips, 4 / 0.020);
  EXPECT_LE(Value(s, R"(infercost_effective_concurrency{target="slow"})"), 4.0 + 1e-9);

  // Hourly price: observed $/1M is the seed's formula on the window's IPS.
  EXPECT_NEAR(
      Value(s, R"(infercost_cost_per_million_inferences_usd{basis="observed",target="slow"})"),
      1.5 / (slow_ips * 3600) * 1e6, 1e-9 * 1e6 / slow_ips);
  // No successful inference: the figure is absent, not zero or infinite.
  EXPECT_FALSE(
      test::Get(s,
                R"(infercost_cost_per_million_inferences_usd{basis="observed",target="failing"})")
          .has_value());

  // Lambda: every request billed 45 ms from the header; spend agrees with the cost model.
  const double fn_ok = Value(s, R"(infercost_inferences_total{target="fn"})");
  EXPECT_EQ(fn_ok, fn_total);
  EXPECT_NEAR(Value(s, R"(infercost_billed_duration_seconds_total{target="fn"})"), fn_ok * 0.045,
              1e-9);
  PricingSpec spec;
  spec.model = PricingModel::kLambda;
  spec.memory_mb = 1024;
  spec.api_gateway = ApiGateway::kHttp;
  const ResolveResult resolved = Resolve(spec, BuiltinCatalog());
  ASSERT_TRUE(resolved.pricing.has_value()) << resolved.error;
  Usage usage;
  usage.elapsed_seconds = 0;
  usage.ok = static_cast<uint64_t>(fn_ok);
  usage.requests = usage.ok;
  usage.billable_requests = usage.ok;
  usage.gateway_requests = usage.ok;
  usage.billed_ms = usage.ok * 45;
  const Cost expected = ComputeCost(*resolved.pricing, usage);
  EXPECT_NEAR(Value(s, R"(infercost_cost_usd_total{component="request",target="fn"})"),
              expected.request_usd, 1e-12);
  // $/1M of a Lambda without provisioned concurrency is the per-inference price.
  ASSERT_TRUE(expected.observed_usd_per_million.has_value());
  EXPECT_NEAR(
      Value(s, R"(infercost_cost_per_million_inferences_usd{basis="observed",target="fn"})"),
      *expected.observed_usd_per_million, 1e-9);
  EXPECT_NEAR(Value(s, R"(infercost_price_usd_per_request{target="fn"})"),
              resolved.pricing->usd_per_request, 1e-15);
  EXPECT_EQ(Value(s, R"(infercost_cost_budget_per_million_inferences_usd{target="fn"})"), 3.5);
  EXPECT_FALSE(test::Get(s, R"(infercost_cost_budget_per_million_inferences_usd{target="slow"})")
                   .has_value());

  // Self-description.
  EXPECT_EQ(Value(s, "infercost_config_last_reload_successful"), 1);
  EXPECT_EQ(SumOf(s, "infercost_build_info", "version="), 1);
  EXPECT_EQ(
      Value(
          s,
          R"(infercost_target_info{architecture="x86_64",instance_type="",platform="lambda",price_basis="on_demand",pricing_model="lambda",region="us-east-1",target="fn"})"),
      1);
  EXPECT_GT(Value(s, "process_cpu_seconds_total"), 0);
  EXPECT_EQ(PromtoolProblems(text, dir_), "");

  // The JSON API says the same.
  const std::string json = HttpFetch(serve.Url("/api/v1/targets")).body;
  EXPECT_NE(json.find("\"name\": \"fn\""), std::string::npos) << json;
  EXPECT_EQ(serve.Stop(), 0) << serve.Log();
}

TEST_F(ServeTest, ReloadKeepsCountersRefusesBadConfigsAndShutdownFlushesCsv) {
  const fs::path config = dir_ / "config.yaml";
  const std::string target_a =
      "  - name: a\n"
      "    url: " +
      server_.Url("/delay?ms=5") +
      "\n"
      "    csv: " +
      (dir_ / "a.csv").string() +
      "\n"
      "    load: { stages: [ { duration: 1h, concurrency: 2 } ] }\n"
      "    pricing: { model: hourly, usd_per_hour: 0.5 }\n";
  const std::string target_b =
      "  - name: b\n"
      "    url: " +
      server_.Url("/ok") +
      "\n"
      "    load: { stages: [ { duration: 1h, concurrency: 1 } ] }\n"
      "    pricing: { model: per_request, usd_per_request: 0.000001 }\n";
  WriteFile(config, "window: 5s\ntargets:\n" + target_a);
  ServeProcess serve(dir_, {"--config", config.string()});
  ASSERT_GT(serve.port(), 0) << serve.Log();
  ASSERT_TRUE(WaitFor([&] { return HttpFetch(serve.Url("/-/ready")).status == 200; },
                      std::chrono::seconds(30)));
  double a_before = 0;
  ASSERT_TRUE(WaitFor(
      [&] {
        a_before = SumOf(serve.Scrape(), "infercost_requests_total", "target=\"a\"");
        return a_before > 0;
      },
      std::chrono::seconds(30)));

  // Add b with SIGHUP: a keeps counting from where it was, b appears at zero and starts.
  WriteFile(config, "window: 5s\ntargets:\n" + target_a + target_b);
  serve.Signal(SIGHUP);
  Samples s;
  ASSERT_TRUE(WaitFor(
      [&] {
        s = serve.Scrape();
        return test::Get(s, R"(infercost_inferences_total{target="b"})").value_or(0) > 0;
      },
      std::chrono::seconds(30)))
      << serve.Log();
  EXPECT_GE(SumOf(s, "infercost_requests_total", "target=\"a\""), a_before);

  // An invalid config is refused and the old one keeps running.
  WriteFile(config, "window: 5s\ntargets:\n  - name: a\n    urll: http://127.0.0.1:1/\n");
  const test::HttpResponse refused = HttpFetch(serve.Url("/-/reload"), "POST");
  EXPECT_EQ(refused.status, 500);
  EXPECT_NE(refused.body.find("unknown key 'urll' in target; did you mean 'url'?"),
            std::string::npos)
      << refused.body;
  s = serve.Scrape();
  EXPECT_EQ(Value(s, "infercost_config_last_reload_successful"), 0);
  const double a_mid = SumOf(s, "infercost_requests_total", "target=\"a\"");
  const double b_mid = SumOf(s, "infercost_requests_total", "target=\"b\"");
  ASSERT_TRUE(WaitFor(
      [&] {
        Samples now = serve.Scrape();
        return SumOf(now, "infercost_requests_total", "target=\"a\"") > a_mid &&
               SumOf(now, "infercost_requests_total", "target=\"b\"") > b_mid;
      },
      std::chrono::seconds(30)));
  EXPECT_NE(serve.Log().find("config reload failed"), std::string::npos);

  // Removing b: its series disappear; a continues.
  WriteFile(config, "window: 5s\ntargets:\n" + target_a);
  EXPECT_EQ(HttpFetch(serve.Url("/-/reload"), "POST").status, 200);
  s = serve.Scrape();
  EXPECT_EQ(Value(s, "infercost_config_last_reload_successful"), 1);
  EXPECT_EQ(SumOf(s, "infercost_requests_total", "target=\"b\""), 0);
  EXPECT_FALSE(test::Get(s, R"(infercost_inferences_total{target="b"})").has_value());
  EXPECT_GE(SumOf(s, "infercost_requests_total", "target=\"a\""), a_mid);

  // SIGTERM drains and flushes: a's CSV has one row per request the server saw for a.
  EXPECT_EQ(serve.Stop(), 0) << serve.Log();
  const std::string csv = test::ReadFile(dir_ / "a.csv");
  const auto rows = std::count(csv.begin(), csv.end(), '\n') - 1;  // minus the header
  EXPECT_EQ(static_cast<uint64_t>(rows), server_.Requests("/delay")) << serve.Log();
}

// #15 finding 9: a reload held the service lock while it drained each changed target (up to 2 s)
// and opened and closed its CSV files, so the page, /api/v1/targets and the ticks behind /metrics
// waited for it. Two targets whose server never answers drain for the whole drain time each;
// while the reload that changes them runs, the API answers and ticks publish new counts of a
// third target. "While" is shown by order: the reload logs each restart when it commits, and the
// log read after each answer has none yet.
TEST_F(ServeTest, ReloadDoesNotBlockApiWhileDraining) {
  const fs::path config = dir_ / "config.yaml";
  auto hanging = [&](const std::string& name, int concurrency) {
    return "  - name: " + name + "\n    url: " + server_.Url("/hang") +
           "\n    csv: " + (dir_ / (name + ".csv")).string() +
           "\n    load: { stages: [ { duration: 1h, concurrency: " + std::to_string(concurrency) +
           " } ] }\n    pricing: { model: hourly, usd_per_hour: 0.5 }\n";
  };
  const std::string steady = "  - name: b\n    url: " + server_.Url("/ok") +
                             "\n    csv: " + (dir_ / "b.csv").string() +
                             "\n    load: { stages: [ { duration: 1h, concurrency: 1 } ] }\n"
                             "    pricing: { model: hourly, usd_per_hour: 0.5 }\n";
  WriteFile(config, "targets:\n" + hanging("h1", 2) + hanging("h2", 2) + steady);
  ServeProcess serve(dir_, {"--config", config.string()});
  ASSERT_GT(serve.port(), 0) << serve.Log();
  // Every hanging request is on the server: each target's drain will take the full drain time.
  ASSERT_TRUE(WaitFor([&] { return server_.Requests("/hang") >= 4; }, std::chrono::seconds(30)));

  WriteFile(config, "targets:\n" + hanging("h1", 3) + hanging("h2", 3) + steady);
  const std::string committed = "target load restarted with its new definition";
  std::atomic<long> reload_status{0};
  std::jthread reload(
      [&] { reload_status = HttpFetch(serve.Url("/-/reload"), "POST", 60000).status; });
  ASSERT_TRUE(WaitFor(
      [&] { return serve.Log().find("draining target for the reload") != std::string::npos; },
      std::chrono::seconds(30)))
      << serve.Log();
  const double b_at_drain = SumOf(serve.Scrape(), "infercost_requests_total", "target=\"b\"");

  const test::HttpResponse targets = HttpFetch(serve.Url("/api/v1/targets"));
  EXPECT_EQ(serve.Log().find(committed), std::string::npos) << "the API waited for the reload";
  EXPECT_EQ(targets.status, 200);
  EXPECT_NE(targets.body.find("\"h1\""), std::string::npos) << targets.body;
  // Ticks go on: b's count grows on /metrics before the reload commits.
  bool grew = false;
  ASSERT_TRUE(WaitFor(
      [&] {
        grew = SumOf(serve.Scrape(), "infercost_requests_total", "target=\"b\"") > b_at_drain;
        return grew || serve.Log().find(committed) != std::string::npos;
      },
      std::chrono::seconds(30)));
  EXPECT_TRUE(grew && serve.Log().find(committed) == std::string::npos)
      << "no tick published while the reload drained";

  reload.join();
  EXPECT_EQ(reload_status.load(), 200) << serve.Log();
  EXPECT_NE(serve.Log().find(committed), std::string::npos);
  // The steady target lost nothing: one CSV row per request its server saw.
  EXPECT_EQ(serve.Stop(), 0) << serve.Log();
  const std::string csv = test::ReadFile(dir_ / "b.csv");
  EXPECT_EQ(static_cast<uint64_t>(std::count(csv.begin(), csv.end(), '\n') - 1),
            server_.Requests("/ok"));
}

TEST_F(ServeTest, KeepsServingThroughSlowHugeAndParallelRequests) {
  const fs::path config = dir_ / "config.yaml";
  WriteFile(config,
            "targets:\n"
            "  - name: a\n"
            "    url: " +
                server_.Url("/ok") +
                "\n"
                "    load: { stages: [ { duration: 1h, concurrency: 1 } ] }\n"
                "    pricing: { model: hourly, usd_per_hour: 0.5 }\n");
  ServeProcess serve(dir_, {"--config", config.string()});
  ASSERT_GT(serve.port(), 0) << serve.Log();

  // A client that sends half a request and stalls, and one that sends 1 MiB of headers.
  auto connect_raw = [&] {
    const int fd = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<uint16_t>(serve.port()));
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    EXPECT_EQ(connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
    return fd;
  };
  std::vector<int> stalled;
  for (int i = 0; i < 4; ++i) {
    const int fd = connect_raw();
    const std::string partial = "GET /metrics HTTP/1.1\r\nHost: x\r\n";
    EXPECT_GT(send(fd, partial.data(), partial.size(), MSG_NOSIGNAL), 0);
    stalled.push_back(fd);
  }
  const int huge = connect_raw();
  std::string big = "GET /metrics HTTP/1.1\r\nHost: x\r\nX-Big: " + std::string(1 << 20, 'a');
  send(huge, big.data(), big.size(), MSG_NOSIGNAL);

  std::atomic<int> ok{0};
  std::vector<std::thread> scrapers;
  for (int i = 0; i < 16; ++i) {
    scrapers.emplace_back([&] {
      for (int j = 0; j < 5; ++j) {
        if (HttpFetch(serve.Url("/metrics")).status == 200) ++ok;
      }
    });
  }
  // A reload in the middle of the scrapes.
  EXPECT_EQ(HttpFetch(serve.Url("/-/reload"), "POST").status, 200);
  for (std::thread& t : scrapers) t.join();
  EXPECT_EQ(ok.load(), 80);
  for (int fd : stalled) close(fd);
  close(huge);
  // Load went on throughout.
  const double before = SumOf(serve.Scrape(), "infercost_requests_total", "target=\"a\"");
  ASSERT_TRUE(WaitFor(
      [&] { return SumOf(serve.Scrape(), "infercost_requests_total", "target=\"a\"") > before; },
      std::chrono::seconds(30)));
  EXPECT_EQ(serve.Stop(), 0) << serve.Log();
}

TEST_F(ServeTest, BadConfigExitsTwoWithEveryError) {
  const fs::path config = dir_ / "bad.yaml";
  WriteFile(config, "window: 0s\ntargets:\n  - name: A\n    url: nope\n");
  ServeProcess serve(dir_, {"--config", config.string()});
  EXPECT_EQ(serve.Wait(), 2);
  const std::string log = serve.Log();
  EXPECT_NE(log.find(config.string() + ":1:9: "), std::string::npos) << log;
  EXPECT_NE(log.find(config.string() + ":3:11: "), std::string::npos) << log;
  EXPECT_NE(log.find(config.string() + ":4:10: "), std::string::npos) << log;
}

TEST_F(ServeTest, TimeScaleIsOnlyForTheEmbeddedFleet) {
  const fs::path config = dir_ / "config.yaml";
  WriteFile(config, "targets:\n  - name: a\n    url: " + server_.Url("/ok") +
                        "\n    pricing: { model: hourly, usd_per_hour: 1 }\n");
  ServeProcess serve(dir_, {"--config", config.string(), "--time-scale", "10"});
  EXPECT_EQ(serve.Wait(), 2);
  EXPECT_NE(serve.Log().find("--time-scale applies to the embedded emulated fleet only"),
            std::string::npos);
}

}  // namespace
}  // namespace infercost
