#include "loadgen/outcome.h"

#include <curl/curl.h>

namespace loadgen {

std::string_view OutcomeName(Outcome outcome) {
  switch (outcome) {
    case Outcome::kOk:
      return "ok";
    case Outcome::kHttp4xx:
      return "http_4xx";
    case Outcome::kThrottled:
      return "throttled";
    case Outcome::kHttp5xx:
      return "http_5xx";
    case Outcome::kGatewayTimeout:
      return "gateway_timeout";
    case Outcome::kTimeout:
      return "timeout";
    case Outcome::kConnectError:
      return "connect_error";
    case Outcome::kTlsError:
      return "tls_error";
    case Outcome::kInvalidResponse:
      return "invalid_response";
    case Outcome::kAuthError:
      return "auth_error";
    case Outcome::kFunctionError:
      return "function_error";
  }
  return "invalid_response";
}

AwsError ClassifyAwsErrorType(std::string_view value) {
  value = value.substr(0, value.find(':'));
  while (!value.empty() && (value.back() == ' ' || value.back() == '\t')) value.remove_suffix(1);
  if (value.empty()) return AwsError::kNone;
  static constexpr std::string_view kAuth[] = {
      "UnauthorizedException",        "AccessDeniedException",
      "ForbiddenException",           "MissingAuthenticationTokenException",
      "IncompleteSignatureException", "InvalidSignatureException",
      "ExpiredTokenException",        "UnrecognizedClientException"};
  static constexpr std::string_view kThrottle[] = {"TooManyRequestsException",
                                                   "ThrottlingException", "LimitExceededException"};
  for (std::string_view type : kAuth) {
    if (value == type) return AwsError::kAuth;
  }
  for (std::string_view type : kThrottle) {
    if (value == type) return AwsError::kThrottle;
  }
  return AwsError::kOther;
}

Outcome ClassifyOutcome(int curl_code, long http_status, bool checks_passed, bool signed_request,
                        bool function_error) {
  switch (static_cast<CURLcode>(curl_code)) {
    case CURLE_OK:
      break;
    case CURLE_OPERATION_TIMEDOUT:
      return Outcome::kTimeout;
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_RESOLVE_PROXY:
    case CURLE_COULDNT_CONNECT:
    case CURLE_SEND_ERROR:
    case CURLE_RECV_ERROR:
    case CURLE_GOT_NOTHING:
      return Outcome::kConnectError;
    case CURLE_WEIRD_SERVER_REPLY:    // a status line or header that is not HTTP
    case CURLE_UNSUPPORTED_PROTOCOL:  // at this point: an HTTP/0.9 (header-less) answer
    case CURLE_BAD_CONTENT_ENCODING:
      return Outcome::kInvalidResponse;
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CERTPROBLEM:
    case CURLE_SSL_CIPHER:
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_SSL_ISSUER_ERROR:
    case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
    case CURLE_SSL_INVALIDCERTSTATUS:
    case CURLE_SSL_ENGINE_NOTFOUND:
    case CURLE_SSL_ENGINE_SETFAILED:
    case CURLE_SSL_CRL_BADFILE:
    case CURLE_SSL_SHUTDOWN_FAILED:
    case CURLE_USE_SSL_FAILED:
      return Outcome::kTlsError;
    default:
      // A response began but could not be read as one (malformed, truncated, too large).
      if (http_status == 0) return Outcome::kConnectError;
      return Outcome::kInvalidResponse;
  }
  if (signed_request && (http_status == 401 || http_status == 403)) return Outcome::kAuthError;
  if (function_error) return Outcome::kFunctionError;
  if (http_status == 429) return Outcome::kThrottled;
  if (http_status == 504) return Outcome::kGatewayTimeout;
  if (http_status >= 500 && http_status <= 599) return Outcome::kHttp5xx;
  if (http_status >= 400 && http_status <= 499) return Outcome::kHttp4xx;
  return checks_passed ? Outcome::kOk : Outcome::kInvalidResponse;
}

std::string_view BillingClassName(BillingClass billing_class) {
  switch (billing_class) {
    case BillingClass::kOk:
      return "ok";
    case BillingClass::kFunction4xx:
      return "function_4xx";
    case BillingClass::kFunction5xx:
      return "function_5xx";
    case BillingClass::kInvalidResponse:
      return "invalid_response";
    case BillingClass::kGatewayThrottled:
      return "gateway_throttled";
    case BillingClass::kAuthRejected:
      return "auth_rejected";
    case BillingClass::kConnectionFailed:
      return "connection_failed";
    case BillingClass::kClientTimeout:
      return "client_timeout";
    case BillingClass::kIntegrationTimeout:
      return "integration_timeout";
    case BillingClass::kInvocationRejected:
      return "invocation_rejected";
    case BillingClass::kInvokeThrottled:
      return "invoke_throttled";
    case BillingClass::kFunctionError:
      return "function_error";
  }
  return "invalid_response";
}

BillingClass BillingClassOf(Outcome outcome, long http_status, AwsError aws_error,
                            bool lambda_invoke) {
  switch (outcome) {
    case Outcome::kOk:
      return BillingClass::kOk;
    case Outcome::kHttp4xx:
      // Refused by API Gateway's authorizer, an API key check or IAM: the integration never ran.
      if (aws_error == AwsError::kAuth && (http_status == 401 || http_status == 403)) {
        return BillingClass::kAuthRejected;
      }
      // Lambda's Invoke API reports the function's own failures as X-Amz-Function-Error on a
      // 200; a 4xx with an error type is the API refusing the call (ResourceNotFound, ...).
      return lambda_invoke && aws_error != AwsError::kNone ? BillingClass::kInvocationRejected
                                                           : BillingClass::kFunction4xx;
    case Outcome::kThrottled:
      return lambda_invoke ? BillingClass::kInvokeThrottled : BillingClass::kGatewayThrottled;
    case Outcome::kHttp5xx:
      // API Gateway answers 500 when the Lambda API rejected the invocation and 502 when the
      // function ran and failed; both carry x-amzn-ErrorType, a function's own 500 does not.
      if (aws_error != AwsError::kNone && (lambda_invoke || http_status == 500)) {
        return BillingClass::kInvocationRejected;
      }
      return BillingClass::kFunction5xx;
    case Outcome::kGatewayTimeout:
      return BillingClass::kIntegrationTimeout;
    case Outcome::kTimeout:
      return BillingClass::kClientTimeout;
    case Outcome::kConnectError:
    case Outcome::kTlsError:
      return BillingClass::kConnectionFailed;
    case Outcome::kInvalidResponse:
      return BillingClass::kInvalidResponse;
    case Outcome::kAuthError:
      return BillingClass::kAuthRejected;
    case Outcome::kFunctionError:
      return BillingClass::kFunctionError;
  }
  return BillingClass::kInvalidResponse;
}

}  // namespace loadgen
