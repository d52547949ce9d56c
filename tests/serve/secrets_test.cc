// No secret reaches any output. `infercost serve` (debug logging) signs a Lambda Invoke target and
// a SageMaker target with short-lived keys from the ECS container endpoint (through a recording
// proxy in front of the emulator's, so the test knows every key it handed out), and a third
// target with web identity keys; a ${VAR} header is secret too. Every secret key, session token,
// the web identity token, the container authorization token and the header value must be absent
// from the logs, /metrics, /api/v1/targets, the landing page and the CSV files; and from a failed
// refresh's error message.
#include <curl/curl.h>
#include <gtest/gtest.h>
#include <stdlib.h>

#include <mutex>
#include <regex>
#include <set>
#include <string>

#include "aws/fake_aws.h"
#include "emulator/emulator.h"
#include "serve/serve_support.h"
#include "tests/support/temp_dir.h"

namespace infercost {
namespace {

using test::FakeAws;
using test::FakeReply;
using test::FakeRequest;

constexpr const char* kWebToken =
    "eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCJ9."
    "eyJzdWIiOiJzeXN0ZW06c2VydmljZWFjY291bnQ6c2VjcmV0cyIsImV4cCI6NDEwMjQ0NDgwMH0."
    "bGVha2VkLWlmLXNlZW4";
constexpr const char* kHeaderSecret = "hdr-secret-9f3a7c1e5b";

// GETs `url` with an Authorization header; the body, or "" on failure.
std::string Get(const std::string& url, const std::string& authorization) {
  std::string body;
  CURL* curl = curl_easy_init();
  curl_slist* headers = curl_slist_append(nullptr, ("Authorization: " + authorization).c_str());
  curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, 5000L);
  curl_easy_setopt(
      curl, CURLOPT_WRITEFUNCTION, +[](char* data, size_t size, size_t n, void* out) -> size_t {
        static_cast<std::string*>(out)->append(data, size * n);
        return size * n;
      });
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &body);
  curl_easy_perform(curl);
  curl_slist_free_all(headers);
  curl_easy_cleanup(curl);
  return body;
}

TEST(Secrets, NoSecretReachesAnyOutput) {
  emulator::Options options;
  options.time_scale = 20;
  options.aws.credential_lifetime_s = 60;  // 3 wall seconds: several refreshes
  std::string error;
  auto emu = emulator::Emulator::Start(options, &error);
  ASSERT_NE(emu, nullptr) << error;

  // The container endpoint, recorded: every secret it hands out is one the outputs must not hold.
  std::mutex mu;
  std::set<std::string> secrets = {kWebToken, kHeaderSecret,
                                   options.aws.container_authorization_token};
  const std::string upstream = emu->BaseUrl() + "/v1/credentials";
  FakeAws proxy([&](const FakeRequest& r) -> FakeReply {
    const std::string body = Get(upstream, r.Header("authorization"));
    const std::regex field(R"re("(SecretAccessKey|Token)":"([^"]+)")re");
    std::lock_guard lock(mu);
    for (std::sregex_iterator it(body.begin(), body.end(), field), end; it != end; ++it) {
      secrets.insert((*it)[2]);
    }
    return {200, body, "application/json"};
  });

  test::TempDir dir("secrets");
  test::WriteFile(dir / "token", kWebToken);
  ::setenv("AWS_CONTAINER_CREDENTIALS_FULL_URI", (proxy.Url() + "/creds").c_str(), 1);
  ::setenv("AWS_CONTAINER_AUTHORIZATION_TOKEN", options.aws.container_authorization_token.c_str(),
           1);
  ::setenv("AWS_ENDPOINT_URL_STS", emu->BaseUrl().c_str(), 1);
  ::setenv("AWS_REGION", "us-east-1", 1);
  ::setenv("INFER_HEADER_SECRET", kHeaderSecret, 1);
  ::setenv("AWS_EC2_METADATA_DISABLED", "true", 1);
  const std::string config =
      "window: 5s\n"
      "credentials: { source: container }\n"
      "targets:\n"
      "  - name: invoke\n"
      "    kind: lambda\n"
      "    function: lambda\n"
      "    endpoint_url: " +
      emu->BaseUrl() +
      "\n"
      "    headers: { x-api-key: \"${INFER_HEADER_SECRET}\" }\n"
      "    csv: " +
      (dir / "invoke.csv").string() +
      "\n"
      "    load: { stages: [ { duration: 1h, concurrency: 2 } ] }\n"
      "    pricing: { model: lambda, memory_mb: 1024 }\n"
      "  - name: endpoint\n"
      "    kind: sagemaker\n"
      "    endpoint: mobilenet-v2\n"
      "    endpoint_url: " +
      emu->BaseUrl() +
      "\n"
      "    csv: " +
      (dir / "endpoint.csv").string() +
      "\n"
      "    load: { stages: [ { duration: 1h, concurrency: 1 } ] }\n"
      "    pricing: { model: hourly, usd_per_hour: 0.7364 }\n"
      "  - name: irsa\n"
      "    kind: lambda\n"
      "    function: lambda\n"
      "    endpoint_url: " +
      emu->BaseUrl() +
      "\n"
      "    credentials: { source: web_identity, role_arn: 'arn:aws:iam::123456789012:role/irsa',"
      " token_file: " +
      (dir / "token").string() +
      " }\n"
      "    load: { stages: [ { duration: 1h, concurrency: 1 } ] }\n"
      "    pricing: { model: lambda, memory_mb: 1024 }\n";
  test::WriteFile(dir / "config.yaml", config);

  test::ServeProcess serve(dir.path(),
                           {"--config", (dir / "config.yaml").string(), "--log-level", "debug"});
  ASSERT_GT(serve.port(), 0) << serve.Log();
  // Run through several key lifetimes with requests flowing.
  ASSERT_TRUE(test::WaitFor(
      [&] {
        const test::Samples s = serve.Scrape();
        std::lock_guard lock(mu);
        return test::SumOf(s, "infercost_inferences_total", "target=\"invoke\"") >= 20 &&
               test::SumOf(s, "infercost_inferences_total", "target=\"irsa\"") >= 5 &&
               secrets.size() >= 3 + 2 * 3;  // three fetches of key + token at least
      },
      std::chrono::seconds(60), std::chrono::milliseconds(200)))
      << serve.Log();
  const std::string metrics = test::HttpFetch(serve.Url("/metrics")).body;
  const std::string targets = test::HttpFetch(serve.Url("/api/v1/targets")).body;
  const std::string page = test::HttpFetch(serve.Url("/")).body;
  EXPECT_EQ(test::SumOf(test::ParseExposition(metrics), "infercost_requests_total",
                        "outcome=\"auth_error\""),
            0);
  // The web identity token disappears: the next refresh fails, with an error message.
  std::filesystem::remove(dir / "token");
  ASSERT_TRUE(test::WaitFor(
      [&] { return serve.Log().find("credentials refresh failed") != std::string::npos; },
      std::chrono::seconds(30)));
  EXPECT_EQ(serve.Stop(), 0);

  const std::vector<std::pair<std::string, std::string>> outputs = {
      {"log", serve.Log()},
      {"/metrics", metrics},
      {"/api/v1/targets", targets},
      {"/", page},
      {"invoke.csv", test::ReadFile(dir / "invoke.csv")},
      {"endpoint.csv", test::ReadFile(dir / "endpoint.csv")},
  };
  EXPECT_NE(serve.Log().find("level=debug"), std::string::npos);  // debug lines were written
  std::lock_guard lock(mu);
  for (const auto& [name, text] : outputs) {
    EXPECT_FALSE(text.empty()) << name;
    for (const std::string& secret : secrets) {
      EXPECT_EQ(text.find(secret), std::string::npos) << name << " holds a secret";
    }
  }
}

}  // namespace
}  // namespace infercost
