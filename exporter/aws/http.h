// The blocking HTTP calls the credential providers make (STS, the ECS container endpoint, IMDS):
// one libcurl easy handle per call, short timeouts, never on an engine thread (the refresher's
// thread or start-up make them). Thread contract: pure; curl_global_init must have run (the
// engine's GlobalInit, or libcurl's own lazy init in tests).
#ifndef INFERCOST_AWS_HTTP_H_
#define INFERCOST_AWS_HTTP_H_

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace infercost::aws {

struct HttpCall {
  std::string method = "GET";
  std::string url;
  std::vector<std::string> headers;  // "Name: value"
  std::string body;
  std::chrono::milliseconds connect_timeout{2000};
  std::chrono::milliseconds timeout{5000};
  // When set, libcurl signs the call with SigV4 (CURLOPT_AWS_SIGV4), e.g. "aws:amz:us-east-1:sts",
  // with these keys; a session token must be among `headers` as x-amz-security-token.
  std::optional<std::string> sigv4_provider;
  std::string access_key_id;
  std::string secret_access_key;
};

struct HttpAnswer {
  std::string error;  // non-empty when no response arrived (libcurl's message)
  long status = 0;
  std::string body;
  // Response headers as received ("Name", "value"), names in the server's case.
  std::vector<std::pair<std::string, std::string>> headers;

  // The first header named `name` (case-insensitive); "" when absent.
  std::string Header(std::string_view name) const;
};

HttpAnswer Send(const HttpCall& call);

// application/x-www-form-urlencoded escaping of one value (RFC 3986 unreserved kept as is).
std::string FormEscape(std::string_view value);

}  // namespace infercost::aws

#endif  // INFERCOST_AWS_HTTP_H_
