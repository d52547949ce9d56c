// AWS targets end to end against the in-process emulator on loopback: Lambda's Invoke API and
// SageMaker's InvokeEndpoint, signed with keys from every source of the credential chain
// (environment, a profile assuming a role through STS, credential_process, web identity, the
// ECS container endpoint, IMDSv2), refreshed as they expire, and counted as auth_error once a
// broken source lets them lapse. Also the URLs and providers PrepareAwsTarget derives.
#include "serve/aws_targets.h"

#include <gtest/gtest.h>
#include <prometheus/metric_family.h>
#include <sys/stat.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>

#include "emulator/emulator.h"
#include "serve/service.h"
#include "tests/serve/service_samples.h"
#include "tests/support/temp_dir.h"
#include "tests/support/wait.h"

namespace infercost {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;
using Env = std::map<std::string, std::string>;

constexpr double kTimeScale = 20;  // Lambda's ~0.6 s inference becomes ~30 ms

aws::Environment EnvOf(Env vars) {
  return [vars = std::move(vars)](std::string_view name) -> std::optional<std::string> {
    const auto it = vars.find(std::string(name));
    if (it == vars.end()) return std::nullopt;
    return it->second;
  };
}

Config Parse(const std::string& yaml) {
  ConfigResult result = ParseConfig(yaml, "aws_targets_test.yaml", [](const std::string&) {
    return std::optional<std::string>();
  });
  EXPECT_TRUE(result.config.has_value())
      << (result.errors.empty() ? "" : result.errors[0].ToString());
  return result.config.value_or(Config{});
}

std::unique_ptr<emulator::Emulator> StartEmulator(double credential_lifetime_s = 3600) {
  emulator::Options options;
  options.time_scale = kTimeScale;
  options.aws.credential_lifetime_s = credential_lifetime_s;
  std::string error;
  auto emu = emulator::Emulator::Start(options, &error);
  EXPECT_NE(emu, nullptr) << error;
  return emu;
}

// A Lambda Invoke target and a SageMaker target on the emulator, with `credentials` (a YAML
// flow map) at the top level.
std::string Fleet(const emulator::Emulator& emu, const std::string& credentials) {
  std::ostringstream out;
  out << "window: 5s\n"
      << "credentials: " << credentials << "\n"
      << "targets:\n"
      << "  - name: invoke\n"
      << "    kind: lambda\n"
      << "    function: lambda\n"
      << "    endpoint_url: " << emu.BaseUrl() << "\n"
      << "    load: { stages: [ { duration: 1h, concurrency: 2 } ] }\n"
      << "    pricing: { model: lambda, memory_mb: 1024 }\n"
      << "  - name: endpoint\n"
      << "    kind: sagemaker\n"
      << "    endpoint: mobilenet-v2\n"
      << "    endpoint_url: " << emu.BaseUrl() << "\n"
      << "    load: { stages: [ { duration: 1h, concurrency: 1 } ] }\n"
      << "    pricing: { model: sagemaker, instance_type: ml.g4dn.xlarge }\n";
  return out.str();
}

double Sample(const Service& service, const std::string& family, const std::string& target,
              const std::string& outcome = "") {
  return test::ServiceSample(service, family, target, outcome);
}

bool Has(const Service& service, const std::string& family, const std::string& target) {
  for (const prometheus::MetricFamily& f : service.Collect()) {
    if (f.name != family) continue;
    for (const prometheus::ClientMetric& m : f.metric) {
      for (const prometheus::ClientMetric::Label& l : m.label) {
        if (l.name == "target" && l.value == target) return true;
      }
    }
  }
  return false;
}

ServiceOptions Options(Env env) {
  ServiceOptions options;
  options.tick = milliseconds(100);
  options.drain = seconds(5);
  options.aws_environment = EnvOf(std::move(env));
  return options;
}

// Runs the fleet until both targets have `n` successful requests; nothing may fail on auth.
void ExpectServed(const std::string& yaml, Env env, const emulator::Emulator& emu, int n = 5) {
  Service service(Options(std::move(env)));
  const std::vector<std::string> errors = service.Apply(Parse(yaml));
  ASSERT_TRUE(errors.empty()) << errors[0];
  ASSERT_TRUE(test::WaitFor(
      [&] {
        service.Tick();
        return Sample(service, "infercost_inferences_total", "invoke") >= n &&
               Sample(service, "infercost_inferences_total", "endpoint") >= n;
      },
      seconds(30), milliseconds(50)));
  service.Stop();
  service.Tick();
  for (const char* target : {"invoke", "endpoint"}) {
    EXPECT_EQ(Sample(service, "infercost_requests_total", target, "auth_error"), 0) << target;
    EXPECT_EQ(Sample(service, "infercost_requests_total", target, "http_4xx"), 0) << target;
  }
  // The emulator counted every signed request it accepted.
  EXPECT_GE(emu.FunctionStats("lambda")->ok, static_cast<uint64_t>(n));
  EXPECT_GE(emu.EndpointStats("mobilenet-v2")->ok, static_cast<uint64_t>(n));
}

void WriteExecutable(const std::filesystem::path& path, const std::string& text) {
  std::ofstream(path) << text;
  ::chmod(path.c_str(), 0755);
}

// A JWT-shaped web identity token (header.payload.signature, base64url) that expires in 2100.
constexpr const char* kWebToken =
    "eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCJ9."
    "eyJzdWIiOiJzeXN0ZW06c2VydmljZWFjY291bnQ6aW5mZXJjb3N0OmJlbmNoIiwiZXhwIjo0MTAyNDQ0ODAwfQ."
    "c2lnbmF0dXJl";

TEST(AwsTargetsEndToEnd, EnvironmentKeys) {
  auto emu = StartEmulator();
  ASSERT_NE(emu, nullptr);
  const emulator::AwsOptions aws;
  ExpectServed(
      Fleet(*emu, "{ source: default }"),
      {{"AWS_ACCESS_KEY_ID", aws.access_key_id}, {"AWS_SECRET_ACCESS_KEY", aws.secret_access_key}},
      *emu);
}

TEST(AwsTargetsEndToEnd, ProfileAssumingARoleThroughSts) {
  auto emu = StartEmulator();
  ASSERT_NE(emu, nullptr);
  const emulator::AwsOptions aws;
  test::TempDir dir("aws_targets_profile");
  std::ofstream(dir / "config") << "[profile base]\n"
                                << "aws_access_key_id = " << aws.access_key_id << "\n"
                                << "aws_secret_access_key = " << aws.secret_access_key << "\n"
                                << "[profile runner]\n"
                                << "role_arn = arn:aws:iam::123456789012:role/infercost\n"
                                << "source_profile = base\n"
                                << "region = us-east-1\n";
  ExpectServed(Fleet(*emu, "{ source: profile, profile: runner }"),
               {{"AWS_CONFIG_FILE", (dir / "config").string()},
                {"AWS_SHARED_CREDENTIALS_FILE", (dir / "none").string()},
                {"AWS_REGION", "us-east-1"},
                {"AWS_ENDPOINT_URL_STS", emu->BaseUrl()}},
               *emu);
}

TEST(AwsTargetsEndToEnd, CredentialProcess) {
  auto emu = StartEmulator();
  ASSERT_NE(emu, nullptr);
  const emulator::AwsOptions aws;
  test::TempDir dir("aws_targets_process");
  WriteExecutable(dir / "creds.sh", "#!/bin/sh\necho '{\"Version\": 1, \"AccessKeyId\": \"" +
                                        aws.access_key_id + "\", \"SecretAccessKey\": \"" +
                                        aws.secret_access_key + "\"}'\n");
  ExpectServed(Fleet(*emu, "{ source: process, command: '" + (dir / "creds.sh").string() + "' }"),
               {}, *emu);
}

TEST(AwsTargetsEndToEnd, WebIdentity) {
  auto emu = StartEmulator();
  ASSERT_NE(emu, nullptr);
  test::TempDir dir("aws_targets_web");
  std::ofstream(dir / "token") << kWebToken;
  ExpectServed(Fleet(*emu, "{ source: default }"),
               {{"AWS_WEB_IDENTITY_TOKEN_FILE", (dir / "token").string()},
                {"AWS_ROLE_ARN", "arn:aws:iam::123456789012:role/irsa"},
                {"AWS_REGION", "us-east-1"},
                {"AWS_ENDPOINT_URL_STS", emu->BaseUrl()}},
               *emu);
}

TEST(AwsTargetsEndToEnd, ContainerEndpoint) {
  auto emu = StartEmulator();
  ASSERT_NE(emu, nullptr);
  const emulator::AwsOptions aws;
  ExpectServed(Fleet(*emu, "{ source: container }"),
               {{"AWS_CONTAINER_CREDENTIALS_FULL_URI", emu->BaseUrl() + "/v1/credentials"},
                {"AWS_CONTAINER_AUTHORIZATION_TOKEN", aws.container_authorization_token}},
               *emu);
}

TEST(AwsTargetsEndToEnd, InstanceMetadata) {
  auto emu = StartEmulator();
  ASSERT_NE(emu, nullptr);
  ExpectServed(Fleet(*emu, "{ source: instance }"),
               {{"AWS_EC2_METADATA_SERVICE_ENDPOINT", emu->BaseUrl()}}, *emu);
}

TEST(AwsTargetsEndToEnd, ShortLivedKeysAreRefreshedWithoutAFailedRequest) {
  // Keys live 80 emulated seconds = 4 wall seconds; the refresher renews them 1 s early.
  auto emu = StartEmulator(80);
  ASSERT_NE(emu, nullptr);
  Service service(Options({{"AWS_EC2_METADATA_SERVICE_ENDPOINT", emu->BaseUrl()}}));
  ASSERT_TRUE(service.Apply(Parse(Fleet(*emu, "{ source: instance }"))).empty());
  service.Tick();
  const double first_expiry =
      Sample(service, "infercost_credentials_expiry_timestamp_seconds", "invoke");
  EXPECT_GT(first_expiry, 0);
  // Three lifetimes: the expiry gauge moves on at least twice.
  ASSERT_TRUE(test::WaitFor(
      [&] {
        service.Tick();
        return Sample(service, "infercost_credentials_expiry_timestamp_seconds", "invoke") >=
               first_expiry + 7;
      },
      seconds(30), milliseconds(100)));
  service.Stop();
  service.Tick();
  EXPECT_GT(Sample(service, "infercost_inferences_total", "invoke"), 0);
  EXPECT_EQ(Sample(service, "infercost_requests_total", "invoke", "auth_error"), 0);
  EXPECT_EQ(Sample(service, "infercost_requests_total", "endpoint", "auth_error"), 0);
  EXPECT_EQ(Sample(service, "infercost_credentials_refresh_failures_total", "invoke"), 0);
}

TEST(AwsTargetsEndToEnd, ABrokenSourceLetsTheKeysLapseIntoAuthErrors) {
  // credential_process hands out keys that it says expire in 3 s, then fails for good.
  auto emu = StartEmulator();
  ASSERT_NE(emu, nullptr);
  const emulator::AwsOptions aws;
  test::TempDir dir("aws_targets_broken");
  std::ofstream(dir / "keys") << "{\"Version\": 1, \"AccessKeyId\": \"" << aws.access_key_id
                              << "\", \"SecretAccessKey\": \"" << aws.secret_access_key
                              << "\", \"SessionToken\": \"\", \"Expiration\": \"EXP\"}";
  WriteExecutable(dir / "creds.sh",
                  "#!/bin/sh\nset -e\nexp=$(date -u -d '+3 seconds' +%Y-%m-%dT%H:%M:%SZ)\n"
                  "sed \"s/EXP/$exp/\" '" +
                      (dir / "keys").string() + "'\n");
  Service service(Options({}));
  ASSERT_TRUE(service
                  .Apply(Parse(Fleet(
                      *emu, "{ source: process, command: '" + (dir / "creds.sh").string() + "' }")))
                  .empty());
  std::filesystem::remove(dir / "keys");  // every refresh from now on fails
  ASSERT_TRUE(test::WaitFor(
      [&] {
        service.Tick();
        return Sample(service, "infercost_requests_total", "invoke", "auth_error") >= 3 &&
               Sample(service, "infercost_credentials_refresh_failures_total", "invoke") >= 1;
      },
      seconds(30), milliseconds(100)));
  const double now =
      std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
  ASSERT_TRUE(Has(service, "infercost_credentials_expiry_timestamp_seconds", "invoke"));
  EXPECT_LT(Sample(service, "infercost_credentials_expiry_timestamp_seconds", "invoke"), now);
  // Requests before the expiry went through.
  EXPECT_GT(Sample(service, "infercost_inferences_total", "invoke"), 0);
  service.Stop();
}

TEST(AwsTargetsEndToEnd, AFirstFetchThatFailsRefusesTheConfig) {
  auto emu = StartEmulator();
  ASSERT_NE(emu, nullptr);
  Service service(Options({}));
  const std::vector<std::string> errors =
      service.Apply(Parse(Fleet(*emu, "{ source: profile, profile: nowhere }")));
  ASSERT_FALSE(errors.empty());
  EXPECT_NE(errors[0].find("target invoke: credentials (source profile)"), std::string::npos)
      << errors[0];
}

TEST(PrepareAwsTargetTest, DerivesUrlsAndProvidersFromNames) {
  const Config config = Parse(R"(
targets:
  - name: arn
    kind: lambda
    function: arn:aws:lambda:eu-west-1:123456789012:function:mobilenet
    qualifier: live
    credentials: { source: static, access_key: AKID, secret_key: SECRET }
    pricing: { model: hourly, usd_per_hour: 1 }
  - name: env
    kind: lambda
    function: mobilenet
    credentials: { source: static, access_key: AKID, secret_key: SECRET }
    pricing: { model: hourly, usd_per_hour: 1 }
  - name: sm
    kind: sagemaker
    endpoint: mobilenet-v2
    variant: blue
    credentials: { source: static, access_key: AKID, secret_key: SECRET }
    pricing: { model: hourly, usd_per_hour: 1 }
  - name: url-iam
    kind: lambda_url
    url: https://abc.lambda-url.ap-south-1.on.aws/
    credentials: { source: static, access_key: AKID, secret_key: SECRET }
    pricing: { model: hourly, usd_per_hour: 1 }
  - name: url-open
    kind: lambda_url
    url: https://abc.lambda-url.ap-south-1.on.aws/
    auth: none
    pricing: { model: hourly, usd_per_hour: 1 }
)");
  ASSERT_EQ(config.targets.size(), 5u);
  CredentialsPool pool(EnvOf({{"AWS_ENDPOINT_URL_LAMBDA", "http://127.0.0.1:7/"}}));
  std::vector<TargetConfig> t = config.targets;
  for (TargetConfig& target : t) {
    const AwsBinding binding = PrepareAwsTarget(&target, &pool);
    EXPECT_EQ(binding.error, "") << target.name;
    EXPECT_EQ(binding.refresher, nullptr) << target.name;  // static keys need no refresher
  }
  EXPECT_EQ(t[0].request.url,
            "http://127.0.0.1:7/2015-03-31/functions/"
            "arn%3Aaws%3Alambda%3Aeu-west-1%3A123456789012%3Afunction%3Amobilenet/"
            "invocations?Qualifier=live");
  EXPECT_EQ(t[0].request.sigv4->provider, "aws:amz:eu-west-1:lambda");
  EXPECT_EQ(t[0].request.sigv4->access_key, "AKID");
  EXPECT_EQ(t[0].request.method, "POST");
  EXPECT_EQ(t[1].request.url, "http://127.0.0.1:7/2015-03-31/functions/mobilenet/invocations");
  EXPECT_EQ(t[2].request.url,
            "https://runtime.sagemaker.us-east-1.amazonaws.com/endpoints/mobilenet-v2/invocations");
  EXPECT_EQ(t[2].request.sigv4->provider, "aws:amz:us-east-1:sagemaker");
  EXPECT_EQ(t[2].request.headers,
            std::vector<std::string>{"X-Amzn-SageMaker-Target-Variant: blue"});
  EXPECT_EQ(t[3].request.url, "https://abc.lambda-url.ap-south-1.on.aws/");
  EXPECT_EQ(t[3].request.sigv4->provider, "aws:amz:ap-south-1:lambda");
  EXPECT_FALSE(t[4].request.sigv4.has_value());
}

TEST(CredentialsPoolTest, TargetsWithTheSameSettingsShareOneRefresher) {
  CredentialsPool pool(EnvOf({{"AWS_ACCESS_KEY_ID", "AKIDENV"}, {"AWS_SECRET_ACCESS_KEY", "x"}}));
  CredentialsConfig defaults;
  CredentialsPool::Acquired a = pool.Acquire(defaults);
  CredentialsPool::Acquired b = pool.Acquire(defaults);
  ASSERT_NE(a.refresher, nullptr) << a.error;
  EXPECT_EQ(a.refresher, b.refresher);
  EXPECT_EQ(a.refresher->Current()->access_key, "AKIDENV");
  std::weak_ptr<aws::CredentialsRefresher> weak = a.refresher;
  a.refresher.reset();
  b.refresher.reset();
  pool.Release();
  EXPECT_TRUE(weak.expired());
}

}  // namespace
}  // namespace infercost

namespace infercost {
namespace {

// One CSV row's fields.
std::vector<std::string> Fields(const std::string& line) {
  std::vector<std::string> out;
  std::stringstream in(line);
  for (std::string f; std::getline(in, f, ',');) out.push_back(f);
  if (!line.empty() && line.back() == ',') out.emplace_back();
  return out;
}

TEST(AwsBilling, LambdaIsBilledFromAwsOwnRecordAndSageMakerAtItsInstancePrice) {
  auto emu = StartEmulator();
  ASSERT_NE(emu, nullptr);
  test::TempDir dir("aws_billing");
  const std::string csv = (dir / "invoke.csv").string();
  // A window longer than the run: the window's figures cover every request.
  std::string yaml = Fleet(*emu, "{ source: instance }");
  yaml.replace(yaml.find("window: 5s"), 10, "window: 5m");
  yaml.replace(yaml.find("    pricing: { model: lambda, memory_mb: 1024 }"), 0,
               "    csv: " + csv + "\n");
  // On the emulator's clock, as its REPORT lines are.
  ServiceOptions options = Options({{"AWS_EC2_METADATA_SERVICE_ENDPOINT", emu->BaseUrl()}});
  options.time_scale = kTimeScale;
  Service service(options);
  ASSERT_TRUE(service.Apply(Parse(yaml)).empty());
  ASSERT_TRUE(test::WaitFor(
      [&] {
        service.Tick();
        return Sample(service, "infercost_inferences_total", "invoke") >= 60 &&
               Sample(service, "infercost_inferences_total", "endpoint") >= 60;
      },
      seconds(60), milliseconds(50)));
  service.Stop();
  service.Tick();

  // Every request's billed duration is the one AWS's REPORT line stated: the CSV's rows sum to
  // exactly what the emulator's function billed, and the cold starts are its cold starts.
  std::ifstream in(csv);
  std::string line;
  std::getline(in, line);
  const std::vector<std::string> header = Fields(line);
  const auto column = [&](const std::string& name) {
    return static_cast<std::size_t>(std::find(header.begin(), header.end(), name) - header.begin());
  };
  uint64_t rows = 0, ok = 0, billed_ms = 0, cold = 0, with_init = 0;
  double latency_ms = 0;
  while (std::getline(in, line)) {
    const std::vector<std::string> f = Fields(line);
    ASSERT_EQ(f.size(), header.size()) << line;
    ++rows;
    ok += f[column("outcome")] == "ok" ? 1 : 0;
    ASSERT_FALSE(f[column("billed_ms")].empty()) << "no billed duration from AWS: " << line;
    billed_ms += std::stoull(f[column("billed_ms")]);
    latency_ms += std::stod(f[column("latency_ms")]);
    cold += f[column("cold_start")] == "1" ? 1 : 0;
    with_init += f[column("init_duration_ms")].empty() ? 0 : 1;
    EXPECT_EQ(f[column("max_memory_used_mb")].empty(), false) << line;
  }
  const emulator::TargetStats fn = *emu->FunctionStats("lambda");
  EXPECT_EQ(rows, fn.requests);
  EXPECT_EQ(ok, rows);
  EXPECT_EQ(billed_ms, fn.billed_ms);
  EXPECT_EQ(cold, fn.cold_starts);
  EXPECT_EQ(with_init, fn.cold_starts);
  EXPECT_EQ(Sample(service, "infercost_cold_starts_total", "invoke"), fn.cold_starts);
  EXPECT_DOUBLE_EQ(Sample(service, "infercost_billed_duration_seconds_total", "invoke"),
                   static_cast<double>(billed_ms) / 1000.0);

  // The bill, worked by hand from those durations: 1024 MB x86_64, no gateway, on demand.
  const double kRequestUsd = 0.20 / 1e6;
  const double kGbSecondUsd = 0.0000166667;
  const double bill = static_cast<double>(rows) * kRequestUsd +
                      static_cast<double>(billed_ms) / 1000.0 * 1.0 * kGbSecondUsd;
  const std::vector<TargetView> views = service.Views();
  const auto view = [&](const std::string& name) {
    return *std::find_if(views.begin(), views.end(),
                         [&](const TargetView& v) { return v.name == name; });
  };
  const TargetView invoke = view("invoke");
  EXPECT_NEAR(Sample(service, "infercost_cost_usd_total", "invoke"), bill, bill * 1e-9);
  ASSERT_TRUE(invoke.figures.usd_per_million_observed.has_value());
  EXPECT_NEAR(*invoke.figures.usd_per_million_observed, bill / static_cast<double>(ok) * 1e6,
              1e-9 * bill / static_cast<double>(ok) * 1e6);
  EXPECT_EQ(invoke.figures.billing, "billed by AWS");
  EXPECT_EQ(invoke.figures.billed_estimated, 0u);
  // What the client waited beyond the billed duration, on average over the window (all of the
  // run): the CSV's latencies (wall clock, scaled to the emulator's) less its billed durations.
  const double overhead_s = (kTimeScale * latency_ms - static_cast<double>(billed_ms)) / 1000.0 /
                            static_cast<double>(rows);
  ASSERT_GT(overhead_s, 0);
  ASSERT_TRUE(invoke.figures.client_overhead_seconds.has_value());
  // The CSV rounds each latency to the microsecond: half of one, on the emulator's clock, at most.
  EXPECT_NEAR(*invoke.figures.client_overhead_seconds, overhead_s, 0.5e-6 * kTimeScale + 1e-9);

  // SageMaker real-time: the catalog's ml.g4dn.xlarge hour ($0.7364) over the window's
  // inferences, the seed's formula (1).
  const TargetView endpoint = view("endpoint");
  ASSERT_TRUE(endpoint.figures.usd_per_million_observed.has_value());
  const double ips = endpoint.figures.ips;
  ASSERT_GT(ips, 0);
  EXPECT_NEAR(*endpoint.figures.usd_per_million_observed, 0.7364 / (ips * 3600) * 1e6,
              1e-9 * 0.7364 / (ips * 3600) * 1e6);
  EXPECT_EQ(endpoint.figures.billing, "");  // not billed per duration
}

}  // namespace
}  // namespace infercost

namespace infercost {
namespace {

TEST(AwsFunctionUrl, SignedForLambdaAndBilledFromLatency) {
  auto emu = StartEmulator();
  ASSERT_NE(emu, nullptr);
  const std::string yaml =
      "window: 1m\n"
      "targets:\n"
      "  - name: url\n"
      "    kind: lambda_url\n"
      "    url: " +
      emu->FunctionUrl("lambda") +
      "\n"
      "    region: us-east-1\n"
      "    credentials: { source: instance }\n"
      "    load: { stages: [ { duration: 1h, concurrency: 2 } ] }\n"
      "    pricing: { model: lambda, memory_mb: 1024 }\n";
  Service service(Options({{"AWS_EC2_METADATA_SERVICE_ENDPOINT", emu->BaseUrl()}}));
  ASSERT_TRUE(service.Apply(Parse(yaml)).empty());
  ASSERT_TRUE(test::WaitFor(
      [&] {
        service.Tick();
        return Sample(service, "infercost_inferences_total", "url") >= 20;
      },
      seconds(30), milliseconds(50)));
  service.Stop();
  service.Tick();
  EXPECT_EQ(Sample(service, "infercost_requests_total", "url", "auth_error"), 0);
  EXPECT_GE(emu->FunctionStats("lambda")->ok, 20u);
  // A Function URL gives the caller neither a REPORT line nor a billed duration: the bill is the
  // measured latency, an upper bound, and says so.
  const std::vector<TargetView> views = service.Views();
  ASSERT_EQ(views.size(), 1u);
  EXPECT_EQ(views[0].kind, "lambda_url");
  EXPECT_EQ(views[0].figures.billing, "estimated from latency");
  EXPECT_EQ(views[0].figures.billed_by_aws, 0u);
  EXPECT_FALSE(views[0].figures.client_overhead_seconds.has_value());
}

TEST(AwsFunctionUrl, AnUnsignedCallToAnIamUrlIsAnHttp4xx) {
  auto emu = StartEmulator();
  ASSERT_NE(emu, nullptr);
  // auth: none against a URL whose AuthType is AWS_IAM: AWS answers 403, counted as http_4xx
  // (the request was not signed, so it is the target's refusal, not expired keys).
  const std::string yaml =
      "window: 1m\n"
      "targets:\n"
      "  - name: url\n"
      "    kind: lambda_url\n"
      "    url: " +
      emu->FunctionUrl("lambda") +
      "\n"
      "    auth: none\n"
      "    load: { stages: [ { duration: 1h, concurrency: 1 } ] }\n"
      "    pricing: { model: lambda, memory_mb: 1024 }\n";
  Service service(Options({}));
  ASSERT_TRUE(service.Apply(Parse(yaml)).empty());
  ASSERT_TRUE(test::WaitFor(
      [&] {
        service.Tick();
        return Sample(service, "infercost_requests_total", "url", "http_4xx") >= 3;
      },
      seconds(30), milliseconds(50)));
  service.Stop();
  EXPECT_EQ(emu->FunctionStats("lambda")->ok, 0u);
}

}  // namespace
}  // namespace infercost
