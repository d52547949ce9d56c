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

// What an AWS front door said about an error it answered itself, from the `x-amzn-ErrorType`
// response header: API Gateway's gateway responses (UnauthorizedException on a 401,
// InternalServerErrorException on the 500 it returns when Lambda rejected the invocation) and the
// errors of Lambda's Invoke API (TooManyRequestsException on a 429) carry it; a function's own
// response does not, unless the function sets it.
enum class AwsError : uint8_t {
  kNone,  // no x-amzn-ErrorType: the target's own answer
  kAuth,  // authentication or authorisation refused (UnauthorizedException,
          // AccessDeniedException, ForbiddenException, MissingAuthenticationTokenException, ...)
  kThrottle,  // TooManyRequestsException, ThrottlingException, LimitExceededException
  kOther,     // any other error type
};

// The header's value ("TooManyRequestsException", or with a ":detail" suffix as AWS's JSON
// protocols allow) as an AwsError; an empty value is kNone.
AwsError ClassifyAwsErrorType(std::string_view value);

// The one place where a transfer's result becomes an outcome. `curl_code` is the CURLcode of the
// transfer (kept an int so that curl stays out of this header), `http_status` the response status
// (0 when none arrived), `checks_passed` whether the configured response checks held,
// `signed_request` whether it carried a SigV4 signature (then 401 and 403 are auth_error: AWS
// refused the credentials, the target never ran), `function_error` whether Lambda's Invoke API
// reported X-Amz-Function-Error (then the response, a 200 with the error as its body, is a
// function_error whatever the checks say).
Outcome ClassifyOutcome(int curl_code, long http_status, bool checks_passed,
                        bool signed_request = false, bool function_error = false);

// What AWS bills a finished request by: its outcome, refined by who answered it. Not a label
// users see (the outcome is); the cost model's billability table (exporter/cost/billability.h,
// docs/cost-model.md) has one row per class, joined by BillingClassName.
enum class BillingClass : uint8_t {
  kOk,                  // ok
  kFunction4xx,         // http_4xx: the target answered 4xx
  kFunction5xx,         // http_5xx answered by the function (API Gateway's 502: the function ran)
  kInvalidResponse,     // invalid_response: an answer that failed the checks
  kGatewayThrottled,    // throttled (429) by the endpoint in front (API Gateway)
  kAuthRejected,        // auth_error (refused by AWS's authentication, or never sent), or a
                        // 401/403 whose x-amzn-ErrorType is an authorisation error (API
                        // Gateway's authorizers, API keys; an IAM Function URL)
  kConnectionFailed,    // connect_error, tls_error: DNS, refused, reset, TLS handshake
  kClientTimeout,       // timeout: the client stopped waiting
  kIntegrationTimeout,  // gateway_timeout: API Gateway's 504 at its integration timeout
  kInvocationRejected,  // http_5xx with x-amzn-ErrorType on a 500 behind API Gateway (Lambda
                        // rejected the invocation, e.g. its throttle), or an error of Lambda's
                        // Invoke API other than a throttle
  kInvokeThrottled,     // throttled (429 TooManyRequestsException) by Lambda's Invoke API
  kFunctionError,       // function_error: Invoke API's X-Amz-Function-Error
};

inline constexpr std::size_t kBillingClassCount = 12;

inline constexpr std::array<BillingClass, kBillingClassCount> kAllBillingClasses = {
    BillingClass::kOk,
    BillingClass::kFunction4xx,
    BillingClass::kFunction5xx,
    BillingClass::kInvalidResponse,
    BillingClass::kGatewayThrottled,
    BillingClass::kAuthRejected,
    BillingClass::kConnectionFailed,
    BillingClass::kClientTimeout,
    BillingClass::kIntegrationTimeout,
    BillingClass::kInvocationRejected,
    BillingClass::kInvokeThrottled,
    BillingClass::kFunctionError};

// ok, function_4xx, function_5xx, invalid_response, gateway_throttled, auth_rejected,
// connection_failed, client_timeout, integration_timeout, invocation_rejected, invoke_throttled,
// function_error.
std::string_view BillingClassName(BillingClass billing_class);

// The class of a finished request. `lambda_invoke` is whether it went to Lambda's Invoke API
// (then a 429 is Lambda's own throttle and any other error with x-amzn-ErrorType is the API's).
BillingClass BillingClassOf(Outcome outcome, long http_status, AwsError aws_error,
                            bool lambda_invoke);

}  // namespace loadgen

#endif  // LOADGEN_OUTCOME_H_
