// The AWS APIs the emulator speaks, in AWS's wire formats, with SigV4 checked on every signed
// call (see emulator.h for the paths):
//   Lambda Invoke and Function URLs (one Target per function, shared by both), SageMaker
//   InvokeEndpoint (each on its own Target built from a profile, so the predict paths keep their
//   own state), STS AssumeRole and AssumeRoleWithWebIdentity, IMDSv2
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
#include "event_queue.h"
#include "lambda_control.h"
#include "sigv4.h"
#include "target.h"
#include "waiting.h"

namespace emulator {

// A target's counters as the /_emulator/ stats paths answer them (JSON; requests as
// "invocations").
std::string StatsJson(const TargetStats& s);

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
  enum class Protocol { kJson, kQueryXml, kFunctionUrl };
  // Nullopt when the signature is good; AWS's 403 otherwise.
  std::optional<ApiReply> Authenticate(const HttpRequest& request, std::string_view service,
                                       Protocol protocol);
  ApiReply Invoke(const HttpRequest& request, std::string_view function, bool too_large);
  // The control-plane calls under /2015-03-31/functions/<function> (see lambda_control.h).
  ApiReply Control(const HttpRequest& request, const std::string& function, std::string_view rest);
  // X-Amz-Invocation-Type: Event, once Invoke has found the function: 202 now, the run later.
  ApiReply InvokeEvent(Target& target);
  ApiReply FunctionUrl(const HttpRequest& request, std::string_view function, bool too_large);
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
  std::unique_ptr<LambdaControl> control_;  // the functions' configurations and versions
  std::mutex imds_mutex_;
  std::map<std::string, WallClock::time_point> imds_tokens_;
  // Last, so that it is gone (its jobs joined) before the targets they run on.
  EventQueue events_;
};

// One run of a Lambda function, whichever API asked for it, once the caller counted it
// (Target::BeginRequest, which drew `fault`): waits for its emulated time and says what the
// function did. The caller counts what it answered (Target::Finish with the run's fault).
// `retry_throttles`: an asynchronous run waits and tries again while throttled (1 emulated second,
// doubling up to 5 minutes), as Lambda's event queue.
struct FunctionRun {
  enum class Result { kOk, kError, kTimedOut, kThrottled, kStopping };
  Result result = Result::kStopping;
  Target::Fault fault = Target::Fault::kNone;
  Target::Ticket ticket;
};
FunctionRun RunFunction(Target& target, Target::Fault fault, StopSignal& stop,
                        const TimeScale& scale, bool retry_throttles, const Target::Run& run = {});

// Why STS refuses a web identity token at `now`, in its error code and wording: not a JWT (three
// base64url parts, the first two JSON objects) → InvalidIdentityToken; an `exp` claim (seconds
// since the epoch) not after `now` → ExpiredTokenException. Nullopt when neither.
struct TokenRefusal {
  std::string code;
  std::string message;
};
std::optional<TokenRefusal> CheckWebIdentityToken(std::string_view token,
                                                  SystemClock::time_point now);

// "arn:aws:lambda:REGION:ACCOUNT:function:NAME[:QUALIFIER]", "NAME:QUALIFIER" or "NAME".
void SplitFunctionName(std::string_view text, std::string* name, std::string* qualifier);
// A request id in UUID form.
std::string NewRequestId();
// The target of that profile name; nullptr when absent.
Target* FindTarget(const std::vector<std::unique_ptr<Target>>& targets, std::string_view name);
// A JSON-protocol error: status, x-amzn-ErrorType and {"Type":...,"message":...}.
ApiReply JsonError(int status, std::string_view code, std::string_view message,
                   std::string_view type = "User");

}  // namespace emulator

#endif  // EMULATOR_SRC_AWS_API_H_
