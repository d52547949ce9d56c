// The config reader: valid files parse to the expected structs, ${VAR} expansion and secrets,
// sharding, URL and address checks, and the two example configs.
#include "config/config.h"

#include <gtest/gtest.h>

#include <chrono>
#include <fstream>
#include <map>
#include <numeric>
#include <sstream>

#include "config/usage.h"
#include "cost/billability.h"
#include "tests/cost/cost_test_util.h"

namespace infercost {
namespace {

using std::chrono::milliseconds;
using std::chrono::minutes;
using std::chrono::seconds;
using Kind = loadgen::Stage::Kind;

const std::string kTestData = std::string(INFERCOST_SOURCE_DIR) + "/tests/testdata";

EnvLookup FakeEnv(std::map<std::string, std::string> vars) {
  return [vars = std::move(vars)](const std::string& name) -> std::optional<std::string> {
    auto it = vars.find(name);
    if (it == vars.end()) return std::nullopt;
    return it->second;
  };
}

std::string Errors(const ConfigResult& result) {
  std::string out;
  for (const ConfigError& e : result.errors) out += e.ToString() + "\n";
  return out;
}

Config LoadValid(const std::string& name, const EnvLookup& env) {
  ConfigResult result = LoadConfigFile(kTestData + "/" + name, env);
  EXPECT_TRUE(result.errors.empty()) << Errors(result);
  EXPECT_TRUE(result.config.has_value());
  return result.config.value_or(Config{});
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// The seed loadgen::SplitPlan gives part `index` of `count` of a plan seeded `seed`.
uint64_t SplitSeed(uint64_t seed, int count, int index) {
  loadgen::LoadPlan plan;
  plan.seed = seed;
  return loadgen::SplitPlan(plan, count, index).seed;
}

TEST(ParseConfig, MinimalConfigTakesEveryDefault) {
  const Config config = LoadValid("valid-minimal.yaml", FakeEnv({}));
  EXPECT_EQ(config.listen, "0.0.0.0:18090");
  EXPECT_EQ(config.window, seconds(60));
  EXPECT_EQ(config.threads, 1);
  EXPECT_EQ(config.shard.index, 0);
  EXPECT_EQ(config.shard.count, 1);
  EXPECT_EQ(config.prices_file, "");
  EXPECT_EQ(config.source, kTestData + "/valid-minimal.yaml");
  EXPECT_TRUE(config.secrets.empty());
  ASSERT_EQ(config.targets.size(), 1u);
  const TargetConfig& t = config.targets[0];
  EXPECT_EQ(t.name, "a");
  EXPECT_EQ(t.request.url, "http://127.0.0.1:8080/predict");
  EXPECT_EQ(t.request.method, "POST");
  EXPECT_TRUE(t.request.headers.empty());
  EXPECT_EQ(t.request.payloads, nullptr);  // the caller loads bodies
  EXPECT_EQ(t.request.timeout, seconds(30));
  EXPECT_EQ(t.request.expect.status, 0);
  EXPECT_EQ(t.request.expect.max_body_bytes, std::size_t{1} << 20);
  EXPECT_EQ(t.request.cold_start.header, "X-Cold-Start");
  EXPECT_FALSE(t.request.cold_start.latency_above.has_value());
  EXPECT_EQ(t.request.billed_duration_header, "X-Billed-Duration-Ms");
  EXPECT_FALSE(t.request.sigv4.has_value());
  EXPECT_TRUE(t.request.verify_tls);
  EXPECT_EQ(t.body.file, "");
  EXPECT_EQ(t.body.image_dir, "");
  EXPECT_EQ(t.body.inline_body, "");
  // No load: one closed-loop request at a time, for as long as the service runs.
  ASSERT_EQ(t.load.stages.size(), 1u);
  EXPECT_EQ(t.load.stages[0].kind, Kind::kClosed);
  EXPECT_EQ(t.load.stages[0].concurrency, 1);
  EXPECT_EQ(t.load.stages[0].duration.count(), 0);
  EXPECT_FALSE(t.load.repeat);
  EXPECT_EQ(t.load.max_in_flight, 0);
  EXPECT_EQ(t.pricing.model, PricingModel::kHourly);
  EXPECT_EQ(t.pricing.usd_per_hour, 0.5);
  EXPECT_EQ(t.pricing.region, "us-east-1");
  EXPECT_EQ(t.pricing.price_basis, PriceBasis::kOnDemand);
  EXPECT_FALSE(t.budget_usd_per_million.has_value());
  EXPECT_FALSE(t.spend_limit_usd.has_value());
  EXPECT_FALSE(t.slo_p95.has_value());
  EXPECT_EQ(t.csv, "");
}

TEST(ParseConfig, FullConfigSetsEveryKey) {
  const Config config =
      LoadValid("valid-full.yaml", FakeEnv({{"INFER_API_HOST", "abc.execute-api.example"},
                                            {"INFER_API_KEY", "key-123"},
                                            {"AWS_SECRET_ACCESS_KEY", "wJalrXUtnFEMI"}}));
  EXPECT_EQ(config.listen, "127.0.0.1:19090");
  EXPECT_EQ(config.window, seconds(45));
  EXPECT_EQ(config.threads, 4);
  EXPECT_EQ(config.shard.index, 1);
  EXPECT_EQ(config.shard.count, 3);
  EXPECT_EQ(config.prices_file, kTestData + "/prices-eu-west-1.yaml");
  ASSERT_EQ(config.targets.size(), 4u);

  const TargetConfig& lambda = config.targets[0];
  EXPECT_EQ(lambda.name, "lambda-1024");
  EXPECT_EQ(lambda.request.url, "https://abc.execute-api.example/default/infer");
  EXPECT_EQ(lambda.request.method, "PUT");
  EXPECT_EQ(
      lambda.request.headers,
      (std::vector<std::string>{"x-api-key: key-123", "X-Literal: price ${NOT_A_VAR} stays"}));
  EXPECT_EQ(lambda.body.image_dir, kTestData + "/images");
  EXPECT_EQ(lambda.body.encoding, loadgen::BodyEncoding::kBase64Json);
  EXPECT_EQ(lambda.body.field, "picture");
  EXPECT_EQ(lambda.body.content_type, "image/png");
  EXPECT_EQ(lambda.request.expect.status, 201);
  EXPECT_EQ(lambda.request.expect.body_contains, "label");
  EXPECT_EQ(lambda.request.expect.max_body_bytes, 4096u);
  EXPECT_EQ(lambda.request.timeout, seconds(29));
  EXPECT_EQ(lambda.request.cold_start.header, "X-Init");
  EXPECT_EQ(lambda.request.cold_start.latency_above, milliseconds(2500));
  EXPECT_EQ(lambda.request.billed_duration_header, "X-Billed");
  // Shard 1 of 3, target position 0: concurrency 8 = 3 + 3 + 2 with shard 1 getting 3; rates
  // split exactly; max_in_flight ceil(100 / 3).
  const loadgen::LoadPlan& plan = lambda.load;
  ASSERT_EQ(plan.stages.size(), 3u);
  EXPECT_EQ(plan.stages[0].kind, Kind::kClosed);
  EXPECT_EQ(plan.stages[0].duration, minutes(10));
  EXPECT_EQ(plan.stages[0].concurrency, 3);
  EXPECT_EQ(plan.stages[1].kind, Kind::kOpen);
  EXPECT_EQ(plan.stages[1].duration, seconds(90));
  EXPECT_DOUBLE_EQ(plan.stages[1].rate, 1.5);
  EXPECT_EQ(plan.stages[1].arrival, loadgen::Arrival::kPoisson);
  EXPECT_EQ(plan.stages[2].kind, Kind::kIdle);
  EXPECT_EQ(plan.stages[2].duration, minutes(15));
  EXPECT_TRUE(plan.repeat);
  EXPECT_EQ(plan.seed, SplitSeed(42, 3, 1));
  EXPECT_EQ(plan.max_in_flight, 34);
  const PricingSpec& p = lambda.pricing;
  EXPECT_EQ(p.model, PricingModel::kLambda);
  EXPECT_EQ(p.memory_mb, 2048);
  EXPECT_EQ(p.architecture, Architecture::kArm64);
  EXPECT_EQ(p.api_gateway, ApiGateway::kHttp);
  EXPECT_EQ(p.provisioned_concurrency, 2);
  EXPECT_EQ(p.usd_per_request, 0.0000004);
  EXPECT_EQ(p.region, "eu-west-1");
  EXPECT_EQ(p.fixed_usd_per_hour, 0.25);
  EXPECT_EQ(p.price_basis, PriceBasis::kSavingsPlan);
  EXPECT_EQ(lambda.budget_usd_per_million, 12.5);
  EXPECT_EQ(lambda.spend_limit_usd, 2.0);  // 6 over 3 shards
  EXPECT_EQ(lambda.slo_p95, milliseconds(800));
  EXPECT_EQ(lambda.csv, kTestData + "/lambda.csv");
  ASSERT_TRUE(lambda.request.sigv4.has_value());
  EXPECT_EQ(lambda.request.sigv4->provider, "aws:amz:eu-west-1:execute-api");
  EXPECT_EQ(lambda.request.sigv4->access_key, "AKIDEXAMPLE");
  EXPECT_EQ(lambda.request.sigv4->secret_key, "wJalrXUtnFEMI");
  EXPECT_EQ(lambda.request.sigv4->session_token, "literal-session-token");
  EXPECT_FALSE(lambda.request.verify_tls);

  const TargetConfig& t4g = config.targets[1];
  EXPECT_EQ(t4g.name, "t4g_medium");
  EXPECT_EQ(t4g.request.method, "GET");
  EXPECT_EQ(t4g.body.file, kTestData + "/images/a-red.png");
  EXPECT_EQ(t4g.body.encoding, loadgen::BodyEncoding::kMultipart);
  EXPECT_EQ(t4g.body.field, "image");
  EXPECT_EQ(t4g.pricing.model, PricingModel::kInstance);
  EXPECT_EQ(t4g.pricing.instance_type, "t4g.medium");
  EXPECT_EQ(t4g.pricing.count, 3);
  EXPECT_EQ(t4g.pricing.cpu_credits, CpuCredits::kStandard);
  EXPECT_EQ(t4g.pricing.usd_per_hour, 0.02);
  EXPECT_EQ(t4g.pricing.price_basis, PriceBasis::kReserved);
  // The default load, sharded: concurrency 1 goes to shard (position 1 mod 3) = 1, this one.
  ASSERT_EQ(t4g.load.stages.size(), 1u);
  EXPECT_EQ(t4g.load.stages[0].kind, Kind::kClosed);
  EXPECT_EQ(t4g.load.stages[0].concurrency, 1);

  const TargetConfig& on_prem = config.targets[2];
  EXPECT_EQ(on_prem.request.url, "http://gpu-box:8080/predict");
  EXPECT_EQ(on_prem.body.inline_body, "{\"ping\": true}");
  EXPECT_EQ(on_prem.body.content_type, "application/json");
  EXPECT_EQ(on_prem.pricing.model, PricingModel::kHourly);
  EXPECT_EQ(on_prem.pricing.usd_per_hour, 1.10);
  EXPECT_EQ(on_prem.pricing.instance_type, "custom-gpu");
  ASSERT_EQ(on_prem.load.stages.size(), 1u);
  EXPECT_DOUBLE_EQ(on_prem.load.stages[0].rate, 2.0 / 3);
  EXPECT_EQ(on_prem.load.stages[0].arrival, loadgen::Arrival::kConstant);

  const TargetConfig& per_call = config.targets[3];
  EXPECT_EQ(per_call.request.url, "http://[::1]:9000/v1/infer?model=mobilenet_v2");
  EXPECT_EQ(per_call.pricing.model, PricingModel::kPerRequest);
  EXPECT_EQ(per_call.pricing.usd_per_request, 0.001);
  EXPECT_EQ(per_call.request.cold_start.header, "");
  EXPECT_EQ(per_call.request.billed_duration_header, "");

  // Expanded string values and the SigV4 credentials, in the order they were read.
  EXPECT_EQ(config.secrets,
            (std::vector<std::string>{"abc.execute-api.example", "key-123", "AKIDEXAMPLE",
                                      "wJalrXUtnFEMI", "literal-session-token"}));
}

TEST(ParseConfig, DesignDocumentExampleParses) {
  const Config config = LoadValid("valid-design.yaml", FakeEnv({{"INFER_API_KEY", "k-1"},
                                                                {"AWS_ACCESS_KEY_ID", "AKID"},
                                                                {"AWS_SECRET_ACCESS_KEY", "s-2"}}));
  ASSERT_EQ(config.targets.size(), 3u);
  const TargetConfig& lambda = config.targets[0];
  EXPECT_EQ(lambda.load.stages.size(), 3u);
  EXPECT_EQ(lambda.pricing.provisioned_concurrency, 1);
  ASSERT_TRUE(lambda.request.sigv4.has_value());
  EXPECT_EQ(lambda.request.sigv4->secret_key, "s-2");
  EXPECT_EQ(config.targets[1].pricing.instance_type, "t4g.medium");
  EXPECT_EQ(config.targets[2].pricing.usd_per_hour, 1.10);
  EXPECT_EQ(config.secrets, (std::vector<std::string>{"k-1", "AKID", "s-2"}));
}

TEST(ParseConfig, ExpandsVariablesInEveryValueAndCollectsStringSecrets) {
  const Config config =
      LoadValid("valid-vars.yaml", FakeEnv({{"TARGET_NAME", "from-env"},
                                            {"INFERCOST_EMULATOR_URL", "http://127.0.0.1:4321"},
                                            {"TOKEN", "tok-SECRET"},
                                            {"USER_ID", "u-77"},
                                            {"STAGE", "2m"},
                                            {"CONCURRENCY", "6"},
                                            {"PRICE", "0.75"}}));
  ASSERT_EQ(config.targets.size(), 1u);
  const TargetConfig& t = config.targets[0];
  EXPECT_EQ(t.name, "from-env");
  EXPECT_EQ(t.request.url, "http://127.0.0.1:4321/lambda/predict");
  EXPECT_EQ(t.request.headers, (std::vector<std::string>{"Authorization: Bearer tok-SECRET",
                                                         "X-Template: ${TOKEN} and $$ and $"}));
  EXPECT_EQ(t.body.inline_body, "{\"user\": \"u-77\", \"token\": \"tok-SECRET\"}");
  ASSERT_EQ(t.load.stages.size(), 1u);
  EXPECT_EQ(t.load.stages[0].duration, minutes(2));
  EXPECT_EQ(t.load.stages[0].concurrency, 6);
  EXPECT_EQ(t.pricing.usd_per_hour, 0.75);
  // Strings only (numbers and durations end up in metrics anyway), each value once, and not
  // infercost's own INFERCOST_* variables; plus the whole value of a credential header
  // (Authorization).
  EXPECT_EQ(config.secrets,
            (std::vector<std::string>{"from-env", "tok-SECRET", "Bearer tok-SECRET", "u-77"}));
}

TEST(ParseConfig, ErrorsNeverShowAnExpandedValue) {
  const std::string yaml =
      "targets:\n"
      "  - name: a\n"
      "    url: \"${TARGET_URL}\"\n"
      "    load: { stages: [ { duration: 1m, concurrency: \"${CONCURRENCY}\" } ] }\n"
      "    pricing: { model: hourly, usd_per_hour: 1 }\n";
  const ConfigResult result =
      ParseConfig(yaml, "inline.yaml",
                  FakeEnv({{"TARGET_URL", "ftp://hunter2@host/"}, {"CONCURRENCY", "hunter2"}}));
  EXPECT_EQ(Errors(result),
            "inline.yaml:3:10: url: '${TARGET_URL}' has scheme 'ftp'; use http or https\n"
            "inline.yaml:4:52: concurrency: expected an integer, got '${CONCURRENCY}'\n");
}

// Issue 15 finding 10: header checks were quadratic in the header count (a config of 100,000
// headers took minutes); the count is now bounded and the duplicate check a set.
TEST(ParseConfig, HeadersAreBoundedInCountAndSize) {
  std::string yaml =
      "targets:\n  - name: a\n    url: http://127.0.0.1:1/\n"
      "    pricing: { model: hourly, usd_per_hour: 1 }\n    headers:\n";
  for (int i = 0; i < 101; ++i) yaml += "      x-h" + std::to_string(i) + ": v\n";
  ConfigResult result = ParseConfig(
      yaml, "inline.yaml", [](const std::string&) { return std::optional<std::string>(); });
  EXPECT_EQ(Errors(result),
            "inline.yaml:6:7: headers: 101 headers; a target may send at most 100\n");
  const std::string big =
      "targets:\n  - name: a\n    url: http://127.0.0.1:1/\n"
      "    pricing: { model: hourly, usd_per_hour: 1 }\n    headers: { x-big: " +
      std::string(9000, 'v') + " }\n";
  result = ParseConfig(big, "inline.yaml",
                       [](const std::string&) { return std::optional<std::string>(); });
  EXPECT_EQ(Errors(result), "inline.yaml:5:23: x-big: a header may hold at most 8192 bytes\n");
}

// Issue 15 finding 1: a non-UTF-8 byte could also come from a ${VAR}; it is refused without
// showing the value.
TEST(ParseConfig, VariableWithBytesThatAreNotUtf8IsRefused) {
  const std::string yaml =
      "targets:\n  - name: a\n    url: \"${TARGET_URL}\"\n"
      "    pricing: { model: hourly, usd_per_hour: 1 }\n";
  const ConfigResult result =
      ParseConfig(yaml, "inline.yaml", FakeEnv({{"TARGET_URL", "http://127.0.0.1:1/\xff\xfe"}}));
  EXPECT_EQ(Errors(result),
            "inline.yaml:3:10: url: a variable in '${TARGET_URL}' holds bytes that are not "
            "UTF-8; every string must be UTF-8 text\n");
}

TEST(ParseConfig, ReportsEveryErrorInFileOrder) {
  const ConfigResult result = LoadConfigFile(kTestData + "/invalid-many.yaml", FakeEnv({}));
  EXPECT_FALSE(result.config.has_value());
  const std::string f = kTestData + "/invalid-many.yaml";
  EXPECT_EQ(Errors(result),
            f + ":2:9: listen: 'localhost' must be HOST:PORT, e.g. 0.0.0.0:18090\n" + f +
                ":3:9: window: must be at least 5s, got 2s\n" + f +
                ":8:11: name: 'Bad_Name' may hold only a-z, 0-9, '_' and '-', 1 to 64 of them "
                "(it becomes the target label)\n" +
                f + ":9:10: url: 'gopher://127.0.0.1/' has scheme 'gopher'; use http or https\n" +
                f + ":12:33: rate: must be at least 0.0001, got 0\n" + f +
                ":13:23: duration: '5 min' is not a duration; write e.g. 500ms, 30s, 5m, 1h or "
                "1m30s\n" +
                f + ":14:42: memory_mb: must be from 128 to 10240, got 20000\n" + f +
                ":14:63: architecture: 'arm' is not one of x86_64, arm64; did you mean "
                "'arm64'?\n" +
                f + ":15:11: name: duplicate target name 'ok-target' (first at line 5)\n" + f +
                ":17:27: x-api-key: environment variable INFER_UNSET_KEY is not set\n");
}

TEST(ParseConfig, UnreadableFileIsOneErrorWithoutAPlace) {
  const ConfigResult missing = LoadConfigFile(kTestData + "/no-such-config.yaml", FakeEnv({}));
  EXPECT_EQ(Errors(missing),
            kTestData + "/no-such-config.yaml: cannot read: No such file or directory\n");
  const ConfigResult directory = LoadConfigFile(kTestData, FakeEnv({}));
  EXPECT_EQ(Errors(directory), kTestData + ": is a directory, not a file\n");
}

TEST(ParseConfig, SageMakerPricingBlocks) {
  const std::string yaml =
      "targets:\n"
      "  - name: real-time\n"
      "    url: http://127.0.0.1:1/\n"
      "    pricing: { model: sagemaker, instance_type: ml.g4dn.xlarge, count: 2 }\n"
      "  - name: own-price\n"
      "    url: http://127.0.0.1:1/\n"
      "    pricing: { model: sagemaker, instance_type: ml.c6g.large, usd_per_hour: 0.09 }\n"
      "  - name: serverless\n"
      "    url: http://127.0.0.1:1/\n"
      "    pricing: { model: sagemaker_serverless, memory_mb: 2048 }\n";
  const ConfigResult result = ParseConfig(yaml, "sagemaker.yaml", FakeEnv({}));
  ASSERT_TRUE(result.config.has_value()) << Errors(result);
  const auto& t = result.config->targets;
  ASSERT_EQ(t.size(), 3u);
  EXPECT_EQ(t[0].pricing.model, PricingModel::kSageMaker);
  EXPECT_EQ(t[0].pricing.instance_type, "ml.g4dn.xlarge");
  EXPECT_EQ(t[0].pricing.count, 2);
  EXPECT_EQ(t[1].pricing.usd_per_hour, 0.09);
  EXPECT_EQ(t[2].pricing.model, PricingModel::kSageMakerServerless);
  EXPECT_EQ(t[2].pricing.memory_mb, 2048);
}

// The bodies of the requests a model processed reach the cost model as SageMaker Serverless's
// data processed; a throttled request's do not.
TEST(UsageOf, CarriesBodyBytesOfProcessedRequests) {
  loadgen::Interval interval;
  interval.by_billing_class[static_cast<std::size_t>(loadgen::BillingClass::kOk)] = {
      .requests = 1, .bytes_sent = 102400, .bytes_received = 1024};
  interval.by_billing_class[static_cast<std::size_t>(loadgen::BillingClass::kGatewayThrottled)] = {
      .requests = 1, .bytes_sent = 102400};
  const Usage usage = UsageOf(interval, 60, 0);
  EXPECT_EQ(usage.data_in_bytes, 102400u);
  EXPECT_EQ(usage.data_out_bytes, 1024u);
  EXPECT_EQ(usage.requests, 2u);
  EXPECT_EQ(usage.elapsed_seconds, 60);
}

// The engine's classes and the cost model's table are joined by name: every class has its row,
// in the same order.
TEST(UsageOf, EveryBillingClassHasItsRowInTheTable) {
  ASSERT_EQ(BillabilityTable().size(), loadgen::kBillingClassCount);
  for (std::size_t i = 0; i < loadgen::kBillingClassCount; ++i) {
    EXPECT_EQ(BillabilityTable()[i].billing_class,
              loadgen::BillingClassName(loadgen::kAllBillingClasses[i]));
  }
}

loadgen::RequestRecord Finished(loadgen::Outcome outcome, int status, loadgen::AwsError aws_error,
                                std::chrono::milliseconds latency) {
  loadgen::RequestRecord r;
  r.sent_at = r.scheduled_at = loadgen::Clock::time_point(std::chrono::seconds(1000));
  r.done_at = r.sent_at + latency;
  r.outcome = outcome;
  r.http_status = status;
  r.aws_error = aws_error;
  r.billing_class = loadgen::BillingClassOf(outcome, status, aws_error, false);
  return r;
}

// A window as the engine records it, turned into a bill: 10 ok of 100 ms + 5 of API Gateway's
// throttles (429 TooManyRequestsException) + 3 refused connections + 2 Lambda throttles behind
// the gateway (500 InternalServerErrorException), on 1024 MB behind a REST API at $3.50 per 1M.
//   gateway: 10 + 2 = 12 x 0.0000035 = 0.000042 (not 20 x: throttles and failed connections are
//   not API calls AWS bills); Lambda: 10 x 0.0000002 = 0.000002; duration 10 x 0.1 s x 1 GB x
//   0.0000166667 = 0.0000166667 (estimated from latency). Total 0.0000606667.
TEST(UsageOf, AWindowOfOutcomesIsBilledAsAwsBillsIt) {
  using loadgen::AwsError;
  using loadgen::Outcome;
  using std::chrono::milliseconds;
  loadgen::Interval window;
  for (int i = 0; i < 10; ++i)
    window.Add(Finished(Outcome::kOk, 200, AwsError::kNone, milliseconds(100)));
  for (int i = 0; i < 5; ++i) {
    window.Add(Finished(Outcome::kThrottled, 429, AwsError::kThrottle, milliseconds(5)));
  }
  for (int i = 0; i < 3; ++i) {
    window.Add(Finished(Outcome::kConnectError, 0, AwsError::kNone, milliseconds(1)));
  }
  for (int i = 0; i < 2; ++i) {
    window.Add(Finished(Outcome::kHttp5xx, 500, AwsError::kOther, milliseconds(30)));
  }
  const Usage usage = UsageOf(window, 60, 0);
  EXPECT_EQ(usage.requests, 20u);
  EXPECT_EQ(usage.gateway_requests, 12u);
  EXPECT_EQ(usage.billable_requests, 10u);
  EXPECT_EQ(usage.billed_ms, 1000u);
  EXPECT_TRUE(usage.billed_estimated);
  const Cost cost = ComputeCost(
      testing::MustResolve(testing::LambdaSpec(1024, Architecture::kX86_64, ApiGateway::kRest)),
      usage);
  EXPECT_NEAR(cost.request_usd, 12 * 0.0000035 + 10 * 0.0000002 + 0.0000166667, 1e-15);
  // Between two running totals: only what happened in between.
  loadgen::Interval later = window;
  later.Add(Finished(Outcome::kOk, 200, AwsError::kNone, milliseconds(100)));
  const Usage delta = UsageBetween(later, window, 1, 0);
  EXPECT_EQ(delta.ok, 1u);
  EXPECT_EQ(delta.gateway_requests, 1u);
  EXPECT_EQ(delta.billed_ms, 100u);
}

TEST(ParseConfig, RelativePathsResolveAgainstTheConfigDirectory) {
  const std::string yaml =
      "targets:\n"
      "  - name: a\n"
      "    url: http://127.0.0.1:1/\n"
      "    body: { image_dir: images }\n"
      "    pricing: { model: hourly, usd_per_hour: 1 }\n";
  const ConfigResult result = ParseConfig(yaml, kTestData + "/elsewhere.yaml", FakeEnv({}));
  ASSERT_TRUE(result.config.has_value()) << Errors(result);
  EXPECT_EQ(result.config->targets[0].body.image_dir, kTestData + "/images");
}

TEST(ShardPlan, SplitsConcurrencyWithoutLosingLoad) {
  for (int count = 1; count <= 7; ++count) {
    for (int concurrency : {1, 2, 3, 7, 8, 64, 100}) {
      for (std::size_t position : {0u, 1u, 5u}) {
        loadgen::LoadPlan plan;
        loadgen::Stage stage;
        stage.kind = Kind::kClosed;
        stage.concurrency = concurrency;
        stage.duration = minutes(1);
        plan.stages = {stage};
        int total = 0;
        for (int index = 0; index < count; ++index) {
          const loadgen::Stage part = ShardPlan(plan, {index, count}, position).stages[0];
          const int mine = part.kind == Kind::kIdle ? 0 : part.concurrency;
          EXPECT_GE(mine, concurrency / count);
          EXPECT_LE(mine, concurrency / count + 1);
          EXPECT_EQ(part.kind == Kind::kIdle, mine == 0);
          EXPECT_EQ(part.duration, minutes(1));  // stages stay aligned across shards
          total += mine;
        }
        EXPECT_EQ(total, concurrency) << "count " << count << " position " << position;
      }
    }
  }
}

TEST(ShardPlan, SpreadsRemaindersOfDifferentTargetsOverShards) {
  loadgen::LoadPlan plan;
  plan.stages = {loadgen::Stage{Kind::kClosed, minutes(1), 1, 0, loadgen::Arrival::kConstant}};
  // Four single-request targets on four generators: one each, not all on shard 0.
  for (std::size_t position = 0; position < 4; ++position) {
    for (int index = 0; index < 4; ++index) {
      const loadgen::Stage part = ShardPlan(plan, {index, 4}, position).stages[0];
      EXPECT_EQ(part.kind == Kind::kClosed, static_cast<std::size_t>(index) == position);
    }
  }
}

TEST(ShardPlan, SplitsRatesAndSeedsAndCaps) {
  loadgen::LoadPlan plan;
  plan.stages = {loadgen::Stage{Kind::kOpen, minutes(1), 1, 10, loadgen::Arrival::kPoisson},
                 loadgen::Stage{Kind::kIdle, minutes(2), 1, 0, loadgen::Arrival::kConstant}};
  plan.seed = 7;
  plan.max_in_flight = 10;
  plan.repeat = true;
  double rate = 0;
  std::vector<uint64_t> seeds;
  for (int index = 0; index < 4; ++index) {
    const loadgen::LoadPlan part = ShardPlan(plan, {index, 4}, 0);
    rate += part.stages[0].rate;
    seeds.push_back(part.seed);
    EXPECT_EQ(part.max_in_flight, 3);
    EXPECT_EQ(part.stages[1].kind, Kind::kIdle);
    EXPECT_TRUE(part.repeat);
  }
  EXPECT_DOUBLE_EQ(rate, 10);
  EXPECT_EQ(seeds[0], SplitSeed(7, 4, 0));  // every shard, 0 too, gets a mixed seed
  std::sort(seeds.begin(), seeds.end());
  EXPECT_EQ(std::unique(seeds.begin(), seeds.end()), seeds.end());
  // One shard: the plan unchanged.
  const loadgen::LoadPlan same = ShardPlan(plan, {0, 1}, 3);
  EXPECT_EQ(same.seed, 7u);
  EXPECT_EQ(same.stages[0].rate, 10);
  EXPECT_EQ(same.max_in_flight, 10);
}

TEST(ParseConfig, AppliesTheShardToEveryTarget) {
  const Config config = LoadValid("valid-sharded.yaml", FakeEnv({}));
  const TargetConfig& t = config.targets[0];
  ASSERT_EQ(t.load.stages.size(), 3u);
  EXPECT_EQ(t.load.stages[0].concurrency, 2);     // 8 = 3 + 3 + 2: shard 2 gets 2
  EXPECT_EQ(t.load.stages[1].kind, Kind::kIdle);  // 1 = 1 + 0 + 0
  EXPECT_DOUBLE_EQ(t.load.stages[2].rate, 3);
  EXPECT_EQ(t.load.max_in_flight, 4);
  EXPECT_EQ(t.load.seed, SplitSeed(7, 3, 2));
  EXPECT_EQ(t.spend_limit_usd, 1.0);
}

TEST(ParseConfig, DefaultSeedsDifferByTargetName) {
  const std::string yaml =
      "targets:\n"
      "  - { name: a, url: 'http://h:1/', pricing: { model: hourly, usd_per_hour: 1 },\n"
      "      load: { stages: [ { duration: 1m, rate: 1, arrival: poisson } ] } }\n"
      "  - { name: b, url: 'http://h:1/', pricing: { model: hourly, usd_per_hour: 1 },\n"
      "      load: { stages: [ { duration: 1m, rate: 1, arrival: poisson } ] } }\n";
  const ConfigResult first = ParseConfig(yaml, "x.yaml", FakeEnv({}));
  const ConfigResult again = ParseConfig(yaml, "x.yaml", FakeEnv({}));
  ASSERT_TRUE(first.config && again.config) << Errors(first);
  EXPECT_NE(first.config->targets[0].load.seed, first.config->targets[1].load.seed);
  EXPECT_EQ(first.config->targets[0].load.seed, again.config->targets[0].load.seed);
}

TEST(ParseConfig, ConstantArrivalsGetAPhasePerTarget) {
  // Targets started together must not send in lockstep: each gets its own phase, from its seed
  // (the name's by default, so reordering keeps it; an explicit seed gives a reproducible one).
  const std::string yaml =
      "targets:\n"
      "  - { name: a, url: 'http://h:1/', pricing: { model: hourly, usd_per_hour: 1 },\n"
      "      load: { stages: [ { duration: 1m, rate: 2 } ] } }\n"
      "  - { name: b, url: 'http://h:1/', pricing: { model: hourly, usd_per_hour: 1 },\n"
      "      load: { stages: [ { duration: 1m, rate: 2 } ] } }\n"
      "  - { name: c, url: 'http://h:1/', pricing: { model: hourly, usd_per_hour: 1 },\n"
      "      load: { stages: [ { duration: 1m, rate: 2 } ], seed: 42 } }\n";
  const ConfigResult result = ParseConfig(yaml, "x.yaml", FakeEnv({}));
  ASSERT_TRUE(result.config) << Errors(result);
  const auto& t = result.config->targets;
  EXPECT_EQ(t[0].load.phase, loadgen::PhaseOf(t[0].load.seed));
  EXPECT_EQ(t[1].load.phase, loadgen::PhaseOf(t[1].load.seed));
  EXPECT_NE(t[0].load.phase, t[1].load.phase);
  EXPECT_EQ(t[2].load.phase, loadgen::PhaseOf(42));
  for (const auto& target : t) {
    EXPECT_GE(target.load.phase, 0.0);
    EXPECT_LT(target.load.phase, 1.0);
  }
}

TEST(ParseConfig, MetricsSettings) {
  struct Case {
    const char* block;  // the `metrics:` line, "" for none
    LatencyBuckets buckets;
    bool quantiles;
  };
  const Case cases[] = {
      {"", LatencyBuckets::kStandard, true},
      {"metrics: {}\n", LatencyBuckets::kStandard, true},
      {"metrics: { latency_buckets: coarse }\n", LatencyBuckets::kCoarse, true},
      {"metrics: { quantiles: off }\n", LatencyBuckets::kStandard, false},
      {"metrics: { latency_buckets: standard, quantiles: on }\n", LatencyBuckets::kStandard, true},
      {"metrics:\n  latency_buckets: coarse\n  quantiles: off\n", LatencyBuckets::kCoarse, false},
  };
  for (const Case& c : cases) {
    const std::string yaml = std::string(c.block) +
                             "targets:\n"
                             "  - { name: a, url: 'http://h:1/', pricing: { model: hourly, "
                             "usd_per_hour: 1 } }\n";
    const ConfigResult result = ParseConfig(yaml, "x.yaml", FakeEnv({}));
    ASSERT_TRUE(result.config) << c.block << Errors(result);
    EXPECT_EQ(result.config->metrics.latency_buckets, c.buckets) << c.block;
    EXPECT_EQ(result.config->metrics.quantiles, c.quantiles) << c.block;
  }
  EXPECT_EQ(Describe(MetricsConfig{}), "latency_buckets standard, quantiles on");
  EXPECT_EQ(Describe(MetricsConfig{LatencyBuckets::kCoarse, false}),
            "latency_buckets coarse, quantiles off");
}

TEST(ListenAddressError, ChecksHostAndPort) {
  for (const char* ok :
       {"0.0.0.0:18090", "127.0.0.1:0", "localhost:65535", "[::]:18090", ":18090"}) {
    EXPECT_EQ(ListenAddressError(ok), "") << ok;
  }
  EXPECT_EQ(ListenAddressError("18090"), "must be HOST:PORT, e.g. 0.0.0.0:18090");
  EXPECT_EQ(ListenAddressError("bad_host!:18090"), "has a bad host 'bad_host!'");
  EXPECT_EQ(ListenAddressError("host:65536"), "has a bad port '65536' (0 to 65535)");
  EXPECT_EQ(ListenAddressError("[::1]18090"), "must be HOST:PORT, e.g. 0.0.0.0:18090");
}

TEST(Examples, EmbeddedDefaultIsTheEmulatedAwsExample) {
  EXPECT_EQ(EmbeddedDefaultConfig(),
            ReadFile(std::string(INFERCOST_SOURCE_DIR) + "/examples/emulated-aws.yaml"));
  const ConfigResult result =
      ParseConfig(std::string(EmbeddedDefaultConfig()), std::string(kEmbeddedDefaultConfigName),
                  FakeEnv({{std::string(kEmulatorUrlVariable), "http://127.0.0.1:40001"}}));
  ASSERT_TRUE(result.config.has_value()) << Errors(result);
  const Config& config = *result.config;
  EXPECT_EQ(config.window, seconds(30));
  std::vector<std::string> urls;
  for (const TargetConfig& t : config.targets) urls.push_back(t.request.url);
  // The Lambda function and the SageMaker endpoint are named; their URLs are derived at start.
  EXPECT_EQ(urls, (std::vector<std::string>{"http://127.0.0.1:40001/g4dn.xlarge/predict",
                                            "http://127.0.0.1:40001/t3.medium/predict",
                                            "http://127.0.0.1:40001/t4g.medium/predict", "", ""}));
  ASSERT_EQ(config.targets.size(), 5u);
  EXPECT_EQ(config.targets[3].kind, TargetKind::kLambda);
  EXPECT_EQ(config.targets[3].aws.function, "lambda");
  EXPECT_EQ(config.targets[3].aws.endpoint_url, "http://127.0.0.1:40001");
  EXPECT_EQ(config.targets[4].kind, TargetKind::kSageMaker);
  EXPECT_EQ(config.targets[4].aws.endpoint, "mobilenet-v2");
  EXPECT_EQ(config.targets[4].pricing.model, PricingModel::kSageMaker);
  EXPECT_EQ(config.credentials.source, CredentialsSource::kInstance);
  EXPECT_TRUE(config.secrets.empty());  // the emulator's address is not a secret
  // Every target runs the same cycle, so that dashboards line up.
  for (const TargetConfig& t : config.targets) {
    std::chrono::nanoseconds cycle{0};
    for (const loadgen::Stage& s : t.load.stages) cycle += s.duration;
    EXPECT_EQ(cycle, minutes(16)) << t.name;
    EXPECT_TRUE(t.load.repeat);
  }
  const TargetConfig& lambda = config.targets[3];
  EXPECT_EQ(lambda.pricing.model, PricingModel::kLambda);
  EXPECT_EQ(lambda.pricing.memory_mb, 1024);
  EXPECT_EQ(lambda.pricing.api_gateway, ApiGateway::kRest);
  EXPECT_EQ(lambda.request.billed_duration_header, "X-Billed-Duration-Ms");
  EXPECT_EQ(lambda.load.stages.back().kind, Kind::kIdle);
  // Longer than the emulator's 10 min idle reclaim, so cold starts come back every cycle.
  EXPECT_GT(lambda.load.stages.back().duration, minutes(10));
}

TEST(Examples, AwsTemplateParsesWithItsVariablesSet) {
  const ConfigResult result = LoadConfigFile(
      std::string(INFERCOST_SOURCE_DIR) + "/examples/aws.yaml",
      FakeEnv({{"INFER_IMAGE_DIR", kTestData + "/images"}, {"INFER_API_KEY", "example-api-key"}}));
  ASSERT_TRUE(result.config.has_value()) << Errors(result);
  const Config& config = *result.config;
  ASSERT_EQ(config.targets.size(), 6u);
  for (const TargetConfig& t : config.targets) {
    EXPECT_EQ(t.body.image_dir, kTestData + "/images") << t.name;
  }
  // The guardrail counts request costs, which only the Lambda targets have.
  EXPECT_EQ(config.targets[3].spend_limit_usd, 2.0);
  EXPECT_EQ(config.targets[4].spend_limit_usd, 2.0);
  EXPECT_EQ(config.targets[4].kind, TargetKind::kLambda);
  EXPECT_EQ(config.targets[4].aws.region, "us-east-1");  // from the ARN
  EXPECT_EQ(config.targets[4].aws.credentials.source, CredentialsSource::kDefault);
  EXPECT_EQ(config.targets[5].kind, TargetKind::kSageMaker);
  EXPECT_EQ(config.targets[5].pricing.model, PricingModel::kSageMaker);
  EXPECT_EQ(config.targets[3].request.headers,
            (std::vector<std::string>{"x-api-key: example-api-key"}));
  // The API key and the image directory came from variables in string fields: both secret.
  EXPECT_EQ(config.secrets, (std::vector<std::string>{kTestData + "/images", "example-api-key"}));
}

TEST(Examples, AwsTemplateNamesItsUnsetVariables) {
  const ConfigResult result =
      LoadConfigFile(std::string(INFERCOST_SOURCE_DIR) + "/examples/aws.yaml", FakeEnv({}));
  ASSERT_FALSE(result.config.has_value());
  const std::string errors = Errors(result);
  EXPECT_NE(errors.find("environment variable INFER_IMAGE_DIR is not set"), std::string::npos);
  EXPECT_NE(errors.find("environment variable INFER_API_KEY is not set"), std::string::npos);
}

}  // namespace
}  // namespace infercost
