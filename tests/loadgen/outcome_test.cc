#include "loadgen/outcome.h"

#include <curl/curl.h>
#include <gtest/gtest.h>

#include <set>
#include <string_view>

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

}  // namespace
}  // namespace loadgen
