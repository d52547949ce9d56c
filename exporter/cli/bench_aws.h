// `infercost bench` against AWS's own APIs: --lambda-function (Lambda Invoke, with AWS's REPORT
// record) or --sagemaker-endpoint (InvokeEndpoint), signed with keys from the SDKs' default
// chain or --profile. Thread contract: the command's main thread.
#ifndef INFERCOST_CLI_BENCH_AWS_H_
#define INFERCOST_CLI_BENCH_AWS_H_

#include <CLI/CLI.hpp>
#include <string>

#include "loadgen/request.h"
#include "serve/aws_targets.h"

namespace infercost {

struct BenchAwsFlags {
  std::string lambda_function;  // name or ARN
  std::string qualifier;
  std::string sagemaker_endpoint;
  std::string variant;
  std::string profile;       // shared-config profile; "" = the default chain
  std::string endpoint_url;  // overrides the service endpoint (VPC endpoints, the emulator)
  std::string region;        // shared with the pricing flags' --region

  bool Any() const { return !lambda_function.empty() || !sagemaker_endpoint.empty(); }
};

// Adds the flags above (all but --region, which bench's pricing flags own).
void AddBenchAwsFlags(CLI::App& app, BenchAwsFlags& flags);

// Checks the flags against each other and `url` (exclusive with the AWS targets); "" when fine.
std::string CheckBenchAwsFlags(const BenchAwsFlags& flags, const std::string& url);

// The region the target is in: --region, the function ARN's, AWS_REGION, AWS_DEFAULT_REGION,
// else us-east-1.
std::string BenchAwsRegion(const BenchAwsFlags& flags, const aws::Environment& env);

// Fills `request` (url, method, protocol, SigV4 and its keys) for the AWS target. Blocks for the
// first credential fetch. Returns what failed ("" when ready); `*what` gets a description of the
// target for the summary ("Lambda function mobilenet (Invoke API, us-east-1)").
std::string PrepareBenchAws(const BenchAwsFlags& flags, CredentialsPool* pool,
                            loadgen::RequestSpec* request, std::string* what);

}  // namespace infercost

#endif  // INFERCOST_CLI_BENCH_AWS_H_
