// bench's AWS targets. See bench_aws.h.
#include "cli/bench_aws.h"

#include <utility>

#include "aws/endpoints.h"
#include "config/config.h"

namespace infercost {

void AddBenchAwsFlags(CLI::App& app, BenchAwsFlags& f) {
  app.add_option("--lambda-function", f.lambda_function,
                 "instead of --url: a Lambda function (name or ARN), called through the Invoke "
                 "API, billed from AWS's own REPORT record");
  app.add_option("--qualifier", f.qualifier, "with --lambda-function: a version or alias");
  app.add_option("--sagemaker-endpoint", f.sagemaker_endpoint,
                 "instead of --url: a SageMaker endpoint, called through InvokeEndpoint");
  app.add_option("--variant", f.variant, "with --sagemaker-endpoint: the production variant");
  app.add_option("--profile", f.profile,
                 "AWS: sign with this shared-config profile (default: the SDKs' default chain)");
  app.add_option("--endpoint-url", f.endpoint_url,
                 "AWS: send to this endpoint instead of the region's (VPC endpoint, emulator)");
}

std::string CheckBenchAwsFlags(const BenchAwsFlags& f, const std::string& url) {
  const int targets = static_cast<int>(!url.empty()) +
                      static_cast<int>(!f.lambda_function.empty()) +
                      static_cast<int>(!f.sagemaker_endpoint.empty());
  if (targets != 1) return "give exactly one of --url, --lambda-function or --sagemaker-endpoint";
  if (!f.qualifier.empty() && f.lambda_function.empty()) {
    return "--qualifier needs --lambda-function";
  }
  if (!f.variant.empty() && f.sagemaker_endpoint.empty()) {
    return "--variant needs --sagemaker-endpoint";
  }
  if (!f.Any() && (!f.profile.empty() || !f.endpoint_url.empty())) {
    return "--profile and --endpoint-url need --lambda-function or --sagemaker-endpoint";
  }
  std::optional<FunctionName> function;
  if (!f.lambda_function.empty()) {
    function = ParseFunctionName(f.lambda_function);
    if (!function) {
      return "--lambda-function '" + f.lambda_function +
             "' is not a Lambda function name (1 to 64 of A-Z, a-z, 0-9, '-', '_') or ARN "
             "(arn:aws:lambda:REGION:ACCOUNT:function:NAME)";
    }
    if (!f.qualifier.empty() && !IsLambdaQualifier(f.qualifier)) {
      return "--qualifier '" + f.qualifier + "' is not a version or alias ($LATEST, 1, live)";
    }
    if (!f.qualifier.empty() && !function->qualifier.empty() &&
        function->qualifier != f.qualifier) {
      return "--qualifier '" + f.qualifier + "' differs from the function's own '" +
             function->qualifier + "'";
    }
    if (!f.region.empty() && !function->region.empty() && f.region != function->region) {
      return "--region " + f.region + " differs from the function ARN's region " + function->region;
    }
  }
  if (!f.sagemaker_endpoint.empty() && !IsSageMakerName(f.sagemaker_endpoint)) {
    return "--sagemaker-endpoint '" + f.sagemaker_endpoint +
           "' is not a SageMaker endpoint name (1 to 63 of A-Z, a-z, 0-9 and '-')";
  }
  if (!f.variant.empty() && !IsSageMakerName(f.variant)) {
    return "--variant '" + f.variant + "' is not a SageMaker variant name";
  }
  if (!f.region.empty() && !IsRegionName(f.region)) {
    return "--region '" + f.region + "' is not an AWS region name like us-east-1";
  }
  if (!f.endpoint_url.empty()) {
    if (std::string error = UrlError(f.endpoint_url); !error.empty()) {
      return "--endpoint-url '" + f.endpoint_url + "' " + error;
    }
  }
  return "";
}

std::string BenchAwsRegion(const BenchAwsFlags& f, const aws::Environment& env) {
  if (!f.region.empty()) return f.region;
  if (const std::optional<FunctionName> function = ParseFunctionName(f.lambda_function);
      function && !function->region.empty()) {
    return function->region;
  }
  const std::string configured = aws::DefaultRegion(env);
  return IsRegionName(configured) ? configured : "us-east-1";
}

std::string PrepareBenchAws(const BenchAwsFlags& f, CredentialsPool* pool,
                            loadgen::RequestSpec* request, std::string* what) {
  TargetConfig target;
  target.name = "bench";
  target.request = std::move(*request);
  target.kind = f.lambda_function.empty() ? TargetKind::kSageMaker : TargetKind::kLambda;
  AwsTargetConfig& a = target.aws;
  a.region = BenchAwsRegion(f, pool->environment());
  a.function = f.lambda_function;
  a.qualifier = f.qualifier;
  a.endpoint = f.sagemaker_endpoint;
  a.variant = f.variant;
  a.endpoint_url = f.endpoint_url;
  a.sign = true;
  if (!f.profile.empty()) {
    a.credentials.source = CredentialsSource::kProfile;
    a.credentials.profile = f.profile;
  }
  const AwsBinding binding = PrepareAwsTarget(&target, pool);
  *request = std::move(target.request);
  *what =
      target.kind == TargetKind::kLambda
          ? "Lambda function " + f.lambda_function + " (Invoke API, " + a.region + ")"
          : "SageMaker endpoint " + f.sagemaker_endpoint + " (InvokeEndpoint, " + a.region + ")";
  return binding.error;
}

}  // namespace infercost
