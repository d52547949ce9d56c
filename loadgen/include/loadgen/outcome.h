// Outcome classes of a finished request: the `outcome` label of infercost_requests_total.
#ifndef LOADGEN_OUTCOME_H_
#define LOADGEN_OUTCOME_H_

#include <array>
#include <cstddef>
#include <cstdint>
#include <string_view>

namespace loadgen {

enum class Outcome : uint8_t {
  kOk,               // the response passed every check
  kHttp4xx,          // 4xx other than 429
  kThrottled,        // 429 Too Many Requests
  kHttp5xx,          // 5xx other than 504
  kGatewayTimeout,   // 504 (API Gateway's 29 s integration timeout)
  kTimeout,          // no complete response within the request timeout
  kConnectError,     // refused, reset or closed before a complete response
  kTlsError,         // handshake or certificate failure
  kInvalidResponse,  // a response arrived but failed the checks (status, body, size)
  kAuthError,        // AWS credentials expired or unavailable (not sent), or a signed request
                     // refused with 401/403
  kFunctionError,    // Lambda's Invoke API answered X-Amz-Function-Error: the function ran and
                     // failed (an exception, a timeout, out of memory); AWS bills it
};

inline constexpr std::size_t kOutcomeCount = 11;

inline constexpr std::array<Outcome, kOutcomeCount> kAllOutcomes = {
    Outcome::kOk,           Outcome::kHttp4xx,        Outcome::kThrottled,
    Outcome::kHttp5xx,      Outcome::kGatewayTimeout, Outcome::kTimeout,
    Outcome::kConnectError, Outcome::kTlsError,       Outcome::kInvalidResponse,
    Outcome::kAuthError,    Outcome::kFunctionError};

// The label value: ok, http_4xx, throttled, http_5xx, gateway_timeout, timeout, connect_error,
// tls_error, invalid_response, auth_error, function_error.
std::string_view OutcomeName(Outcome outcome);

// The one place where a transfer's result becomes an outcome. `curl_code` is the CURLcode of the
// transfer (kept an int so that curl stays out of this header), `http_status` the response status
// (0 when none arrived), `checks_passed` whether the configured response checks held,
// `signed_request` whether it carried a SigV4 signature (then 401 and 403 are auth_error: AWS
// refused the credentials, the target never ran), `function_error` whether Lambda's Invoke API
// reported X-Amz-Function-Error (then the response, a 200 with the error as its body, is a
// function_error whatever the checks say).
Outcome ClassifyOutcome(int curl_code, long http_status, bool checks_passed,
                        bool signed_request = false, bool function_error = false);

}  // namespace loadgen

#endif  // LOADGEN_OUTCOME_H_
