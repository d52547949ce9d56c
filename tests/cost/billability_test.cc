// One test per row of the billability table: each bills a handful of requests of one class on a
// Lambda function of 1024 MB behind a REST API (us-east-1, built-in catalog: Lambda $0.20 per 1M
// requests, $0.0000166667 per GB-s x86_64; REST $3.50 per 1M), with the arithmetic worked by hand
// and the AWS source the row cites. Then the path that turns a window of mixed outcomes into a
// bill, and the documentation's copy of the table.
#include "cost/billability.h"

#include <gtest/gtest.h>

#include <fstream>
#include <set>
#include <sstream>
#include <string>

#include "cost/cost.h"
#include "cost_test_util.h"

namespace infercost {
namespace {

constexpr double kLambdaRequestUsd = 0.0000002;  // $0.20 per 1M
constexpr double kGbSecondUsd = 0.0000166667;    // x86_64, per GB-s
constexpr double kRestUsd = 0.0000035;           // $3.50 per 1M

ResolvedPricing LambdaBehindRest() {
  return testing::MustResolve(testing::LambdaSpec(1024, Architecture::kX86_64, ApiGateway::kRest));
}

const Billability& Row(std::string_view name) {
  const Billability* row = FindBillability(name);
  EXPECT_NE(row, nullptr) << name;
  static const Billability kMissing{};
  return row != nullptr ? *row : kMissing;
}

// `n` requests of the class, each billed `ms` (AWS's figure when `by_aws`), 1000 B in, 10 B out.
Usage Bill(std::string_view name, uint64_t n, uint64_t ms, bool by_aws = true) {
  Usage usage;
  usage.elapsed_seconds = 60;
  AddBilled(Row(name),
            ClassCounts{.requests = n,
                        .billed_ms = n * ms,
                        .billed_by_aws = by_aws ? n : 0,
                        .bytes_sent = n * 1000,
                        .bytes_received = n * 10},
            &usage);
  return usage;
}

double RequestUsd(const Usage& usage) { return ComputeCost(LambdaBehindRest(), usage).request_usd; }

// Each row cites public AWS pages.
void ExpectSources(std::string_view name) {
  const Billability& row = Row(name);
  EXPECT_FALSE(row.rule.empty()) << name;
  EXPECT_TRUE(row.sources[0].starts_with("https://")) << name;
}

// ok: everything. 10 requests of 100 ms: REST 10 x 3.5e-6 = 3.5e-5; Lambda 10 x 2e-7 = 2e-6;
// duration 10 x 0.1 s x 1 GB x 1.66667e-5 = 1.66667e-5; total 5.366667e-5.
// Source: https://aws.amazon.com/lambda/pricing/, https://aws.amazon.com/api-gateway/pricing/
TEST(Billability, Ok) {
  const Usage u = Bill("ok", 10, 100);
  EXPECT_EQ(u.gateway_requests, 10u);
  EXPECT_EQ(u.billable_requests, 10u);
  EXPECT_EQ(u.billed_ms, 1000u);
  EXPECT_EQ(u.data_in_bytes, 10'000u);
  EXPECT_FALSE(u.billed_estimated);
  EXPECT_NEAR(RequestUsd(u), 10 * kRestUsd + 10 * kLambdaRequestUsd + 1.0 * kGbSecondUsd, 1e-15);
  ExpectSources("ok");
}

// A 4xx the function chose: billed as ok. 4 requests of 50 ms: 4 x 3.5e-6 + 4 x 2e-7 + 0.2 s x
// 1.66667e-5 = 1.4e-5 + 8e-7 + 3.33334e-6 = 1.813334e-5.
// Source: https://aws.amazon.com/lambda/pricing/ (every invocation is a request)
TEST(Billability, Function4xx) {
  const Usage u = Bill("function_4xx", 4, 50);
  EXPECT_EQ(u.gateway_requests, 4u);
  EXPECT_EQ(u.billable_requests, 4u);
  EXPECT_NEAR(RequestUsd(u), 4 * kRestUsd + 4 * kLambdaRequestUsd + 0.2 * kGbSecondUsd, 1e-15);
  ExpectSources("function_4xx");
}

// The function's own 5xx, or API Gateway's 502 (the function ran): invocation + duration + fee.
// 2 of 300 ms, estimated from latency: 2 x 3.5e-6 + 2 x 2e-7 + 0.6 x 1.66667e-5 = 1.74e-5.
// Source: https://docs.aws.amazon.com/lambda/latest/dg/services-apigateway-errors.html
TEST(Billability, Function5xx) {
  const Usage u = Bill("function_5xx", 2, 300, /*by_aws=*/false);
  EXPECT_EQ(u.billable_requests, 2u);
  EXPECT_TRUE(u.billed_estimated);  // latency: an upper bound
  EXPECT_NEAR(RequestUsd(u), 2 * kRestUsd + 2 * kLambdaRequestUsd + 0.6 * kGbSecondUsd, 1e-15);
  ExpectSources("function_5xx");
}

// An answer that failed the checks ran like any other: 1 of 10 ms = 3.5e-6 + 2e-7 + 0.01 x
// 1.66667e-5 = 3.866667e-6. Source: https://aws.amazon.com/lambda/pricing/
TEST(Billability, InvalidResponse) {
  const Usage u = Bill("invalid_response", 1, 10);
  EXPECT_NEAR(RequestUsd(u), kRestUsd + kLambdaRequestUsd + 0.01 * kGbSecondUsd, 1e-15);
  ExpectSources("invalid_response");
}

// API Gateway's throttle (429): no fee at all. 5 throttled = $0; the data never reached a model.
// Source:
// https://repost.aws/questions/QU5y4fo-e3RWyU5r4VmyPIzA/pricing-clarification-for-api-gateway
// ("You do not pay for requests which are not authorized, did not match a route in your API or
// throttled"),
// https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-request-throttling.html
TEST(Billability, GatewayThrottled) {
  const Usage u = Bill("gateway_throttled", 5, 7);
  EXPECT_EQ(u.requests, 5u);
  EXPECT_EQ(u.gateway_requests, 0u);
  EXPECT_EQ(u.billable_requests, 0u);
  EXPECT_EQ(u.billed_ms, 0u);
  EXPECT_EQ(u.data_in_bytes, 0u);
  EXPECT_DOUBLE_EQ(RequestUsd(u), 0);
  ExpectSources("gateway_throttled");
}

// Refused at the gateway (401/403 with UnauthorizedException, AccessDeniedException, ...) or by
// IAM: nothing. 3 refused = $0. Source: the re:Post answer above; the gateway response types at
// https://docs.aws.amazon.com/apigateway/latest/developerguide/supported-gateway-response-types.html
TEST(Billability, AuthRejected) {
  const Usage u = Bill("auth_rejected", 3, 2);
  EXPECT_EQ(u.gateway_requests, 0u);
  EXPECT_EQ(u.billable_requests, 0u);
  EXPECT_DOUBLE_EQ(RequestUsd(u), 0);
  ExpectSources("auth_rejected");
}

// DNS, refused, reset, TLS: AWS never received a call. 3 = $0.
// Source: https://aws.amazon.com/api-gateway/pricing/ (API calls received)
TEST(Billability, ConnectionFailed) {
  const Usage u = Bill("connection_failed", 3, 9);
  EXPECT_EQ(u.gateway_requests, 0u);
  EXPECT_EQ(u.billed_ms, 0u);
  EXPECT_DOUBLE_EQ(RequestUsd(u), 0);
  ExpectSources("connection_failed");
}

// The client gave up at 10 s: fee + invocation + at least the 10 s it waited (the function runs
// on). 1 x 3.5e-6 + 2e-7 + 10 x 1.66667e-5 = 1.704670e-4, flagged as a lower bound.
// Source: https://aws.amazon.com/lambda/pricing/ (duration until the code returns or terminates)
TEST(Billability, ClientTimeout) {
  const Usage u = Bill("client_timeout", 1, 10'000, /*by_aws=*/false);
  EXPECT_TRUE(u.billed_lower_bound);
  EXPECT_FALSE(u.billed_estimated);
  const Cost cost = ComputeCost(LambdaBehindRest(), u);
  EXPECT_NEAR(cost.request_usd, kRestUsd + kLambdaRequestUsd + 10 * kGbSecondUsd, 1e-15);
  ASSERT_EQ(cost.caveats.size(), 1u);
  EXPECT_NE(cost.caveats[0].find("lower bound"), std::string::npos);
  ExpectSources("client_timeout");
}

// API Gateway's 504 at 29 s: the gateway fee, and the function's full run (here its 29 s as
// the client saw it, a lower bound). 2 x 3.5e-6 + 2 x 2e-7 + 58 x 1.66667e-5 = 9.740686e-4.
// Source: https://docs.aws.amazon.com/apigateway/latest/developerguide/limits.html
TEST(Billability, IntegrationTimeout) {
  const Usage u = Bill("integration_timeout", 2, 29'000, /*by_aws=*/false);
  EXPECT_EQ(u.gateway_requests, 2u);
  EXPECT_EQ(u.billable_requests, 2u);
  EXPECT_TRUE(u.billed_lower_bound);
  EXPECT_NEAR(RequestUsd(u), 2 * kRestUsd + 2 * kLambdaRequestUsd + 58 * kGbSecondUsd, 1e-15);
  ExpectSources("integration_timeout");
}

// Lambda throttled behind the gateway (API Gateway's 500 with x-amzn-ErrorType): the gateway
// fee only; no invocation, no duration. 4 x 3.5e-6 = 1.4e-5.
// Source: https://docs.aws.amazon.com/lambda/latest/dg/services-apigateway-errors.html ("If the
// Lambda API rejects the invocation request, API Gateway returns a 500 error code")
TEST(Billability, InvocationRejected) {
  const Usage u = Bill("invocation_rejected", 4, 3);
  EXPECT_EQ(u.gateway_requests, 4u);
  EXPECT_EQ(u.billable_requests, 0u);
  EXPECT_EQ(u.billed_ms, 0u);
  EXPECT_NEAR(RequestUsd(u), 4 * kRestUsd, 1e-15);
  ExpectSources("invocation_rejected");
}

// Lambda's Invoke API answering 429 TooManyRequestsException: nothing billed. 6 = $0.
// Source: https://docs.aws.amazon.com/lambda/latest/api/API_Invoke.html
TEST(Billability, InvokeThrottled) {
  const Usage u = Bill("invoke_throttled", 6, 1);
  EXPECT_EQ(u.gateway_requests, 0u);
  EXPECT_EQ(u.billable_requests, 0u);
  EXPECT_DOUBLE_EQ(RequestUsd(u), 0);
  ExpectSources("invoke_throttled");
}

// X-Amz-Function-Error: the invocation and the REPORT line's duration; no gateway on the path.
// 2 of 250 ms: 2 x 2e-7 + 0.5 x 1.66667e-5 = 8.73335e-6.
// Source: https://docs.aws.amazon.com/lambda/latest/api/API_Invoke.html
TEST(Billability, FunctionError) {
  const Usage u = Bill("function_error", 2, 250);
  EXPECT_EQ(u.gateway_requests, 0u);
  EXPECT_EQ(u.billable_requests, 2u);
  EXPECT_FALSE(u.billed_estimated);
  EXPECT_NEAR(RequestUsd(u), 2 * kLambdaRequestUsd + 0.5 * kGbSecondUsd, 1e-15);
  ExpectSources("function_error");
}

TEST(Billability, EveryRowHasItsOwnClassAndAnAwsSource) {
  std::set<std::string_view> names;
  for (const Billability& row : BillabilityTable()) {
    names.insert(row.billing_class);
    for (std::string_view url : row.sources) {
      if (url.empty()) continue;
      EXPECT_TRUE(url.starts_with("https://aws.amazon.com/") ||
                  url.starts_with("https://docs.aws.amazon.com/") ||
                  url.starts_with("https://repost.aws/"))
          << url;
    }
  }
  EXPECT_EQ(names.size(), BillabilityTable().size());
  EXPECT_EQ(FindBillability("no_such_class"), nullptr);
}

// A window of 10 ok + 5 gateway throttles + 3 connection errors behind a REST API at $3.50 per
// 1M: the gateway fee on the 10 only (10 x 3.5e-6 = 3.5e-5, not 18 x 3.5e-6 = 6.3e-5 as before);
// Lambda on the 10 (2e-6) with their 10 x 100 ms (1.66667e-5). Total 5.366667e-5, i.e. $5.37 per
// 1M successes.
TEST(Billability, AWindowOfMixedOutcomesIsBilledClassByClass) {
  Usage usage;
  usage.elapsed_seconds = 60;
  usage.ok = 10;
  AddBilled(Row("ok"), ClassCounts{.requests = 10, .billed_ms = 1000, .billed_by_aws = 10}, &usage);
  AddBilled(Row("gateway_throttled"), ClassCounts{.requests = 5, .billed_ms = 5}, &usage);
  AddBilled(Row("connection_failed"), ClassCounts{.requests = 3, .billed_ms = 3}, &usage);
  EXPECT_EQ(usage.requests, 18u);
  EXPECT_EQ(usage.gateway_requests, 10u);
  const Cost cost = ComputeCost(LambdaBehindRest(), usage);
  EXPECT_NEAR(cost.request_usd, 10 * kRestUsd + 10 * kLambdaRequestUsd + kGbSecondUsd, 1e-15);
  ASSERT_TRUE(cost.observed_usd_per_million.has_value());
  EXPECT_NEAR(*cost.observed_usd_per_million, 5.366667, 1e-5);
  EXPECT_EQ(FormatUsd(*cost.observed_usd_per_million), "$5.37");
}

// docs/cost-model.md carries the table as BillabilityMarkdown() writes it, so the two cannot
// drift: regenerate the doc's table from the code when a row changes.
TEST(Billability, TheDocumentationShowsTheTableOfTheCode) {
  std::ifstream in(INFERCOST_SOURCE_DIR "/docs/cost-model.md");
  ASSERT_TRUE(in.good());
  std::stringstream doc;
  doc << in.rdbuf();
  EXPECT_NE(doc.str().find(BillabilityMarkdown()), std::string::npos)
      << "docs/cost-model.md's billability table differs from the code; it should read:\n"
      << BillabilityMarkdown();
}

}  // namespace
}  // namespace infercost
