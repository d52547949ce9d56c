// The AWS API routes added for Function URLs, Invoke's invocation types and web identity, driven
// through AwsApi::Handle (no sockets): SigV4 signed here with the verifier's own pieces, emulated
// time at a high scale, counters polled, never timed.
#include <gtest/gtest.h>

#include <chrono>
#include <functional>
#include <string>
#include <thread>
#include <vector>

#include "emulator/src/aws_api.h"
#include "emulator/src/digest.h"

namespace emulator {
namespace {

constexpr std::string_view kPrediction =
    R"({"label":"tabby cat","class_id":281,"probability":0.43,"model":"mobilenet_v2"})";

std::vector<Profile> Functions() {
  std::string errors;
  auto profiles = ParseProfiles(R"(targets:
  - name: fn
    platform: lambda
    service: { median_ms: 100, sigma: 0 }
    cold_start: { median_ms: 100, sigma: 0 }
  - name: open
    platform: lambda
    service: { median_ms: 100, sigma: 0 }
)",
                                "test.yaml", &errors);
  EXPECT_TRUE(profiles) << errors;
  return profiles.value_or(std::vector<Profile>{});
}

// The API over `Functions()`, fn's URL AWS_IAM and open's NONE, 1000 times faster than real time.
class AwsRoutesTest : public testing::Test {
 protected:
  AwsRoutesTest() : scale_(1000, WallClock::now()) {
    options_.function_url_auth_by_function = {{"open", FunctionUrlAuth::kNone}};
    api_ = std::make_unique<AwsApi>(options_, Functions(), 1, scale_, &stop_);
  }
  ~AwsRoutesTest() override {
    stop_.Stop();
    api_.reset();
  }

  HttpRequest Post(std::string path, std::string body = "jpeg") const {
    HttpRequest r;
    r.method = "POST";
    r.path = std::move(path);
    r.headers = {{"Host", "127.0.0.1:18091"}, {"X-Amz-Date", AmzDate(SystemClock::now())}};
    r.body = std::move(body);
    return r;
  }
  // Signs `r` for `service` with the emulator's long-term key (or `secret`).
  HttpRequest Signed(HttpRequest r, std::string_view service = "lambda",
                     std::string secret = "") const {
    if (secret.empty()) secret = options_.secret_access_key;
    const std::string amz_date(r.Header("X-Amz-Date"));
    const std::string scope = amz_date.substr(0, 8) + "/" + options_.region + "/" +
                              std::string(service) + "/aws4_request";
    const std::string signed_headers = "host;x-amz-date";
    const std::string signature =
        SignatureHex(secret, amz_date.substr(0, 8), options_.region, service,
                     StringToSign(amz_date, scope, CanonicalRequest(r, signed_headers)));
    r.headers.emplace_back("Authorization",
                           "AWS4-HMAC-SHA256 Credential=" + options_.access_key_id + "/" + scope +
                               ", SignedHeaders=" + signed_headers + ", Signature=" + signature);
    return r;
  }
  static std::string Header(const ApiReply& reply, std::string_view name) {
    for (const auto& [key, value] : reply.headers) {
      if (key == name) return value;
    }
    return {};
  }
  TargetStats Stats(std::string_view function) const { return api_->Function(function)->Stats(); }

  AwsOptions options_;
  TimeScale scale_;
  StopSignal stop_;
  std::unique_ptr<AwsApi> api_;
};

// Polls `done` for at most 20 s.
bool Eventually(const std::function<bool()>& done) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (!done()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return true;
}

TEST_F(AwsRoutesTest, FunctionUrlAnswersTheFunctionsBodyAndNothingAboutBilling) {
  for (const std::string path : {"/lambda-url/fn/", "/lambda-url/fn", "/lambda-url/fn/a/b"}) {
    const ApiReply reply = api_->Handle(Signed(Post(path)), false);
    EXPECT_EQ(reply.status, 200) << path << ": " << reply.body;
    EXPECT_EQ(reply.body, kPrediction);
    EXPECT_EQ(reply.content_type, "application/json");
    EXPECT_EQ(Header(reply, "x-amzn-RequestId").size(), 36u);
    EXPECT_EQ(reply.headers.size(), 1u) << "no log tail, billed duration or cold-start header";
  }
  const TargetStats stats = Stats("fn");
  EXPECT_EQ(stats.requests, 3u);
  EXPECT_EQ(stats.ok, 3u);
  EXPECT_EQ(stats.cold_starts, 1u);
  EXPECT_EQ(api_->Handle(Post("/lambda-url/open/x"), false).status, 200);
  EXPECT_EQ(api_->Handle(Post("/lambda-url/nope/"), false).status, 404);
}

TEST_F(AwsRoutesTest, FunctionUrlRefusesWhatTheVerifierRefusesWithAwssBodies) {
  struct Case {
    const char* name;
    HttpRequest request;
    const char* error_type;
    const char* body_part;
  };
  HttpRequest tampered = Signed(Post("/lambda-url/fn/"));
  tampered.body = "jpeG";
  const Case cases[] = {
      {"unsigned", Post("/lambda-url/fn/"), "AccessDeniedException",
       R"({"Message":"Forbidden. For troubleshooting Function URL authorization issues)"},
      {"wrong secret", Signed(Post("/lambda-url/fn/"), "lambda", std::string(40, 'x')),
       "InvalidSignatureException", R"({"message":"The request signature we calculated)"},
      {"wrong service", Signed(Post("/lambda-url/fn/"), "execute-api"), "InvalidSignatureException",
       "Credential should be scoped to correct service"},
      {"tampered body", tampered, "InvalidSignatureException", "does not match"},
  };
  for (const Case& c : cases) {
    const ApiReply reply = api_->Handle(c.request, false);
    EXPECT_EQ(reply.status, 403) << c.name;
    EXPECT_EQ(Header(reply, "x-amzn-ErrorType"), c.error_type) << c.name;
    EXPECT_NE(reply.body.find(c.body_part), std::string::npos) << c.name << ": " << reply.body;
  }
  EXPECT_EQ(Stats("fn").requests, 0u);
}

TEST_F(AwsRoutesTest, InvocationTypesAnswerAsLambdaDoes) {
  const auto invoke = [&](std::string_view type) {
    HttpRequest r = Post("/2015-03-31/functions/fn/invocations");
    r.headers.emplace_back("X-Amz-Invocation-Type", std::string(type));
    return api_->Handle(Signed(std::move(r)), false);
  };
  const ApiReply dry_run = invoke("DryRun");
  EXPECT_EQ(dry_run.status, 204);
  EXPECT_EQ(Stats("fn").requests, 0u);

  const ApiReply event = invoke("Event");
  EXPECT_EQ(event.status, 202);
  EXPECT_EQ(event.body, "");
  EXPECT_EQ(Header(event, "X-Amz-Log-Result"), "");
  EXPECT_EQ(Stats("fn").requests, 1u);
  EXPECT_TRUE(Eventually([&] { return Stats("fn").ok == 1; }));

  const ApiReply unknown = invoke("Later");
  EXPECT_EQ(unknown.status, 400);
  EXPECT_EQ(Header(unknown, "x-amzn-ErrorType"), "ValidationException");
  EXPECT_NE(unknown.body.find("Value 'Later' at 'invocationType'"), std::string::npos);
  EXPECT_EQ(invoke("RequestResponse").status, 200);
  EXPECT_EQ(Stats("fn").requests, 2u);
}

TEST_F(AwsRoutesTest, StoppingJoinsTheEventThreads) {
  HttpRequest r = Post("/2015-03-31/functions/fn/invocations");
  r.headers.emplace_back("X-Amz-Invocation-Type", "Event");
  for (int i = 0; i < 40; ++i) EXPECT_EQ(api_->Handle(Signed(r), false).status, 202);
  stop_.Stop();
  api_.reset();  // joins the event threads: the test ends instead of hanging
}

TEST(AwsOptionsTest, FunctionUrlAuthIsPerFunctionElseTheDefault) {
  AwsOptions options;
  options.function_url_auth_by_function = {{"a", FunctionUrlAuth::kNone},
                                           {"b", FunctionUrlAuth::kNone},
                                           {"b", FunctionUrlAuth::kAwsIam}};
  EXPECT_EQ(options.UrlAuthOf("a"), FunctionUrlAuth::kNone);
  EXPECT_EQ(options.UrlAuthOf("b"), FunctionUrlAuth::kAwsIam);
  EXPECT_EQ(options.UrlAuthOf("c"), FunctionUrlAuth::kAwsIam);
  options.function_url_auth = FunctionUrlAuth::kNone;
  EXPECT_EQ(options.UrlAuthOf("c"), FunctionUrlAuth::kNone);
  EXPECT_EQ(AwsApi::CheckOptions(options, Functions()),
            "Function URL auth for 'a': no lambda profile of that name\n"
            "Function URL auth for 'b': no lambda profile of that name\n"
            "Function URL auth for 'b': no lambda profile of that name\n");
}

std::string Jwt(std::string_view claims) {
  const auto part = [](std::string_view json) {
    std::string text = Base64(json);
    for (char& c : text) c = c == '+' ? '-' : c == '/' ? '_' : c;
    return text.substr(0, text.find('='));
  };
  return part(R"({"alg":"RS256"})") + "." + part(claims) + "." + part("signature?");
}

TEST(WebIdentityTokenTest, OnlyLiveJwtsPass) {
  const SystemClock::time_point now{std::chrono::seconds(1'700'000'000)};
  struct Case {
    std::string token;
    const char* code;  // "" = accepted
  };
  const Case cases[] = {
      {Jwt(R"({"sub":"pod","exp":1700000600})"), ""},
      {Jwt(R"({"sub":"pod"})"), ""},
      {Jwt(R"({"sub":"exp","nested":{"exp":1},"exp": 1700000001.5})"), ""},
      {Jwt(R"({"exp":1700000000})"), "ExpiredTokenException"},
      {Jwt(R"({"iat":1,"exp":1600000000})"), "ExpiredTokenException"},
      {"not-a-jwt", "InvalidIdentityToken"},
      {"a.bc", "InvalidIdentityToken"},
      {Jwt("not json"), "InvalidIdentityToken"},
      {Jwt("{}") + ".extra", "InvalidIdentityToken"},
      {Jwt("{}").substr(0, Jwt("{}").rfind('.') + 1), "InvalidIdentityToken"},
      {"", "InvalidIdentityToken"},
  };
  for (const Case& c : cases) {
    const auto refusal = CheckWebIdentityToken(c.token, now);
    EXPECT_EQ(refusal ? refusal->code : "", c.code) << c.token;
  }
  EXPECT_EQ(CheckWebIdentityToken(Jwt(R"({"exp":1600000000})"), now)->message,
            "Token expired: current date/time 1700000000 must be before the expiration "
            "date/time 1600000000");
}

}  // namespace
}  // namespace emulator
