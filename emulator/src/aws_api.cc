#include "aws_api.h"

#include <cstdio>
#include <random>

namespace emulator {
namespace {

constexpr std::string_view kFunctionsPrefix = "/2015-03-31/functions/";
// Provisioned concurrency lives under a later API version's path.
constexpr std::string_view kProvisionedPrefix = "/2019-09-30/functions/";
constexpr std::string_view kEndpointsPrefix = "/endpoints/";
constexpr std::string_view kInvocations = "/invocations";
constexpr std::string_view kFunctionUrlPrefix = "/lambda-url/";
// Threads running asynchronous (Event) invocations at most; more wait in the queue.
constexpr int kEventThreads = 16;
constexpr std::string_view kFunctionUrlForbidden =
    R"({"Message":"Forbidden. For troubleshooting Function URL authorization issues, see: )"
    R"(https://docs.aws.amazon.com/lambda/latest/dg/urls-auth.html"})";
// Issued keys this long past their expiry are forgotten (a request with one is then unknown).
constexpr auto kForgetExpiredAfter = std::chrono::minutes(10);

// A copy of a profile to serve one AWS API name: Lambda's Invoke API has no gateway in front.
Profile ApiProfile(const Profile& profile, std::string_view name) {
  Profile p = profile;
  p.name = std::string(name);
  if (p.platform == Platform::kLambda) {
    p.lambda.gateway_timeout_ms = 0;
    p.lambda.gateway_overhead_ms = 0;
    p.lambda.throttle_status = 429;
  }
  return p;
}

const char* StsErrorCode(SigV4Failure failure) {
  switch (failure) {
    case SigV4Failure::kMissing:
      return "MissingAuthenticationToken";
    case SigV4Failure::kMalformed:
      return "IncompleteSignature";
    case SigV4Failure::kUnknownKey:
      return "InvalidClientTokenId";
    case SigV4Failure::kExpiredToken:
      return "ExpiredToken";
    default:
      return "SignatureDoesNotMatch";
  }
}

const char* JsonErrorCode(SigV4Failure failure) {
  switch (failure) {
    case SigV4Failure::kMissing:
      return "MissingAuthenticationTokenException";
    case SigV4Failure::kMalformed:
      return "IncompleteSignatureException";
    case SigV4Failure::kUnknownKey:
      return "UnrecognizedClientException";
    case SigV4Failure::kExpiredToken:
      return "ExpiredTokenException";
    default:
      return "InvalidSignatureException";
  }
}

}  // namespace

std::string StatsJson(const TargetStats& s) {
  char buffer[384];
  std::snprintf(
      buffer, sizeof buffer,
      R"({"invocations":%llu,"ok":%llu,"cold_starts":%llu,"throttled":%llu,)"
      R"("function_errors":%llu,"injected_errors":%llu,"queue_full":%llu,"in_flight":%d,)"
      R"("billed_ms":%llu,"resets":%llu,"hangs":%llu,"slow_bodies":%llu,)"
      R"("too_large":%llu})",
      static_cast<unsigned long long>(s.requests), static_cast<unsigned long long>(s.ok),
      static_cast<unsigned long long>(s.cold_starts), static_cast<unsigned long long>(s.throttled),
      static_cast<unsigned long long>(s.function_errors),
      static_cast<unsigned long long>(s.injected_errors),
      static_cast<unsigned long long>(s.queue_full), s.in_flight,
      static_cast<unsigned long long>(s.billed_ms), static_cast<unsigned long long>(s.resets),
      static_cast<unsigned long long>(s.hangs), static_cast<unsigned long long>(s.slow_bodies),
      static_cast<unsigned long long>(s.too_large));
  return buffer;
}

std::string NewRequestId() {
  thread_local std::mt19937_64 rng(std::random_device{}());
  const uint64_t high = rng(), low = rng();
  char buffer[40];
  std::snprintf(buffer, sizeof buffer, "%08llx-%04llx-4%03llx-%04llx-%012llx",
                static_cast<unsigned long long>(high >> 32),
                static_cast<unsigned long long>((high >> 16) & 0xffff),
                static_cast<unsigned long long>(high & 0xfff),
                static_cast<unsigned long long>(0x8000 | ((low >> 48) & 0x3fff)),
                static_cast<unsigned long long>(low & 0xffffffffffffULL));
  return buffer;
}

Target* FindTarget(const std::vector<std::unique_ptr<Target>>& targets, std::string_view name) {
  for (const auto& t : targets) {
    if (t->profile().name == name) return t.get();
  }
  return nullptr;
}

ApiReply JsonError(int status, std::string_view code, std::string_view message,
                   std::string_view type) {
  ApiReply reply;
  reply.status = status;
  reply.headers = {{"x-amzn-ErrorType", std::string(code)}, {"x-amzn-RequestId", NewRequestId()}};
  reply.body = R"({"Type":")" + JsonText(type) + R"(","message":")" + JsonText(message) + "\"}";
  return reply;
}

AwsApi::AwsApi(const AwsOptions& options, const std::vector<Profile>& profiles, uint64_t seed,
               const TimeScale& scale, StopSignal* stop)
    : options_(options), scale_(scale), stop_(stop), events_(kEventThreads) {
  keys_.Add({.access_key_id = options.access_key_id,
             .secret_access_key = options.secret_access_key,
             .session_token = {},
             .expires = std::nullopt});
  for (const Profile& p : profiles) {
    if (p.platform == Platform::kLambda) {
      functions_.push_back(std::make_unique<Target>(ApiProfile(p, p.name), seed, scale, stop));
    }
  }
  control_ = std::make_unique<LambdaControl>(options_, functions_, scale_);
  std::vector<std::pair<std::string, std::string>> endpoints = options.sagemaker_endpoints;
  if (endpoints.empty()) endpoints = {{"mobilenet-v2", "g4dn.xlarge"}};
  for (const auto& [endpoint, profile_name] : endpoints) {
    const Profile* p = FindProfile(profiles, profile_name);
    if (p != nullptr && p->platform == Platform::kInstance) {
      endpoints_.push_back(std::make_unique<Target>(ApiProfile(*p, endpoint), seed, scale, stop));
    }
  }
}

std::string AwsApi::CheckOptions(const AwsOptions& options, const std::vector<Profile>& profiles) {
  std::string errors;
  for (const auto& [endpoint, profile_name] : options.sagemaker_endpoints) {
    const Profile* p = FindProfile(profiles, profile_name);
    if (p == nullptr || p->platform != Platform::kInstance) {
      errors += "SageMaker endpoint '" + endpoint + "': '" + profile_name +
                "' is not an instance profile\n";
    }
  }
  for (const auto& [function, auth] : options.function_url_auth_by_function) {
    const Profile* p = FindProfile(profiles, function);
    if (p == nullptr || p->platform != Platform::kLambda) {
      errors += "Function URL auth for '" + function + "': no lambda profile of that name\n";
    }
  }
  for (const Profile& p : profiles) {
    if (Owns("POST", "/" + p.name + "/predict")) {
      errors += "target '" + p.name + "': the name is taken by the AWS APIs\n";
    }
  }
  return errors;
}

bool AwsApi::Owns(std::string_view method, std::string_view path) {
  for (std::string_view prefix :
       {kFunctionsPrefix, kProvisionedPrefix, kEndpointsPrefix, kFunctionUrlPrefix,
        std::string_view("/latest/"), std::string_view("/v2/credentials/"),
        std::string_view("/_emulator/")}) {
    if (path.starts_with(prefix)) return true;
  }
  return path == "/v1/credentials" || (path == "/" && method == "POST");
}

const Target* AwsApi::Function(std::string_view name) const { return FindTarget(functions_, name); }

FunctionUrlAuth AwsOptions::UrlAuthOf(std::string_view function) const {
  FunctionUrlAuth auth = function_url_auth;
  for (const auto& [name, by_name] : function_url_auth_by_function) {
    if (name == function) auth = by_name;
  }
  return auth;
}

const Target* AwsApi::Endpoint(std::string_view name) const { return FindTarget(endpoints_, name); }

void AwsApi::StopGpus() {
  for (auto& t : endpoints_) t->StopGpu();
}

ApiReply AwsApi::Handle(const HttpRequest& request, bool body_too_large) {
  const std::string_view path = request.path;
  if (path.starts_with(kProvisionedPrefix)) {
    const std::string_view rest = path.substr(kProvisionedPrefix.size());
    const size_t slash = rest.find('/');
    const std::string_view tail = slash == std::string_view::npos ? "" : rest.substr(slash);
    if (!LambdaControl::HandlesProvisioned(request.method, tail)) {
      return JsonError(404, "UnknownOperationException", "Unknown operation");
    }
    return Control(request, PercentDecode(rest.substr(0, slash)), tail);
  }
  for (const auto& [prefix, is_lambda] :
       {std::pair{kFunctionsPrefix, true}, std::pair{kEndpointsPrefix, false}}) {
    if (!path.starts_with(prefix)) continue;
    const std::string_view rest = path.substr(prefix.size());
    const size_t slash = rest.find('/');
    const std::string_view tail = slash == std::string_view::npos ? "" : rest.substr(slash);
    if (is_lambda && LambdaControl::Handles(request.method, tail)) {
      return Control(request, PercentDecode(rest.substr(0, slash)), tail);
    }
    if (slash == std::string_view::npos || rest.substr(slash) != kInvocations ||
        request.method != "POST") {
      return JsonError(404, "UnknownOperationException", "Unknown operation");
    }
    const std::string name = PercentDecode(rest.substr(0, slash));
    return is_lambda ? Invoke(request, name, body_too_large)
                     : InvokeEndpoint(request, name, body_too_large);
  }
  if (path.starts_with(kFunctionUrlPrefix)) {
    const std::string_view rest = path.substr(kFunctionUrlPrefix.size());
    return FunctionUrl(request, PercentDecode(rest.substr(0, rest.find('/'))), body_too_large);
  }
  if (path == "/") return Sts(request);
  if (path.starts_with("/latest/")) return Imds(request);
  if (path.starts_with("/_emulator/")) return StatsReply(path);
  return ContainerCredentials(request);
}

ApiReply AwsApi::Control(const HttpRequest& request, const std::string& function,
                         std::string_view rest) {
  if (auto denied = Authenticate(request, "lambda", Protocol::kJson)) return *denied;
  std::string name, qualifier;
  SplitFunctionName(function, &name, &qualifier);
  if (FindTarget(functions_, name) == nullptr) {
    return JsonError(404, "ResourceNotFoundException",
                     "Function not found: arn:aws:lambda:" + options_.region + ":" +
                         options_.account_id + ":function:" + name);
  }
  return control_->Handle(request, name, rest);
}

std::optional<ApiReply> AwsApi::Authenticate(const HttpRequest& request, std::string_view service,
                                             Protocol protocol) {
  const SigV4Verdict verdict =
      VerifySigV4(request, keys_, options_.region, service, SystemClock::now());
  if (verdict.failure == SigV4Failure::kNone) return std::nullopt;
  if (protocol == Protocol::kJson) {
    return JsonError(403, JsonErrorCode(verdict.failure), verdict.message);
  }
  if (protocol == Protocol::kFunctionUrl) {
    // An unsigned call is simply forbidden; a signed one hears what is wrong with it.
    const bool unsigned_call = verdict.failure == SigV4Failure::kMissing;
    return ApiReply{
        .status = 403,
        .content_type = "application/json",
        .headers = {{"x-amzn-RequestId", NewRequestId()},
                    {"x-amzn-ErrorType",
                     unsigned_call ? "AccessDeniedException" : JsonErrorCode(verdict.failure)}},
        .body = unsigned_call ? std::string(kFunctionUrlForbidden)
                              : R"({"message":")" + JsonText(verdict.message) + "\"}"};
  }
  ApiReply reply;
  reply.status = 403;
  reply.content_type = "text/xml";
  reply.body = R"(<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">)"
               "\n  <Error>\n    <Type>Sender</Type>\n    <Code>" +
               std::string(StsErrorCode(verdict.failure)) + "</Code>\n    <Message>" +
               XmlText(verdict.message) + "</Message>\n  </Error>\n  <RequestId>" + NewRequestId() +
               "</RequestId>\n</ErrorResponse>\n";
  return reply;
}

AwsKey AwsApi::IssueKey() {
  const SystemClock::time_point now = SystemClock::now();
  const auto lifetime = std::chrono::duration_cast<SystemClock::duration>(
      std::chrono::duration<double>(options_.credential_lifetime_s / scale_.factor()));
  // Whole seconds, as the Expiration the client reads.
  const auto expires = std::chrono::time_point_cast<std::chrono::seconds>(now + lifetime);
  keys_.ForgetExpiredBefore(now - kForgetExpiredAfter);
  return keys_.Issue(expires);
}

ApiReply AwsApi::StatsReply(std::string_view path) const {
  constexpr std::string_view kFunctions = "/_emulator/functions/";
  constexpr std::string_view kEndpoints = "/_emulator/endpoints/";
  const Target* target = nullptr;
  if (path.starts_with(kFunctions)) {
    target = Function(PercentDecode(path.substr(kFunctions.size())));
  } else if (path.starts_with(kEndpoints)) {
    target = Endpoint(PercentDecode(path.substr(kEndpoints.size())));
  }
  if (target == nullptr) {
    return {.status = 404,
            .content_type = "application/json",
            .headers = {},
            .body = R"({"error":"no such function or endpoint"})"};
  }
  return {.status = 200,
          .content_type = "application/json",
          .headers = {},
          .body = StatsJson(target->Stats())};
}

}  // namespace emulator
