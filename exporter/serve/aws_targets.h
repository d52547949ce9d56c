// The AWS side of a configured target, made ready for the engine: the URL and SigV4 provider of
// its kind (Lambda Invoke, Function URL, SageMaker InvokeEndpoint; the aws module derives them
// from the names the config gives), and the credentials it signs with, kept fresh in the
// background by refreshers that targets with the same `credentials:` settings share.
//
// Thread contract: CredentialsPool is used by one thread at a time (the service's Apply, or a
// command's main thread); the refreshers it hands out are thread-safe and outlive the pool while
// a target holds them.
#ifndef INFERCOST_SERVE_AWS_TARGETS_H_
#define INFERCOST_SERVE_AWS_TARGETS_H_

#include <map>
#include <memory>
#include <string>

#include "aws/credentials.h"
#include "aws/refresher.h"
#include "config/config.h"

namespace infercost {

class CredentialsPool {
 public:
  explicit CredentialsPool(aws::Environment env = aws::ProcessEnvironment(),
                           aws::RefreshPolicy policy = {});

  struct Acquired {
    std::shared_ptr<aws::CredentialsRefresher> refresher;  // null on error
    std::string error;                                     // what failed, naming no secret
  };
  // The running refresher for these settings: an existing one, or a new one whose first fetch
  // has succeeded (it blocks for that fetch: seconds at worst) and that then refreshes on its own.
  // A first fetch that fails is an error: a target never starts without keys.
  Acquired Acquire(const CredentialsConfig& config);
  // Forgets refreshers that no target holds any more (they stop when the last holder lets go),
  // and the settings whose first fetch failed (the next Acquire tries them again).
  void Release();

  const aws::Environment& environment() const { return env_; }

 private:
  aws::Environment env_;
  aws::RefreshPolicy policy_;
  std::map<std::string, std::shared_ptr<aws::CredentialsRefresher>> refreshers_;
  // Settings whose first fetch failed since the last Release(), with the error: targets that
  // share them are refused without fetching again.
  std::map<std::string, std::string> failed_;
};

// The aws module's spelling of a target's credentials settings.
aws::CredentialsSpec ToCredentialsSpec(const CredentialsConfig& config);
// A stable text of the settings (secrets included; never print it): equal for settings that may
// share a refresher.
std::string CredentialsFingerprint(const CredentialsConfig& config);

// The AWS environment of the embedded emulated fleet: IMDS (AWS_EC2_METADATA_SERVICE_ENDPOINT)
// is the in-process emulator at `emulator_url`, and nothing else of the process's environment is
// seen, so the demo never picks up (or spends with) the user's real AWS credentials.
aws::Environment EmulatedAwsEnvironment(std::string emulator_url);

// What PrepareAwsTarget made of a target.
struct AwsBinding {
  std::shared_ptr<aws::CredentialsRefresher> refresher;  // signed with refreshed keys; else null
  std::string error;                                     // "" when ready
};

// Completes `target->request` for its kind: url and SigV4 provider from the names and region
// (honouring endpoint_url and the SDKs' AWS_ENDPOINT_URL_* variables), the protocol the engine
// reads responses in, and the signing keys (static, or a refresher from `pool`). Plain http
// targets without signing are left as they are.
AwsBinding PrepareAwsTarget(TargetConfig* target, CredentialsPool* pool);

}  // namespace infercost

#endif  // INFERCOST_SERVE_AWS_TARGETS_H_
