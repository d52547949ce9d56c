#include "loadgen/outcome.h"

#include <curl/curl.h>
#include <gtest/gtest.h>

#include <set>
#include <string_view>
#include <utility>

namespace loadgen {
namespace {

TEST(OutcomeName, EveryOutcomeHasItsOwnLabel) {
  std::set<std::string_view> names;
  for (Outcome o : kAllOutcomes) names.insert(OutcomeName(o));
  EXPECT_EQ(names.size(), kOutcomeCount);
  EXPECT_EQ(OutcomeName(Outcome::kFunctionError), "function_error");
  EXPECT_EQ(OutcomeName(Outcome::kAuthError), "auth_error");
}

TEST(ClassifyOutcome, Table) {
  struct Case {
    CURLcode code;
    long status;
    bool checks;
    bool signed_request;
    bool function_error;
    Outcome want;
  };
  const Case cases[] = {
      {CURLE_OK, 200, true, false, false, Outcome::kOk},
      {CURLE_OK, 200, false, false, false, Outcome::kInvalidResponse},
      {CURLE_OK, 429, false, false, false, Outcome::kThrottled},
      {CURLE_OK, 424, false, false, false, Outcome::kHttp4xx},  // SageMaker's ModelError
      {CURLE_OK, 403, false, false, false, Outcome::kHttp4xx},
      {CURLE_OK, 403, false, true, false, Outcome::kAuthError},
      {CURLE_OK, 504, false, false, false, Outcome::kGatewayTimeout},
      {CURLE_OK, 502, false, false, false, Outcome::kHttp5xx},
      // Lambda's Invoke API: a 200 whose function failed, whatever the body checks say.
      {CURLE_OK, 200, true, true, true, Outcome::kFunctionError},
      {CURLE_OK, 200, false, true, true, Outcome::kFunctionError},
      // What went wrong before the answer stays what it was.
      {CURLE_OK, 403, false, true, true, Outcome::kAuthError},
      {CURLE_OPERATION_TIMEDOUT, 0, false, true, true, Outcome::kTimeout},
      {CURLE_COULDNT_CONNECT, 0, false, false, false, Outcome::kConnectError},
      {CURLE_SSL_CONNECT_ERROR, 0, false, false, false, Outcome::kTlsError},
      {CURLE_WEIRD_SERVER_REPLY, 0, false, false, false, Outcome::kInvalidResponse},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(ClassifyOutcome(c.code, c.status, c.checks, c.signed_request, c.function_error),
              c.want)
        << c.code << " " << c.status << " " << c.function_error;
  }
}

TEST(ClassifyAwsErrorType, Table) {
  const std::pair<std::string_view, AwsError> cases[] = {
      {"", AwsError::kNone},
      {"UnauthorizedException", AwsError::kAuth},
      {"AccessDeniedException", AwsError::kAuth},
      {"ForbiddenException", AwsError::kAuth},
      {"MissingAuthenticationTokenException", AwsError::kAuth},
      {"TooManyRequestsException", AwsError::kThrottle},
      {"ThrottlingException", AwsError::kThrottle},
      {"LimitExceededException", AwsError::kThrottle},
      // AWS's JSON protocols may add ":detail" after the type.
      {"TooManyRequestsException:http://internal.amazon.com/", AwsError::kThrottle},
      {"InternalServerErrorException", AwsError::kOther},
      {"ResourceNotFoundException", AwsError::kOther},
  };
  for (const auto& [value, want] : cases) {
    EXPECT_EQ(ClassifyAwsErrorType(value), want) << value;
  }
}

TEST(BillingClassName, EveryClassHasItsOwnName) {
  std::set<std::string_view> names;
  for (BillingClass c : kAllBillingClasses) names.insert(BillingClassName(c));
  EXPECT_EQ(names.size(), kBillingClassCount);
  for (std::size_t i = 0; i < kBillingClassCount; ++i) {
    EXPECT_EQ(static_cast<std::size_t>(kAllBillingClasses[i]), i);
  }
}

TEST(BillingClassOf, Table) {
  struct Case {
    Outcome outcome;
    long status;
    AwsError aws_error;
    bool lambda_invoke;
    BillingClass want;
  };
  constexpr AwsError kNone = AwsError::kNone;
  constexpr AwsError kOther = AwsError::kOther;
  const Case cases[] = {
      {Outcome::kOk, 200, kNone, false, BillingClass::kOk},
      {Outcome::kHttp4xx, 404, kNone, false, BillingClass::kFunction4xx},
      // Behind API Gateway: 500 with an error type is Lambda rejecting the invocation (its
      // throttle); 502 is a function that ran and failed; a 500 without one is the function's.
      {Outcome::kHttp5xx, 500, kOther, false, BillingClass::kInvocationRejected},
      {Outcome::kHttp5xx, 502, kOther, false, BillingClass::kFunction5xx},
      {Outcome::kHttp5xx, 500, kNone, false, BillingClass::kFunction5xx},
      {Outcome::kThrottled, 429, AwsError::kThrottle, false, BillingClass::kGatewayThrottled},
      {Outcome::kThrottled, 429, kNone, false, BillingClass::kGatewayThrottled},
      {Outcome::kAuthError, 403, kNone, false, BillingClass::kAuthRejected},
      // API Gateway's authorizer refusing an unsigned caller: http_4xx to the user, not billed.
      {Outcome::kHttp4xx, 401, AwsError::kAuth, false, BillingClass::kAuthRejected},
      {Outcome::kHttp4xx, 403, AwsError::kAuth, true, BillingClass::kAuthRejected},
      {Outcome::kHttp4xx, 400, AwsError::kAuth, false, BillingClass::kFunction4xx},
      {Outcome::kConnectError, 0, kNone, false, BillingClass::kConnectionFailed},
      {Outcome::kTlsError, 0, kNone, false, BillingClass::kConnectionFailed},
      {Outcome::kTimeout, 0, kNone, false, BillingClass::kClientTimeout},
      {Outcome::kGatewayTimeout, 504, kOther, false, BillingClass::kIntegrationTimeout},
      {Outcome::kInvalidResponse, 200, kNone, false, BillingClass::kInvalidResponse},
      // Lambda's Invoke API: its own throttle, its own errors, the function's failures.
      {Outcome::kThrottled, 429, AwsError::kThrottle, true, BillingClass::kInvokeThrottled},
      {Outcome::kHttp4xx, 404, kOther, true, BillingClass::kInvocationRejected},
      {Outcome::kHttp5xx, 502, kOther, true, BillingClass::kInvocationRejected},
      {Outcome::kFunctionError, 200, kNone, true, BillingClass::kFunctionError},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(BillingClassOf(c.outcome, c.status, c.aws_error, c.lambda_invoke), c.want)
        << OutcomeName(c.outcome) << " " << c.status;
  }
}

}  // namespace
}  // namespace loadgen
