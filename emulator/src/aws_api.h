// The AWS APIs the emulator speaks, in AWS's wire formats, with SigV4 checked on every signed
// call (see emulator.h for the paths):
//   Lambda Invoke, SageMaker InvokeEndpoint (each on its own Target built from a profile, so the
//   predict paths keep their own state), STS AssumeRole and AssumeRoleWithWebIdentity, IMDSv2
//   and the ECS container credentials endpoint (which issue the temporary keys SigV4 accepts
//   until they expire).
// Free of CivetWeb: server.cc hands over an HttpRequest and writes the ApiReply.
//
// Thread contract: Handle() is called from many server threads at once; everything it shares
// sits behind a mutex (KeyStore, the IMDS tokens, each Target).
#ifndef EMULATOR_SRC_AWS_API_H_
#define EMULATOR_SRC_AWS_API_H_

#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "api_http.h"
#include "emulator/emulator.h"
#include "sigv4.h"
#include "target.h"
#include "waiting.h"

namespace emulator {

class AwsApi {
 public:
  AwsApi(const AwsOptions& options, const std::vector<Profile>& profiles, uint64_t seed,
         const TimeScale& scale, StopSignal* stop);

  // "" when `options` fit `profiles`: each SageMaker endpoint names an instance profile, and no
  // profile's predict path lies under an AWS API path. Else one message per line.
  static std::string CheckOptions(const AwsOptions& options, const std::vector<Profile>& profiles);
  // Whether a request for `path` (as sent) belongs here: POST / is STS.
  static bool Owns(std::string_view method, std::string_view path);
  // The largest body Handle() needs (Lambda's 6 MB synchronous payload; larger → 413 here).
  static constexpr int64_t kMaxBodyBytes = 6 << 20;
  // `body_too_large`: the server stopped reading past kMaxBodyBytes.
  ApiReply Handle(const HttpRequest& request, bool body_too_large);

  const Target* Function(std::string_view name) const;
  const Target* Endpoint(std::string_view name) const;
  void StopGpus();

 private:
  enum class Protocol { kJson, kQueryXml };
  // Nullopt when the signature is good; AWS's 403 otherwise.
  std::optional<ApiReply> Authenticate(const HttpRequest& request, std::string_view service,
                                       Protocol protocol);
  ApiReply Invoke(const HttpRequest& request, std::string_view function, bool too_large);
  ApiReply InvokeEndpoint(const HttpRequest& request, std::string_view endpoint, bool too_large);
  ApiReply Sts(const HttpRequest& request);
  ApiReply AssumeRole(const HttpRequest& request, bool web_identity);
  ApiReply Imds(const HttpRequest& request);
  ApiReply ContainerCredentials(const HttpRequest& request);
  ApiReply StatsReply(std::string_view path) const;
  // A new temporary key living the configured lifetime (emulated, so divided by the scale).
  AwsKey IssueKey();

  const AwsOptions options_;
  const TimeScale& scale_;
  StopSignal* stop_;
  KeyStore keys_;
  std::vector<std::unique_ptr<Target>> functions_;
  std::vector<std::unique_ptr<Target>> endpoints_;
  std::mutex imds_mutex_;
  std::map<std::string, WallClock::time_point> imds_tokens_;
};

// A request id in UUID form.
std::string NewRequestId();
// The target of that profile name; nullptr when absent.
Target* FindTarget(const std::vector<std::unique_ptr<Target>>& targets, std::string_view name);
// A JSON-protocol error: status, x-amzn-ErrorType and {"Type":...,"message":...}.
ApiReply JsonError(int status, std::string_view code, std::string_view message,
                   std::string_view type = "User");

}  // namespace emulator

#endif  // EMULATOR_SRC_AWS_API_H_
