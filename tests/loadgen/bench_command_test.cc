// `infercost bench` end to end: the real binary as a process, against the test server.
#include <gtest/gtest.h>

#include <csignal>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "tests/support/process.h"
#include "tests/support/temp_dir.h"
#include "tests/support/test_server.h"
#include "tests/support/wait.h"

namespace {

namespace fs = std::filesystem;
using infercost::test::TestServer;
using Result = infercost::test::ProcessResult;

class BenchCommandTest : public ::testing::Test {
 protected:
  const infercost::test::TempDir dir_{
      std::string("bench_test_") + ::testing::UnitTest::GetInstance()->current_test_info()->name()};

  // Runs `infercost bench ARGS...` with stdout and stderr captured (not a terminal: no progress).
  Result Bench(std::vector<std::string> args) {
    args.insert(args.begin(), {INFERCOST_BINARY, "bench"});
    return infercost::test::RunProcess(args);
  }

  static bool HasLine(const std::string& text, const std::string& line) {
    return ("\n" + text).find("\n" + line + "\n") != std::string::npos;
  }
  static bool HasLinePrefix(const std::string& text, const std::string& prefix) {
    return ("\n" + text).find("\n" + prefix) != std::string::npos;
  }

  TestServer server_;
};

TEST_F(BenchCommandTest, ClosedLoopPrintsTheSeedSummaryAndOneCsvRowPerRequest) {
  const fs::path csv = dir_ / "raw.csv";
  const Result r = Bench({"--url", server_.Url("/ok"), "--concurrency", "4", "--requests", "100",
                          "--csv", csv.string()});
  ASSERT_EQ(r.exit_code, 0) << r.err << r.out;
  EXPECT_TRUE(HasLine(r.out, "Total Requests: 100")) << r.out;
  EXPECT_TRUE(HasLine(r.out, "Successful: 100 (100.00%)")) << r.out;
  EXPECT_TRUE(HasLine(r.out, "Failed: 0")) << r.out;
  EXPECT_TRUE(HasLine(r.out, "Concurrency: 4")) << r.out;
  EXPECT_TRUE(HasLine(r.out, "Raw data saved to: " + csv.string())) << r.out;
  for (const char* prefix :
       {"Average IPS: ", "Min Latency: ", "Avg Latency: ", "Max Latency: ", "P50 Latency: ",
        "P95 Latency: ", "P99 Latency: ", "Actual Duration: ", "Target URL: "}) {
    EXPECT_TRUE(HasLinePrefix(r.out, prefix)) << prefix << "\n" << r.out;
  }
  EXPECT_EQ(r.out.find("Cost per 1M"), std::string::npos);  // no pricing flags, no cost line
  EXPECT_EQ(r.err, "");                                     // not a terminal: no progress line
  EXPECT_EQ(server_.Requests(), 100u);
  std::ifstream in(csv);
  std::size_t rows = 0;
  for (std::string line; std::getline(in, line);) ++rows;
  EXPECT_EQ(rows, 101u);  // header + one per request
}

// Issue 15 finding 10: bench lost its CSV on SIGTERM (a container stopping, timeout(1)): the
// process died with its rows in memory. It ends the run as Ctrl-C does: summary and whole CSV.
TEST_F(BenchCommandTest, SigtermKeepsTheCsvAndPrintsTheSummary) {
  const fs::path csv = dir_ / "raw.csv";
  const fs::path out = dir_ / "out.txt";
  const fs::path err = dir_ / "err.txt";
  infercost::test::BackgroundProcess bench(
      {INFERCOST_BINARY, "bench", "--url", server_.Url("/ok"), "--concurrency", "2", "--duration",
       "1h", "--csv", csv.string()},
      out, err);
  // Requests on the server: the run (and its signal handling) has begun.
  ASSERT_TRUE(
      infercost::test::WaitFor([&] { return server_.Requests() >= 50; }, std::chrono::seconds(30)));
  bench.Signal(SIGTERM);
  EXPECT_EQ(bench.Wait(), 1);  // interrupted: the run did not end as asked
  std::ifstream out_in(out);
  const std::string summary((std::istreambuf_iterator<char>(out_in)), {});
  EXPECT_TRUE(HasLinePrefix(summary, "Total Requests: ")) << summary;
  std::ifstream in(csv);
  std::size_t rows = 0;
  for (std::string line; std::getline(in, line);) ++rows;
  EXPECT_EQ(rows, server_.Requests() + 1);  // header + one per request the server saw
}

TEST_F(BenchCommandTest, FailuresAreBrokenDownByOutcome) {
  const Result r =
      Bench({"--url", server_.Url("/status?code=503"), "--concurrency", "2", "--requests", "10"});
  EXPECT_EQ(r.exit_code, 1) << r.err;  // nothing succeeded: a run-time failure
  EXPECT_TRUE(HasLine(r.out, "Total Requests: 10")) << r.out;
  EXPECT_TRUE(HasLine(r.out, "Successful: 0 (0.00%)")) << r.out;
  EXPECT_TRUE(HasLine(r.out, "Failed: 10")) << r.out;
  EXPECT_TRUE(HasLine(r.out, "  http_5xx: 10")) << r.out;
  EXPECT_NE(r.err.find("no request succeeded"), std::string::npos) << r.err;
  EXPECT_EQ(server_.Requests(), 10u);
}

TEST_F(BenchCommandTest, OpenLoopReportsLagDropsAndRate) {
  const Result r = Bench(
      {"--url", server_.Url("/ok"), "--rate", "200", "--duration", "1s", "--arrival", "constant"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(HasLine(r.out, "Total Requests: 200")) << r.out;
  EXPECT_TRUE(HasLinePrefix(r.out, "Schedule Lag: p50 ")) << r.out;
  EXPECT_TRUE(HasLine(r.out, "Dropped: 0 (arrivals over the in-flight cap of 10000)")) << r.out;
  EXPECT_TRUE(HasLinePrefix(r.out, "Achieved Rate: ")) << r.out;
  EXPECT_EQ(server_.Requests(), 200u);
}

TEST_F(BenchCommandTest, ImageDirectoryIsSentFileByFile) {
  fs::create_directories(dir_ / "images");
  std::ofstream(dir_ / "images" / "a.jpg") << std::string(1000, 'a');
  std::ofstream(dir_ / "images" / "b.jpg") << std::string(3000, 'b');
  const Result r = Bench({"--url", server_.Url("/echo"), "--image-dir", (dir_ / "images").string(),
                          "--concurrency", "1", "--requests", "4", "--header", "X-Api-Key: k1",
                          "--expect-body", "X-Api-Key: k1"});
  ASSERT_EQ(r.exit_code, 0) << r.err << r.out;
  EXPECT_TRUE(HasLine(r.out, "Found 2 images for testing.")) << r.out;
  EXPECT_TRUE(HasLine(r.out, "Successful: 4 (100.00%)")) << r.out;
  EXPECT_EQ(server_.BodyBytes(), 2u * (1000 + 3000));
  EXPECT_NE(server_.LastRequest().find("POST /echo"), std::string::npos);
}

TEST_F(BenchCommandTest, LambdaPricingGivesTheSeedsCostPerMillion) {
  // The seed's C=8 Lambda figures: 1024 MB, ~631 ms billed, no gateway: about $10.7 per 1M.
  // $0.20 per 1M requests + 0.631 s x 1 GB x $0.0000166667 per GB-s = $10.72 per 1M.
  const Result r = Bench({"--url", server_.Url("/ok?billed=631"), "--concurrency", "2",
                          "--requests", "20", "--lambda-memory-mb", "1024"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(HasLine(r.out, "Cost per 1M inferences: $10.72")) << r.out;
  // What the figure leaves out is said with it (cost/cost.h Exclusions()).
  EXPECT_TRUE(HasLine(r.out,
                      "Exclusions: CloudWatch Logs ingestion not included; data transfer not "
                      "included; free tier and volume discounts not included"))
      << r.out;
}

// The same inputs as the cost model's table (tests/cost/cost_test.cc): 1024 MB billed 631 ms is
// $10.716688 per 1M; a REST API adds $3.50 (row seed_lambda_c8_631ms plus the gateway), an HTTP
// API $1.00; a flat $0.000002 per request is $2.00 per 1M.
TEST_F(BenchCommandTest, CostLineMatchesTheCostModelsTable) {
  struct Case {
    std::vector<std::string> flags;
    std::string line;
  };
  const std::vector<Case> cases = {
      {{"--lambda-memory-mb", "1024", "--api-gateway", "rest"}, "Cost per 1M inferences: $14.22"},
      {{"--lambda-memory-mb", "1024", "--api-gateway", "http"}, "Cost per 1M inferences: $11.72"},
      {{"--lambda-memory-mb", "1024", "--lambda-arch", "arm64"}, "Cost per 1M inferences: $8.61"},
      {{"--usd-per-request", "0.000002"}, "Cost per 1M inferences: $2.00"},
  };
  for (const Case& c : cases) {
    std::vector<std::string> args = {
        "--url", server_.Url("/ok?billed=631"), "--concurrency", "2", "--requests", "20"};
    args.insert(args.end(), c.flags.begin(), c.flags.end());
    const Result r = Bench(args);
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_TRUE(HasLine(r.out, c.line)) << c.line << "\n" << r.out;
  }
}

TEST_F(BenchCommandTest, HourlyPricingPrintsACost) {
  const Result r = Bench({"--url", server_.Url("/ok"), "--concurrency", "2", "--requests", "20",
                          "--usd-per-hour", "0.526"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(HasLinePrefix(r.out, "Cost per 1M inferences: $")) << r.out;
  EXPECT_TRUE(HasLinePrefix(r.out,
                            "Exclusions: load balancer (ALB hours and LCUs) not included; "
                            "public IPv4 addresses not included; EBS volumes not included"))
      << r.out;
}

// --line-items prices the optional line items as a config's pricing block does (the config's own
// reader, the cost model's rates), prints each, and drops them from the exclusions. A flat
// $0.000002 per request behind an ALB processing 1 GiB per request, logging 1 GiB per request;
// 20 requests, all billed (catalog: ALB $0.0225/h + $0.008 per LCU-hour, 1 GB of processed bytes
// per LCU-hour; CloudWatch Logs ingestion $0.50/GB):
//   load_balancer_lcu: 20 x 1 GB / 1 GB x $0.008 = $0.16
//   logs:              20 x 1 GB x $0.50        = $10.00
//   load_balancer:     $0.0225 / 3600 per second of the run
//   requests:          20 x $0.000002           = $0.00004
// https://aws.amazon.com/elasticloadbalancing/pricing/, https://aws.amazon.com/cloudwatch/pricing/
TEST_F(BenchCommandTest, LineItemsArePricedPrintedAndNoLongerExcluded) {
  const Result r = Bench({"--url", server_.Url("/ok"), "--concurrency", "2", "--requests", "20",
                          "--usd-per-request", "0.000002", "--line-items",
                          "{load_balancer: {type: alb, bytes_per_request: 1073741824}, "
                          "cloudwatch_logs_bytes_per_request: 1073741824}"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const std::size_t at = r.out.find("Actual Duration: ");
  ASSERT_NE(at, std::string::npos) << r.out;
  const double seconds = std::stod(r.out.substr(at + 17));
  const double alb_hours = 0.0225 * seconds / 3600;
  const std::size_t line = r.out.find("Line Items: load_balancer $");
  ASSERT_NE(line, std::string::npos) << r.out;
  // Two significant digits below a cent, and the duration printed to 10 ms: within 10 %.
  EXPECT_NEAR(std::stod(r.out.substr(line + 27)), alb_hours, 0.1 * alb_hours + 1e-7) << r.out;
  EXPECT_NE(r.out.find(", load_balancer_lcu $0.16, logs $10.00\n"), std::string::npos) << r.out;
  // The per-1M figure: ($0.16 + $10.00 + $0.00004 + ALB hours) / 20 x 1e6.
  const std::size_t cost = r.out.find("Cost per 1M inferences: $");
  ASSERT_NE(cost, std::string::npos) << r.out;
  const double hand_worked = (0.16 + 10.0 + 0.00004 + alb_hours) / 20 * 1e6;
  EXPECT_NEAR(std::stod(r.out.substr(cost + 25)), hand_worked, 0.01) << r.out;
  // Logs are priced, the ALB's processed bytes too: only the LCU dimensions it does not price,
  // data transfer and discounts are left out.
  EXPECT_TRUE(HasLine(r.out,
                      "Exclusions: ALB LCUs for new connections, active connections and rule "
                      "evaluations not included (LCUs priced on processed bytes); data transfer "
                      "not included; free tier and volume discounts not included"))
      << r.out;
}

// On an instance: public IPv4 and EBS leave the exclusions; the load balancer stays in them.
// 2 addresses x $0.005/h, 100 GB of gp3 x $0.08 per GB-month / 730 h: per second of the run
// $0.01 / 3600 and $0.010959 / 3600.
// https://aws.amazon.com/vpc/pricing/ (public IPv4), https://aws.amazon.com/ebs/pricing/
TEST_F(BenchCommandTest, InstanceLineItemsShrinkTheExclusions) {
  // A one-second run: its duration, printed to 10 ms, then sets the hourly items to 1 %.
  const Result r = Bench({"--url", server_.Url("/delay?ms=20"), "--concurrency", "1", "--duration",
                          "1s", "--instance-type", "g4dn.xlarge", "--line-items",
                          "{public_ipv4: 2, ebs_gb: 100, ebs_type: gp3}"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const std::size_t at = r.out.find("Actual Duration: ");
  ASSERT_NE(at, std::string::npos) << r.out;
  const double seconds = std::stod(r.out.substr(at + 17));
  const double ipv4 = 2 * 0.005 * seconds / 3600;
  const double ebs = 100 * 0.08 / 730 * seconds / 3600;
  const std::size_t line = r.out.find("Line Items: public_ipv4 $");
  ASSERT_NE(line, std::string::npos) << r.out;
  // Two significant digits (FormatUsd below a cent) and the duration to 10 ms: within 5 %.
  EXPECT_NEAR(std::stod(r.out.substr(line + 25)), ipv4, 0.05 * ipv4) << r.out;
  const std::size_t ebs_at = r.out.find(", ebs $", line);
  ASSERT_NE(ebs_at, std::string::npos) << r.out;
  EXPECT_NEAR(std::stod(r.out.substr(ebs_at + 7)), ebs, 0.05 * ebs) << r.out;
  EXPECT_TRUE(HasLine(r.out,
                      "Exclusions: load balancer (ALB hours and LCUs) not included; data transfer "
                      "not included; free tier and volume discounts not included"))
      << r.out;
}

TEST_F(BenchCommandTest, RefusedConnectionsAreCountedAndTheRunFails) {
  TestServer* gone = new TestServer();
  const std::string url = gone->Url("/ok");
  delete gone;  // nothing listens there any more
  const Result r = Bench({"--url", url, "--concurrency", "2", "--requests", "6"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_TRUE(HasLine(r.out, "  connect_error: 6")) << r.out;
}

TEST_F(BenchCommandTest, HelpExitsZero) {
  const Result r = Bench({"--help"});
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_NE(r.out.find("--concurrency"), std::string::npos);
  EXPECT_NE(r.out.find("--lambda-memory-mb"), std::string::npos);
}

TEST_F(BenchCommandTest, BadInputExitsTwoWithAMessageAndSendsNothing) {
  const std::string url = server_.Url("/ok");
  struct Case {
    std::vector<std::string> args;
    std::string message;
  };
  const std::vector<Case> cases = {
      {{"--concurrency", "4", "--requests", "1"},
       "give exactly one of --url, --lambda-function or --sagemaker-endpoint"},
      {{"--url", url, "--concurrency", "0", "--requests", "1"}, "--concurrency must be at least 1"},
      {{"--url", url, "--rate", "0", "--duration", "1s"}, "--rate must be a positive number"},
      {{"--url", url, "--rate", "-5", "--duration", "1s"}, "--rate must be a positive number"},
      {{"--url", url, "--concurrency", "2", "--rate", "5", "--requests", "1"},
       "give exactly one of --concurrency"},
      {{"--url", url, "--requests", "1"}, "give exactly one of --concurrency"},
      {{"--url", url, "--concurrency", "1", "--duration", "1s", "--requests", "3"},
       "give exactly one of --duration"},
      {{"--url", url, "--concurrency", "1"}, "give exactly one of --duration"},
      {{"--url", "not a url", "--concurrency", "1", "--requests", "1"},
       "URL 'not a url' contains a space or control character"},
      {{"--url", "ftp://127.0.0.1/x", "--concurrency", "1", "--requests", "1"},
       "URL 'ftp://127.0.0.1/x' has scheme 'ftp'; use http or https"},
      {{"--url", "http://", "--concurrency", "1", "--requests", "1"}, "URL 'http://'"},
      {{"--url", url, "--concurrency", "1", "--requests", "1", "--image-dir", "/no/such/dir"},
       "image directory /no/such/dir does not exist"},
      {{"--url", url, "--concurrency", "1", "--duration", "soon"}, "is not a duration"},
      {{"--url", url, "--concurrency", "1", "--duration", "-5s"},
       "--duration: must be greater than 0"},
      {{"--url", url, "--concurrency", "1", "--duration", "30"},
       "--duration: '30' has no unit; write 30s"},
      {{"--url", url, "--rate", "5", "--arrival", "bursty", "--duration", "1s"},
       "--arrival must be constant or poisson"},
      {{"--url", url, "--concurrency", "1", "--arrival", "poisson", "--requests", "1"},
       "--arrival applies to --rate only"},
      {{"--url", url, "--concurrency", "1", "--requests", "1", "--header", "NoColon"},
       "must look like 'Name: value'"},
      {{"--url", url, "--concurrency", "1", "--requests", "1", "--encoding", "zip"},
       "--encoding must be raw, base64_json or multipart"},
      {{"--url", url, "--concurrency", "1", "--requests", "1", "--timeout", "0s"},
       "--timeout: must be greater than 0"},
      {{"--url", url, "--concurrency", "1", "--requests", "1", "--instance-type", "p9.huge"},
       "p9.huge"},
      {{"--url", url, "--concurrency", "1", "--requests", "1", "--instance-type", "t3.medium",
        "--lambda-memory-mb", "1024"},
       "not both"},
      {{"--url", url, "--concurrency", "1", "--requests", "1", "--lambda-arch", "arm64"},
       "need --lambda-memory-mb"},
      {{"--url", url, "--concurrency", "1", "--requests", "1", "--csv",
        (dir_ / "no" / "dir" / "x.csv").string()},
       "cannot write CSV file"},
      {{"--url", url, "--concurrency", "1", "--requests", "1", "--bogus"}, "--bogus"},
      {{"--url", url, "--concurrency", "many", "--requests", "1"}, "--concurrency"},
      {{"--url", url, "--concurrency", "1", "--requests", "1", "--threads", "0"},
       "--threads must be between 1 and 64"},
      // --line-items: the config reader's keys, checks and messages, at --line-items:LINE:COL.
      {{"--url", url, "--concurrency", "1", "--requests", "1", "--instance-type", "t3.medium",
        "--line-items", "{public_ipv4: 1, ebs_gb: 30}"},
       "--line-items:1:26: ebs_gb: needs ebs_type beside it"},
      {{"--url", url, "--concurrency", "1", "--requests", "1", "--lambda-memory-mb", "1024",
        "--line-items", "{public_ipv4: 1}"},
       "public_ipv4: does not apply to model lambda"},
      {{"--url", url, "--concurrency", "1", "--requests", "1", "--instance-type", "t3.medium",
        "--line-items", "{load_balancers: {type: alb}}"},
       "load_balancers"},
      {{"--url", url, "--concurrency", "1", "--requests", "1", "--line-items", "{public_ipv4: 1}"},
       "--line-items needs a price"},
  };
  for (const Case& c : cases) {
    const Result r = Bench(c.args);
    std::string joined;
    for (const auto& a : c.args) joined += a + " ";
    EXPECT_EQ(r.exit_code, 2) << joined << "\n" << r.err;
    EXPECT_NE(r.err.find(c.message), std::string::npos) << joined << "\nstderr: " << r.err;
    EXPECT_EQ(r.out, "") << joined;
  }
  EXPECT_EQ(server_.Requests(), 0u);
}

// A saturated t3.medium bills its list price plus surplus credits (unlimited mode, u = 1):
// $0.0416 + (1 - 0.2 baseline) x 2 vCPU x $0.05 = $0.1216 an hour. At 20 IPS that is
// $0.1216 / (20 x 3600) x 1e6 = $1.69 per 1M (the list price alone: $0.58). A closed loop of one
// against a 50 ms server saturates it at just under 20 IPS (fewer on a loaded machine: the IPS is
// not asserted): the printed figure must be within 2 % of $0.1216 / (IPS x 3600) x 1e6 at the IPS
// it printed.
// https://aws.amazon.com/ec2/pricing/on-demand/ (t3.medium), and the surplus credit price on
// (the page's "T2/T3/T4g Unlimited Mode Pricing" section)
TEST_F(BenchCommandTest, SaturatedBurstableInstancePaysSurplusCredits) {
  const Result r = Bench({"--url", server_.Url("/delay?ms=50"), "--concurrency", "1", "--duration",
                          "3s", "--instance-type", "t3.medium"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto value_after = [&](const std::string& prefix) {
    const std::size_t at = r.out.find(prefix);
    EXPECT_NE(at, std::string::npos) << prefix << "\n" << r.out;
    return at == std::string::npos ? 0.0 : std::stod(r.out.substr(at + prefix.size()));
  };
  const double ips = value_after("Average IPS: ");
  const double usd = value_after("Cost per 1M inferences: $");
  ASSERT_GT(ips, 0);
  const double hand_worked = 0.1216 / (ips * 3600) * 1e6;
  EXPECT_NEAR(usd, hand_worked, 0.02 * hand_worked) << r.out;
  EXPECT_NE(r.out.find("surplus credits priced at utilisation 1"), std::string::npos) << r.out;
  std::printf("saturated t3.medium: %.2f IPS, $%.2f per 1M (hand-worked $%.4f)\n", ips, usd,
              hand_worked);
}

// An open loop cannot tell the capacity: without --capacity it says so; with it, it prices.
// At 20/s offered and --capacity 20: u = 1, $0.1216 / (20 x 3600) x 1e6 = $1.69 per 1M (the
// achieved IPS can be a little under 20 at the run's edges: within 3 %).
TEST_F(BenchCommandTest, OpenLoopPricesSurplusCreditsOnlyWithACapacity) {
  const std::vector<std::string> base = {
      "--url", server_.Url("/ok"), "--rate",   "20", "--duration",
      "2s",    "--instance-type",  "t3.medium"};
  const Result without = Bench(base);
  ASSERT_EQ(without.exit_code, 0) << without.err;
  EXPECT_NE(without.out.find("surplus credits NOT priced: an open loop cannot tell the target's "
                             "capacity; give --capacity IPS"),
            std::string::npos)
      << without.out;
  std::vector<std::string> with = base;
  with.insert(with.end(), {"--capacity", "20"});
  const Result priced = Bench(with);
  ASSERT_EQ(priced.exit_code, 0) << priced.err;
  const std::size_t at = priced.out.find("Cost per 1M inferences: $");
  ASSERT_NE(at, std::string::npos) << priced.out;
  EXPECT_NEAR(std::stod(priced.out.substr(at + 25)), 1.69, 0.05) << priced.out;
}

}  // namespace
