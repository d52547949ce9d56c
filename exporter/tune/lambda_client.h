// The Lambda API calls a tuning run makes, signed with SigV4 (service lambda) like the target's
// Invoke calls: GetFunctionConfiguration, UpdateFunctionConfiguration (MemorySize),
// PublishVersion, DeleteFunction of a version, Put-/Get-/DeleteProvisionedConcurrencyConfig on
// a version, and Invoke of a version with the log tail.
// Blocking, one libcurl easy handle per call (aws::Send).
//
// Thread contract: a value after construction; every method may be called from any thread at
// once (the signing keys are read through the thread-safe SigningCredentials).
#ifndef INFERCOST_TUNE_LAMBDA_CLIENT_H_
#define INFERCOST_TUNE_LAMBDA_CLIENT_H_

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "aws/http.h"
#include "loadgen/lambda_report.h"
#include "loadgen/request.h"

namespace infercost {

// What AWS answered a control-plane call: the configuration fields a tuning run needs, or the
// error (AWS's code and message, or libcurl's).
struct FunctionState {
  int memory_mb = 0;
  std::string version;             // "$LATEST" or the number
  std::string last_update_status;  // Successful | InProgress | Failed
  std::string last_update_reason;  // LastUpdateStatusReason, when Failed
  std::string architecture;        // the first of Architectures: x86_64 | arm64
  std::string error;               // "" when the call succeeded
};

// A version's provisioned concurrency as AWS reports it.
struct ProvisionedState {
  int requested = 0;
  int available = 0;
  std::string status;  // IN_PROGRESS | READY | FAILED
  std::string reason;  // StatusReason, when FAILED
  std::string error;   // "" when the call succeeded
};

struct Invocation {
  std::string error;             // "" when AWS answered 200 without X-Amz-Function-Error
  std::string executed_version;  // X-Amz-Executed-Version
  std::optional<loadgen::LambdaReport> report;
};

class LambdaClient {
 public:
  // `invoke_url` is the target's Invoke URL (from PrepareAwsTarget): the control-plane calls go
  // to the same endpoint and function. `sigv4` signs them all.
  LambdaClient(std::string invoke_url, loadgen::SigV4 sigv4, std::string payload,
               std::string content_type, std::chrono::milliseconds timeout);

  FunctionState GetConfiguration(std::string_view qualifier = {}) const;
  FunctionState UpdateMemory(int memory_mb) const;
  FunctionState PublishVersion() const;
  std::string DeleteVersion(std::string_view version) const;  // "" when deleted
  Invocation Invoke(std::string_view qualifier) const;
  ProvisionedState PutProvisioned(std::string_view version, int count) const;
  ProvisionedState GetProvisioned(std::string_view version) const;
  std::string DeleteProvisioned(std::string_view version) const;  // "" when deleted

  // The same client for another function (`name`, or a function URL base as function_url()
  // gives) on the same endpoint, with the same signing and payload.
  LambdaClient ForFunction(std::string_view name) const;
  const std::string& function_url() const { return function_url_; }

 private:
  aws::HttpAnswer Call(std::string method, std::string url, std::string body,
                       std::string content_type, std::chrono::milliseconds timeout,
                       std::vector<std::string> headers = {}) const;
  std::string ProvisionedUrl(std::string_view version) const;

  std::string function_url_;  // <endpoint>/2015-03-31/functions/<function>
  loadgen::SigV4 sigv4_;
  std::string payload_;
  std::string content_type_;
  std::chrono::milliseconds timeout_;
};

// "Code: message" from an AWS JSON error answer (x-amzn-ErrorType and the body's message), or
// libcurl's error, or "HTTP <status>".
std::string AwsError(const aws::HttpAnswer& answer);

}  // namespace infercost

#endif  // INFERCOST_TUNE_LAMBDA_CLIENT_H_
