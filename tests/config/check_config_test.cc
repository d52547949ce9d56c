// `infercost check-config`, run as a process: exit codes, stdout and stderr.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "tests/support/process.h"

namespace {

const std::string kSource = INFERCOST_SOURCE_DIR;
const std::string kTestData = kSource + "/tests/testdata";

using infercost::test::ProcessResult;

// Runs the infercost binary with exactly `env` as its environment.
ProcessResult Infercost(const std::vector<std::string>& args,
                        const std::vector<std::string>& env = {}) {
  std::vector<std::string> argv = {INFERCOST_BINARY};
  argv.insert(argv.end(), args.begin(), args.end());
  infercost::test::RunOptions options;
  options.env = env;
  return infercost::test::RunProcess(argv, options);
}

std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

TEST(CheckConfig, ValidFileExitsZeroWithASummary) {
  const std::string file = kTestData + "/valid-minimal.yaml";
  const ProcessResult run = Infercost({"check-config", file});
  EXPECT_EQ(run.exit_code, 0) << run.err;
  EXPECT_EQ(run.err, "");
  const std::vector<std::string> lines = Lines(run.out);
  ASSERT_GE(lines.size(), 2u) << run.out;
  EXPECT_EQ(lines[0], file + ": valid: 1 target (a), window 1m");
  EXPECT_EQ(lines[1].rfind("  a: concurrency 1 throughout", 0), 0u) << lines[1];
}

TEST(CheckConfig, ShowsTheMetricsSettings) {
  const std::string file = kTestData + "/valid-metrics-coarse.yaml";
  const ProcessResult run = Infercost({"check-config", file});
  EXPECT_EQ(run.exit_code, 0) << run.err;
  EXPECT_NE(run.out.find("\n  metrics: latency_buckets coarse, quantiles off\n"), std::string::npos)
      << run.out;
}

// valid-spend.yaml by hand, with the built-in us-east-1 prices:
// fn: 10 requests/s for 30 min of each hour = 18,000 requests/h; at 500 ms each that is 9,000
// GB-s at 1 GB. $0.20 per 1M requests -> $0.0036; 9,000 x $0.0000166667 -> $0.15; $0.1536/h.
// A $1 limit lasts 1 / 0.1536 h = 6 h 31 min. At 1 s: $0.3036/h, 3 h 18 min.
// box: 2 x g4dn.xlarge at $0.526/h = $1.052/h whatever the load. All: $1.2056/h.
TEST(CheckConfig, EstimatesSpendPerHourFromTheCostModel) {
  const std::string file = kTestData + "/valid-spend.yaml";
  const ProcessResult run = Infercost({"check-config", file});
  EXPECT_EQ(run.exit_code, 0) << run.err;
  EXPECT_EQ(run.out,
            file +
                ": valid: 2 targets (fn, box), window 1m\n"
                "  fn: 1h cycle (30m rate 10/s, 30m idle)\n"
                "    spend about $0.15/h (time $0.00/h + requests $0.15/h, assuming "
                "500ms per request); spend_limit_usd $1.00 reached after about 6h31m\n"
                "    exclusions: CloudWatch Logs ingestion not included; data transfer not "
                "included; free tier and volume discounts not included\n"
                "  box: concurrency 1 throughout\n"
                "    spend about $1.05/h (time $1.05/h + requests $0.00/h)\n"
                "    exclusions: load balancer (ALB hours and LCUs) not included; public "
                "IPv4 addresses not included; EBS volumes not included; data transfer "
                "not included; free tier and volume discounts not included\n"
                "  all targets: about $1.21/h\n"
                "  metrics: latency_buckets standard, quantiles on\n");

  const ProcessResult slower = Infercost({"check-config", "--latency", "1s", file});
  EXPECT_EQ(slower.exit_code, 0) << slower.err;
  EXPECT_NE(slower.out.find("    spend about $0.30/h (time $0.00/h + requests $0.30/h, assuming 1s "
                            "per request); spend_limit_usd $1.00 reached after about 3h18m\n"),
            std::string::npos)
      << slower.out;

  const ProcessResult bad = Infercost({"check-config", "--latency", "0", file});
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_EQ(bad.err, "infercost check-config: --latency: must be greater than 0, got '0'\n");
}

// valid-line-items.yaml by hand, with the built-in us-east-1 prices, for one hour:
// web: 2 x c5.xlarge at $0.17/h = $0.34; ALB $0.0225; 100/s x 3600 s x 102,400 B / 2^30 =
//   34.332275390625 GB = LCU-hours x $0.008 = $0.274658203125; 2 addresses x $0.005 = $0.01;
//   100 GB gp3 x $0.08 / 730 h x 2 instances = $0.0219178; about $0.669076/h.
// fn: 36,000 requests x $0.0000002 = $0.0072 + 18,000 s x 1 GB x $0.0000166667 = $0.3000006;
//   logs 36,000 x 365 B / 2^30 x $0.50 = $0.0061187; ephemeral storage (1536 - 512) / 1024 =
//   1 GB x 18,000 s x $0.0000000309 = $0.0005562; about $0.313875/h. All: about $0.98/h.
TEST(CheckConfig, PricesTheLineItemsAndSaysWhatIsExcluded) {
  const std::string file = kTestData + "/valid-line-items.yaml";
  const ProcessResult run = Infercost({"check-config", file});
  EXPECT_EQ(run.exit_code, 0) << run.err;
  EXPECT_EQ(run.out,
            file +
                ": valid: 2 targets (web, fn), window 1m\n"
                "  web: 1h cycle (1h rate 100/s)\n"
                "    spend about $0.67/h (time $0.34/h + requests $0.00/h + load_balancer $0.02/h "
                "+ load_balancer_lcu $0.27/h + public_ipv4 $0.01/h + ebs $0.02/h)\n"
                "    exclusions: ALB LCUs for new connections, active connections and rule "
                "evaluations not included (LCUs priced on processed bytes); data transfer not "
                "included; free tier and volume discounts not included\n"
                "  fn: 1h cycle (1h rate 10/s)\n"
                "    spend about $0.31/h (time $0.00/h + requests $0.31/h + logs $0.0061/h + "
                "ephemeral_storage $0.00056/h, assuming 500ms per request)\n"
                "    exclusions: data transfer not included; free tier and volume discounts not "
                "included\n"
                "  all targets: about $0.98/h\n"
                "  metrics: latency_buckets standard, quantiles on\n");
}

TEST(CheckConfig, InvalidFileExitsTwoWithEveryErrorOnStderr) {
  const std::string file = kTestData + "/invalid-many.yaml";
  const ProcessResult run = Infercost({"check-config", file});
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_EQ(run.out, "");
  const std::vector<std::string> lines = Lines(run.err);
  ASSERT_EQ(lines.size(), 10u) << run.err;
  EXPECT_EQ(lines.front(),
            file + ":2:9: listen: 'localhost' must be HOST:PORT, e.g. 0.0.0.0:18090");
  EXPECT_EQ(lines.back(),
            file + ":17:27: x-api-key: environment variable INFER_UNSET_KEY is not set");
  for (const std::string& line : lines) EXPECT_EQ(line.rfind(file + ":", 0), 0u) << line;
}

TEST(CheckConfig, MalformedYamlIsOneErrorAtYamlCppsPosition) {
  const std::string file = kTestData + "/invalid-malformed-yaml.yaml";
  const ProcessResult run = Infercost({"check-config", file});
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_EQ(run.err, file + ":6:12: invalid YAML: end of sequence flow not found\n");
}

TEST(CheckConfig, NeverPrintsASecret) {
  const std::vector<std::string> env = {"TARGET_NAME=from-env",
                                        "INFERCOST_EMULATOR_URL=http://127.0.0.1:4321",
                                        "TOKEN=tok-SECRET-value",
                                        "USER_ID=u-77",
                                        "STAGE=2m",
                                        "CONCURRENCY=6",
                                        "PRICE=0.75"};
  const ProcessResult ok = Infercost({"check-config", kTestData + "/valid-vars.yaml"}, env);
  EXPECT_EQ(ok.exit_code, 0) << ok.err;
  EXPECT_EQ(ok.out.find("tok-SECRET-value"), std::string::npos) << ok.out;

  const std::string yaml = ::testing::TempDir() + "/check-config-secret.yaml";
  std::ofstream(yaml) << "targets:\n"
                         "  - name: a\n"
                         "    url: ftp://${TOKEN}@host/\n"
                         "    pricing: { model: hourly, usd_per_hour: 1 }\n";
  const ProcessResult bad = Infercost({"check-config", yaml}, env);
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_EQ(bad.err,
            yaml + ":3:10: url: 'ftp://${TOKEN}@host/' has scheme 'ftp'; use http or https\n");
  std::filesystem::remove(yaml);
}

TEST(CheckConfig, MissingFileAndBadUsageExitTwo) {
  const ProcessResult missing = Infercost({"check-config", kTestData + "/no-such.yaml"});
  EXPECT_EQ(missing.exit_code, 2);
  EXPECT_EQ(missing.err, kTestData + "/no-such.yaml: cannot read: No such file or directory\n");

  const ProcessResult no_file = Infercost({"check-config"});
  EXPECT_EQ(no_file.exit_code, 2);
  EXPECT_NE(no_file.err.find("FILE is required"), std::string::npos) << no_file.err;

  const ProcessResult extra = Infercost({"check-config", "a.yaml", "b.yaml"});
  EXPECT_EQ(extra.exit_code, 2);

  const ProcessResult help = Infercost({"check-config", "--help"});
  EXPECT_EQ(help.exit_code, 0);
  EXPECT_NE(help.out.find("FILE:LINE:COL"), std::string::npos) << help.out;
}

TEST(CheckConfig, EmulatedAwsExamplePasses) {
  const std::string file = kSource + "/examples/emulated-aws.yaml";
  const ProcessResult run = Infercost({"check-config", file});
  EXPECT_EQ(run.exit_code, 0) << run.err;
  const std::vector<std::string> lines = Lines(run.out);
  ASSERT_FALSE(lines.empty());
  EXPECT_EQ(lines[0], file +
                          ": valid: 5 targets (g4dn-xlarge, t3-medium, t4g-medium, lambda-1024, "
                          "sagemaker-g4dn), window 30s");
  EXPECT_NE(run.out.find("INFERCOST_EMULATOR_URL is unset"), std::string::npos) << run.out;
}

TEST(CheckConfig, AwsTemplatePassesWithItsVariablesSet) {
  const std::string file = kSource + "/examples/aws.yaml";
  const ProcessResult run =
      Infercost({"check-config", file},
                {"INFER_IMAGE_DIR=" + kTestData + "/images", "INFER_API_KEY=key-NOT-TO-PRINT"});
  EXPECT_EQ(run.exit_code, 0) << run.err;
  const std::vector<std::string> lines = Lines(run.out);
  ASSERT_FALSE(lines.empty());
  EXPECT_EQ(lines[0], file +
                          ": valid: 6 targets (g4dn-xlarge, t3-medium, t4g-medium, "
                          "lambda-1024, lambda-invoke, sagemaker-g4dn), window 1m");

  EXPECT_EQ(run.out.find("key-NOT-TO-PRINT"), std::string::npos);

  const ProcessResult unset = Infercost({"check-config", file});
  EXPECT_EQ(unset.exit_code, 2);
  EXPECT_NE(unset.err.find("environment variable INFER_API_KEY is not set"), std::string::npos);
}

}  // namespace
