// The two metadata endpoints of the chain: the ECS/EKS container endpoint and EC2's IMDSv2.
#include "aws/metadata.h"

#include <fstream>
#include <sstream>

#include "aws/credentials.h"
#include "aws/http.h"

namespace infercost::aws {
namespace {

using std::chrono::milliseconds;

// The SDKs' IMDS budget: one second to connect, a short total, one attempt.
constexpr milliseconds kImdsConnectTimeout{1000};
constexpr milliseconds kImdsTimeout{2000};
constexpr milliseconds kContainerConnectTimeout{2000};
constexpr milliseconds kContainerTimeout{5000};
// The token lives 6 hours, the most IMDS grants; a new one is asked for on every refresh.
constexpr const char* kImdsTokenTtlHeader = "X-aws-ec2-metadata-token-ttl-seconds: 21600";
constexpr const char* kDefaultImdsEndpoint = "http://169.254.169.254";
constexpr const char* kEcsHost = "http://169.254.170.2";

bool IsTrue(const std::optional<std::string>& value) {
  if (!value) return false;
  std::string lower;
  for (char c : *value) lower.push_back(static_cast<char>(c >= 'A' && c <= 'Z' ? c + 32 : c));
  return lower == "true";
}

// The host of an http(s) URL, brackets kept for IPv6 ("[::1]").
std::string_view UrlHost(std::string_view url) {
  const std::size_t scheme = url.find("://");
  if (scheme == std::string_view::npos) return {};
  std::string_view rest = url.substr(scheme + 3);
  rest = rest.substr(0, rest.find_first_of("/?#"));
  if (const std::size_t at = rest.rfind('@'); at != std::string_view::npos) {
    rest = rest.substr(at + 1);
  }
  if (rest.starts_with("[")) return rest.substr(0, rest.find(']') + 1);
  return rest.substr(0, rest.find(':'));
}

// The SDKs accept a plain-http full URI only towards the host itself or the ECS and EKS Pod
// Identity agents, so that the authorization token never crosses a network in clear.
bool AllowedFullUri(std::string_view url) {
  if (url.starts_with("https://")) return true;
  if (!url.starts_with("http://")) return false;
  const std::string_view host = UrlHost(url);
  return host.starts_with("127.") || host == "localhost" || host == "[::1]" ||
         host == "169.254.170.2" || host == "169.254.170.23" || host == "[fd00:ec2::23]";
}

bool ReadFile(const std::string& path, std::string* out) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  if (!in) return false;
  *out = text.str();
  return true;
}

std::string HttpFailure(std::string_view what, const std::string& url, const HttpAnswer& answer) {
  if (!answer.error.empty()) return std::string(what) + " " + url + " failed: " + answer.error;
  return std::string(what) + " " + url + " answered HTTP " + std::to_string(answer.status);
}

// The container endpoint's Authorization header value, or an error message.
bool ContainerToken(const Environment& env, std::string* token, std::string* error) {
  if (const std::optional<std::string> file = env("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE");
      file && !file->empty()) {
    // Re-read on every call: EKS Pod Identity rotates it.
    if (!ReadFile(*file, token)) {
      *error = "cannot read AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE " + *file;
      return false;
    }
  } else {
    *token = env("AWS_CONTAINER_AUTHORIZATION_TOKEN").value_or("");
  }
  while (!token->empty() && (token->back() == '\n' || token->back() == '\r')) token->pop_back();
  if (token->find_first_of("\r\n") != std::string::npos) {
    *error = "the container authorization token holds a line break";
    return false;
  }
  return true;
}

}  // namespace

Lookup FromContainer(const Environment& env) { return internal::FromContainer(env, kEcsHost); }

Lookup FromInstanceMetadata(const Environment& env) {
  if (IsTrue(env("AWS_EC2_METADATA_DISABLED"))) {
    return Lookup::NotConfigured("AWS_EC2_METADATA_DISABLED is true");
  }
  std::string endpoint = env("AWS_EC2_METADATA_SERVICE_ENDPOINT").value_or("");
  if (endpoint.empty()) endpoint = kDefaultImdsEndpoint;
  while (endpoint.ends_with("/")) endpoint.pop_back();

  HttpCall call;
  call.connect_timeout = kImdsConnectTimeout;
  call.timeout = kImdsTimeout;
  call.method = "PUT";
  call.url = endpoint + "/latest/api/token";
  call.headers = {kImdsTokenTtlHeader};
  const HttpAnswer token = Send(call);
  if (!token.error.empty()) {
    return Lookup::NotConfigured("no instance metadata service at " + endpoint + ": " +
                                 token.error);
  }
  if (token.status != 200 || token.body.empty()) {
    return Lookup::Error(HttpFailure("the IMDSv2 token PUT", call.url, token));
  }
  call.method = "GET";
  call.headers = {"X-aws-ec2-metadata-token: " + token.body};
  call.url = endpoint + "/latest/meta-data/iam/security-credentials/";
  const HttpAnswer roles = Send(call);
  if (roles.error.empty() && roles.status == 404) {
    return Lookup::NotConfigured("the instance has no IAM role");
  }
  if (!roles.error.empty() || roles.status != 200) {
    return Lookup::Error(HttpFailure("IMDS", call.url, roles));
  }
  const std::string role = roles.body.substr(0, roles.body.find_first_of("\r\n"));
  if (role.empty()) return Lookup::NotConfigured("the instance has no IAM role");
  call.url += role;
  const HttpAnswer keys = Send(call);
  if (!keys.error.empty() || keys.status != 200) {
    return Lookup::Error(HttpFailure("IMDS", call.url, keys));
  }
  return internal::CredentialsFromJson(keys.body, "Token",
                                       "the instance role's credentials (IMDS)");
}

namespace internal {

Lookup FromContainer(const Environment& env, const std::string& relative_host) {
  std::string url;
  std::vector<std::string> headers;
  if (const std::optional<std::string> relative = env("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI");
      relative && !relative->empty()) {
    url = relative_host + *relative;
  } else if (const std::optional<std::string> full = env("AWS_CONTAINER_CREDENTIALS_FULL_URI");
             full && !full->empty()) {
    if (!AllowedFullUri(*full)) {
      return Lookup::Error(
          "AWS_CONTAINER_CREDENTIALS_FULL_URI must be https, or http to a "
          "loopback address or the ECS/EKS agent (169.254.170.2, "
          "169.254.170.23)");
    }
    url = *full;
    std::string token;
    std::string error;
    if (!ContainerToken(env, &token, &error)) return Lookup::Error(error);
    if (!token.empty()) headers.push_back("Authorization: " + token);
  } else {
    return Lookup::NotConfigured("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI is not set");
  }
  HttpCall call;
  call.url = url;
  call.headers = std::move(headers);
  call.connect_timeout = kContainerConnectTimeout;
  call.timeout = kContainerTimeout;
  const HttpAnswer answer = Send(call);
  if (!answer.error.empty() || answer.status != 200) {
    return Lookup::Error(HttpFailure("the container credentials endpoint", url, answer));
  }
  return CredentialsFromJson(answer.body, "Token", "the container credentials endpoint's answer");
}

}  // namespace internal
}  // namespace infercost::aws
