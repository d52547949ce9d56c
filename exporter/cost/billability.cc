#include "cost/billability.h"

#include <array>

namespace infercost {
namespace {

// Public AWS pages the rows cite.
constexpr std::string_view kLambdaPricing = "https://aws.amazon.com/lambda/pricing/";
constexpr std::string_view kApiGatewayPricing = "https://aws.amazon.com/api-gateway/pricing/";
constexpr std::string_view kApiGatewayNotBilled =
    "https://repost.aws/questions/QU5y4fo-e3RWyU5r4VmyPIzA/pricing-clarification-for-api-gateway";
constexpr std::string_view kApiGatewayThrottling =
    "https://docs.aws.amazon.com/apigateway/latest/developerguide/"
    "api-gateway-request-throttling.html";
constexpr std::string_view kGatewayResponses =
    "https://docs.aws.amazon.com/apigateway/latest/developerguide/"
    "supported-gateway-response-types.html";
constexpr std::string_view kApiGatewayQuotas =
    "https://docs.aws.amazon.com/apigateway/latest/developerguide/limits.html";
constexpr std::string_view kLambdaGatewayErrors =
    "https://docs.aws.amazon.com/lambda/latest/dg/services-apigateway-errors.html";
constexpr std::string_view kLambdaInvoke =
    "https://docs.aws.amazon.com/lambda/latest/api/API_Invoke.html";
constexpr std::string_view kSageMakerPricing = "https://aws.amazon.com/sagemaker/pricing/";

constexpr BilledDuration kNone = BilledDuration::kNone;
constexpr BilledDuration kReported = BilledDuration::kReported;
constexpr BilledDuration kFullRun = BilledDuration::kFullRun;

// In loadgen::BillingClass order (a test checks it).
constexpr std::array<Billability, 12> kTable = {{
    {"ok",
     "ok",
     true,
     true,
     kReported,
     true,
     "The function ran and answered: Lambda bills the request and the billed duration, API "
     "Gateway the API call, SageMaker Serverless the processing time and the data in and out.",
     {kLambdaPricing, kApiGatewayPricing, kSageMakerPricing}},
    {"function_4xx",
     "http_4xx (no authorisation error type from API Gateway)",
     true,
     true,
     kReported,
     true,
     "The function ran and answered 4xx: Lambda bills every invocation whatever it returns, and "
     "API Gateway bills the call it passed to the integration.",
     {kLambdaPricing, kApiGatewayPricing}},
    {"function_5xx",
     "http_5xx: the function's own 5xx, or API Gateway's 502 (the function ran, then failed or "
     "returned a malformed response)",
     true,
     true,
     kReported,
     true,
     "The function ran: Lambda bills the invocation and its duration, and API Gateway the call.",
     {kLambdaGatewayErrors, kLambdaPricing}},
    {"invalid_response",
     "invalid_response",
     true,
     true,
     kReported,
     true,
     "An answer arrived that failed the response checks: the function ran, and is billed as for "
     "ok.",
     {kLambdaPricing, kApiGatewayPricing}},
    {"gateway_throttled",
     "throttled: a 429 from the endpoint (API Gateway's account, stage, method or usage-plan "
     "limit)",
     false,
     false,
     kNone,
     false,
     "API Gateway does not bill requests it throttles; they never reach the integration, so "
     "nothing else is billed either.",
     {kApiGatewayNotBilled, kApiGatewayThrottling}},
    {"auth_rejected",
     "auth_error: a 401 or 403 to a SigV4-signed request, or not sent for want of credentials; "
     "http_4xx: a 401 or 403 with an authorisation x-amzn-ErrorType (UnauthorizedException, "
     "AccessDeniedException, ForbiddenException, MissingAuthenticationTokenException, ...)",
     false,
     false,
     kNone,
     false,
     "API Gateway does not bill requests that fail authentication or authorisation (IAM, "
     "Lambda and Cognito authorizers, API keys); a refused Invoke call never runs the function.",
     {kApiGatewayNotBilled, kGatewayResponses, kLambdaInvoke}},
    {"connection_failed",
     "connect_error, tls_error: DNS, refused, reset or closed before an answer, TLS handshake",
     false,
     false,
     kNone,
     false,
     "No call reached AWS: API Gateway bills the API calls it receives, Lambda the invocations "
     "it starts.",
     {kApiGatewayPricing, kLambdaPricing}},
    {"client_timeout",
     "timeout: the client stopped waiting",
     true,
     true,
     kFullRun,
     true,
     "The request was delivered (assumed) and the client gave up: the call and the invocation "
     "are billed, and the function runs on, to its own timeout at most; AWS bills that whole "
     "run.",
     {kLambdaPricing, kApiGatewayPricing}},
    {"integration_timeout",
     "gateway_timeout: API Gateway's 504 at its integration timeout",
     true,
     true,
     kFullRun,
     true,
     "API Gateway stops waiting after 29 s (its default integration timeout) and bills the call; "
     "the Lambda invocation runs on to the function's own timeout and is billed in full.",
     {kApiGatewayQuotas, kLambdaPricing}},
    {"invocation_rejected",
     "http_5xx: API Gateway's 500 with x-amzn-ErrorType (the Lambda API rejected the "
     "invocation: Lambda's throttle, a missing permission); or an Invoke API error other than "
     "a throttle",
     true,
     false,
     kNone,
     false,
     "API Gateway bills the call it passed to its integration; Lambda rejected the invocation, "
     "so there is no request fee and no duration.",
     {kLambdaGatewayErrors, kApiGatewayNotBilled}},
    {"invoke_throttled",
     "throttled: Lambda's Invoke API's 429 TooManyRequestsException",
     false,
     false,
     kNone,
     false,
     "Lambda throttles before it runs the function: no invocation is counted and no duration "
     "billed; no gateway is in the way.",
     {kLambdaInvoke, kLambdaPricing}},
    {"function_error",
     "function_error: the Invoke API's X-Amz-Function-Error",
     false,
     true,
     kReported,
     true,
     "The function ran and failed (an exception, its timeout, out of memory): Lambda bills the "
     "invocation and the billed duration of its REPORT line; called directly, no gateway.",
     {kLambdaInvoke, kLambdaPricing}},
}};

std::string_view DurationText(BilledDuration duration) {
  switch (duration) {
    case BilledDuration::kNone:
      return "none";
    case BilledDuration::kReported:
      return "reported (REPORT line or header; else latency, an upper bound)";
    case BilledDuration::kFullRun:
      return "the function's full run (latency is a lower bound)";
  }
  return "none";
}

std::string_view YesNo(bool value) { return value ? "yes" : "no"; }

}  // namespace

std::span<const Billability> BillabilityTable() { return kTable; }

const Billability* FindBillability(std::string_view billing_class) {
  for (const Billability& row : kTable) {
    if (row.billing_class == billing_class) return &row;
  }
  return nullptr;
}

void AddBilled(const Billability& row, const ClassCounts& counts, Usage* usage) {
  usage->requests += counts.requests;
  if (row.gateway_fee) usage->gateway_requests += counts.requests;
  if (row.request_fee) usage->billable_requests += counts.requests;
  if (row.duration != BilledDuration::kNone) usage->billed_ms += counts.billed_ms;
  if (row.duration == BilledDuration::kReported && counts.billed_by_aws < counts.requests) {
    usage->billed_estimated = true;
  }
  if (row.duration == BilledDuration::kFullRun && counts.requests > 0) {
    usage->billed_lower_bound = true;
  }
  if (row.data_processed) {
    usage->data_in_bytes += counts.bytes_sent;
    usage->data_out_bytes += counts.bytes_received;
  }
}

std::string BillabilityMarkdown() {
  std::string out =
      "| class | outcome, and how it is told apart | API Gateway fee | request fee | duration | "
      "data processed | AWS's rule | source |\n"
      "|---|---|---|---|---|---|---|---|\n";
  for (const Billability& row : kTable) {
    std::string sources;
    for (std::string_view url : row.sources) {
      if (url.empty()) continue;
      if (!sources.empty()) sources += ", ";
      sources += "<" + std::string(url) + ">";
    }
    out += "| `" + std::string(row.billing_class) + "` | " + std::string(row.seen_as) + " | " +
           std::string(YesNo(row.gateway_fee)) + " | " + std::string(YesNo(row.request_fee)) +
           " | " + std::string(DurationText(row.duration)) + " | " +
           std::string(YesNo(row.data_processed)) + " | " + std::string(row.rule) + " | " +
           sources + " |\n";
  }
  return out;
}

}  // namespace infercost
