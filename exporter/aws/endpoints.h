// Where AWS API calls go: the service endpoints of the SDKs (with their environment overrides)
// and the requests of infercost's AWS target kinds. Pure string work, no I/O.
//
// Endpoint resolution, as the AWS SDKs do it: an explicit override (a target's `endpoint_url`),
// else AWS_ENDPOINT_URL_<SERVICE> (e.g. AWS_ENDPOINT_URL_LAMBDA,
// AWS_ENDPOINT_URL_SAGEMAKER_RUNTIME, AWS_ENDPOINT_URL_STS), else AWS_ENDPOINT_URL, else the
// service's regional endpoint. AWS_IGNORE_CONFIGURED_ENDPOINT_URLS=true turns both variables
// off. Thread contract: pure; safe anywhere.
#ifndef INFERCOST_AWS_ENDPOINTS_H_
#define INFERCOST_AWS_ENDPOINTS_H_

#include <optional>
#include <string>
#include <string_view>

#include "aws/credentials.h"

namespace infercost::aws {

// One AWS service as the SDKs name it.
struct Service {
  std::string_view env_id;        // suffix of AWS_ENDPOINT_URL_<env_id>: LAMBDA, SAGEMAKER_RUNTIME
  std::string_view host_prefix;   // <host_prefix>.<region>.amazonaws.com
  std::string_view signing_name;  // SigV4 service: lambda, sagemaker, sts
};
inline constexpr Service kLambda{"LAMBDA", "lambda", "lambda"};
inline constexpr Service kSageMakerRuntime{"SAGEMAKER_RUNTIME", "runtime.sagemaker", "sagemaker"};
inline constexpr Service kSts{"STS", "sts", "sts"};

// The endpoint the environment configures for `service` (AWS_ENDPOINT_URL_<SERVICE>, then
// AWS_ENDPOINT_URL), without a trailing slash; nullopt when none is.
std::optional<std::string> ConfiguredEndpoint(const Environment& env, const Service& service);

// The base URL (no trailing slash) for `service` in `region`; `override_url` wins when not empty.
std::string ServiceEndpoint(const Environment& env, const Service& service, std::string_view region,
                            std::string_view override_url = {});

// The region AWS calls go to: `region` when given, else AWS_REGION, else AWS_DEFAULT_REGION, else
// "" (the SDKs' order).
std::string DefaultRegion(const Environment& env, std::string_view region = {});

// libcurl's CURLOPT_AWS_SIGV4 provider: aws:amz:<region>:<service>.
std::string SigV4Provider(std::string_view region, std::string_view service);

// RFC 3986 percent-encoding of one path segment or query value (unreserved characters kept),
// as SigV4's canonical URI expects.
std::string UriEncode(std::string_view value);

// POST <endpoint>/2015-03-31/functions/<function>/invocations[?Qualifier=<qualifier>]: Lambda's
// Invoke API. `function` is a name, a partial ARN or a full ARN (with or without a version or
// alias suffix); `qualifier` may be empty.
std::string LambdaInvokeUrl(std::string_view endpoint, std::string_view function,
                            std::string_view qualifier);

// POST <endpoint>/endpoints/<endpoint_name>/invocations: SageMaker Runtime's InvokeEndpoint.
std::string SageMakerInvokeUrl(std::string_view endpoint, std::string_view endpoint_name);

}  // namespace infercost::aws

#endif  // INFERCOST_AWS_ENDPOINTS_H_
