#include "tune/lambda_client.h"

#include <cstdlib>

#include "aws/endpoints.h"
#include "loadgen/base64.h"

namespace infercost {
namespace {

constexpr std::chrono::milliseconds kControlTimeout{15000};

// The value of the first "key": in a JSON text, as text: a string unescaped (\" \\ \/ and
// \n only: the fields read here are names, numbers and AWS's messages), or a number as written.
// Lambda's configuration nests objects and arrays; the fields read here are unique top-level
// names, so a scan for the quoted key is enough.
std::optional<std::string> JsonField(std::string_view json, std::string_view key) {
  const std::string quoted = "\"" + std::string(key) + "\"";
  size_t at = json.find(quoted);
  if (at == std::string_view::npos) return std::nullopt;
  at = json.find_first_not_of(" \t\r\n", at + quoted.size());
  if (at == std::string_view::npos || json[at] != ':') return std::nullopt;
  at = json.find_first_not_of(" \t\r\n", at + 1);
  if (at == std::string_view::npos) return std::nullopt;
  if (json[at] != '"') {
    const size_t end = json.find_first_of(",} \t\r\n", at);
    return std::string(json.substr(at, end == std::string_view::npos ? end : end - at));
  }
  std::string out;
  for (size_t i = at + 1; i < json.size(); ++i) {
    if (json[i] == '"') return out;
    if (json[i] == '\\' && i + 1 < json.size()) {
      ++i;
      out += json[i] == 'n' ? '\n' : json[i];
    } else {
      out += json[i];
    }
  }
  return std::nullopt;
}

// The first string in the array `key` names ("Architectures":["arm64"]), or "".
std::string FirstOfArray(std::string_view json, std::string_view key) {
  const size_t at = json.find("\"" + std::string(key) + "\"");
  if (at == std::string_view::npos) return "";
  const size_t open = json.find('[', at), close = json.find(']', at);
  if (open == std::string_view::npos || close == std::string_view::npos || close < open) return "";
  const size_t first = json.find('"', open);
  if (first == std::string_view::npos || first > close) return "";
  const size_t last = json.find('"', first + 1);
  return last == std::string_view::npos ? ""
                                        : std::string(json.substr(first + 1, last - first - 1));
}

bool Succeeded(const aws::HttpAnswer& answer) {
  return answer.error.empty() && answer.status >= 200 && answer.status <= 299;
}

ProvisionedState ToProvisioned(const aws::HttpAnswer& answer) {
  ProvisionedState state;
  if (!Succeeded(answer)) {
    state.error = AwsError(answer);
    return state;
  }
  state.requested = std::atoi(
      JsonField(answer.body, "RequestedProvisionedConcurrentExecutions").value_or("0").c_str());
  state.available = std::atoi(
      JsonField(answer.body, "AvailableProvisionedConcurrentExecutions").value_or("0").c_str());
  state.status = JsonField(answer.body, "Status").value_or("");
  state.reason = JsonField(answer.body, "StatusReason").value_or("");
  if (state.status.empty()) state.error = "the answer has no Status";
  return state;
}

FunctionState ToState(const aws::HttpAnswer& answer) {
  FunctionState state;
  if (!answer.error.empty() || answer.status < 200 || answer.status > 299) {
    state.error = AwsError(answer);
    return state;
  }
  state.memory_mb = std::atoi(JsonField(answer.body, "MemorySize").value_or("0").c_str());
  state.version = JsonField(answer.body, "Version").value_or("");
  state.last_update_status = JsonField(answer.body, "LastUpdateStatus").value_or("Successful");
  state.last_update_reason = JsonField(answer.body, "LastUpdateStatusReason").value_or("");
  // Lambda leaves Architectures out of older functions' answers: they are x86_64.
  state.architecture = FirstOfArray(answer.body, "Architectures");
  if (state.architecture.empty()) state.architecture = "x86_64";
  if (state.memory_mb <= 0) state.error = "the answer has no MemorySize";
  return state;
}

}  // namespace

std::string AwsError(const aws::HttpAnswer& answer) {
  if (!answer.error.empty()) return answer.error;
  std::string code = answer.Header("x-amzn-ErrorType");
  code = code.substr(0, code.find(':'));
  const std::string message =
      JsonField(answer.body, "message").value_or(JsonField(answer.body, "Message").value_or(""));
  if (code.empty() && message.empty()) return "HTTP " + std::to_string(answer.status);
  return (code.empty() ? "HTTP " + std::to_string(answer.status) : code) +
         (message.empty() ? "" : ": " + message);
}

LambdaClient::LambdaClient(std::string invoke_url, loadgen::SigV4 sigv4, std::string payload,
                           std::string content_type, std::chrono::milliseconds timeout)
    : sigv4_(std::move(sigv4)),
      payload_(std::move(payload)),
      content_type_(std::move(content_type)),
      timeout_(timeout) {
  const size_t invocations = invoke_url.rfind("/invocations");
  function_url_ = invoke_url.substr(0, invocations);
}

aws::HttpAnswer LambdaClient::Call(std::string method, std::string url, std::string body,
                                   std::string content_type, std::chrono::milliseconds timeout,
                                   std::vector<std::string> headers) const {
  aws::HttpCall call;
  call.headers = std::move(headers);
  call.method = std::move(method);
  call.url = std::move(url);
  call.body = std::move(body);
  call.timeout = timeout;
  call.connect_timeout = std::chrono::milliseconds(5000);
  if (!content_type.empty()) call.headers.push_back("Content-Type: " + content_type);
  call.sigv4_provider = sigv4_.provider;
  std::shared_ptr<const loadgen::SigningKeys> keys;
  if (sigv4_.credentials) keys = sigv4_.credentials->Current();
  if (keys) {
    call.access_key_id = keys->access_key;
    call.secret_access_key = keys->secret_key;
    if (!keys->session_token.empty()) {
      call.headers.push_back("x-amz-security-token: " + keys->session_token);
    }
  } else {
    call.access_key_id = sigv4_.access_key;
    call.secret_access_key = sigv4_.secret_key;
    if (!sigv4_.session_token.empty()) {
      call.headers.push_back("x-amz-security-token: " + sigv4_.session_token);
    }
  }
  return aws::Send(call);
}

FunctionState LambdaClient::GetConfiguration(std::string_view qualifier) const {
  std::string url = function_url_ + "/configuration";
  if (!qualifier.empty()) url += "?Qualifier=" + aws::UriEncode(qualifier);
  return ToState(Call("GET", url, "", "", kControlTimeout));
}

FunctionState LambdaClient::UpdateMemory(int memory_mb) const {
  return ToState(Call("PUT", function_url_ + "/configuration",
                      "{\"MemorySize\":" + std::to_string(memory_mb) + "}", "application/json",
                      kControlTimeout));
}

FunctionState LambdaClient::PublishVersion() const {
  return ToState(
      Call("POST", function_url_ + "/versions", "{}", "application/json", kControlTimeout));
}

std::string LambdaClient::DeleteVersion(std::string_view version) const {
  const aws::HttpAnswer answer = Call(
      "DELETE", function_url_ + "?Qualifier=" + aws::UriEncode(version), "", "", kControlTimeout);
  return Succeeded(answer) ? "" : AwsError(answer);
}

std::string LambdaClient::ProvisionedUrl(std::string_view version) const {
  // Provisioned concurrency is under the 2019-09-30 API version's path.
  std::string url = function_url_;
  if (const size_t at = url.rfind("/2015-03-31/functions/"); at != std::string::npos) {
    url.replace(at, 11, "/2019-09-30");
  }
  return url + "/provisioned-concurrency?Qualifier=" + aws::UriEncode(version);
}

ProvisionedState LambdaClient::PutProvisioned(std::string_view version, int count) const {
  return ToProvisioned(Call("PUT", ProvisionedUrl(version),
                            "{\"ProvisionedConcurrentExecutions\":" + std::to_string(count) + "}",
                            "application/json", kControlTimeout));
}

ProvisionedState LambdaClient::GetProvisioned(std::string_view version) const {
  return ToProvisioned(Call("GET", ProvisionedUrl(version), "", "", kControlTimeout));
}

std::string LambdaClient::DeleteProvisioned(std::string_view version) const {
  const aws::HttpAnswer answer = Call("DELETE", ProvisionedUrl(version), "", "", kControlTimeout);
  return Succeeded(answer) ? "" : AwsError(answer);
}

LambdaClient LambdaClient::ForFunction(std::string_view name) const {
  LambdaClient other = *this;
  constexpr std::string_view kFunctions = "/functions/";
  if (name.find(kFunctions) != std::string_view::npos) {
    other.function_url_ = std::string(name);
  } else {
    const size_t at = function_url_.rfind(kFunctions);
    other.function_url_ = function_url_.substr(0, at + kFunctions.size()) + aws::UriEncode(name);
  }
  return other;
}

Invocation LambdaClient::Invoke(std::string_view qualifier) const {
  const aws::HttpAnswer answer =
      Call("POST", function_url_ + "/invocations?Qualifier=" + aws::UriEncode(qualifier), payload_,
           content_type_, timeout_, {"X-Amz-Log-Type: Tail"});
  Invocation inv;
  if (!answer.error.empty() || answer.status != 200) {
    inv.error = AwsError(answer);
    return inv;
  }
  inv.executed_version = answer.Header("X-Amz-Executed-Version");
  if (const std::string function_error = answer.Header("X-Amz-Function-Error");
      !function_error.empty()) {
    inv.error = "function error (" + function_error + ")";
  }
  std::string log;
  if (loadgen::Base64Decode(answer.Header("X-Amz-Log-Result"), &log)) {
    inv.report = loadgen::ParseLambdaReport(log);
  }
  return inv;
}

}  // namespace infercost
