// Lambda's control plane for the emulated functions, in AWS's wire format (REST-JSON, service
// lambda, signed like Invoke):
//   GET    /2015-03-31/functions/<name>/configuration[?Qualifier=N]   GetFunctionConfiguration
//   PUT    /2015-03-31/functions/<name>/configuration                 UpdateFunctionConfiguration
//   POST   /2015-03-31/functions/<name>/versions                      PublishVersion
//   DELETE /2015-03-31/functions/<name>?Qualifier=N                   DeleteFunction (a version)
//   PUT|GET|DELETE /2019-09-30/functions/<name>/provisioned-concurrency?Qualifier=N
//                        Put-, Get-, DeleteProvisionedConcurrencyConfig (published versions only)
// An update sets MemorySize at once and LastUpdateStatus InProgress; `update_ms` emulated
// milliseconds later it is Successful and $LATEST runs at the new size in new environments.
// While it is InProgress, another update or a publish is refused with ResourceConflictException,
// as AWS does. A published version keeps the memory size it was published with.
// Provisioned concurrency on a version is IN_PROGRESS for the profile's provisioned_ready_ms
// (emulated), then READY: its environments are then initialised (no cold start). Deleting the
// config (or the version) drops them; the next invocation of that version starts cold.
//
// Thread contract: every method is thread-safe (one mutex for all functions' configurations,
// never held across a wait or a call into a Target other than ResetEnvironments and
// SetProvisioned).
#ifndef EMULATOR_SRC_LAMBDA_CONTROL_H_
#define EMULATOR_SRC_LAMBDA_CONTROL_H_

#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "api_http.h"
#include "emulator/emulator.h"
#include "target.h"
#include "waiting.h"

namespace emulator {

class LambdaControl {
 public:
  // `functions` (one Target per function) must outlive this.
  LambdaControl(const AwsOptions& options, const std::vector<std::unique_ptr<Target>>& functions,
                const TimeScale& scale);

  // Whether `path` (after /2015-03-31/functions/<name>) with `method` is one of the calls above.
  static bool Handles(std::string_view method, std::string_view rest);
  // The same for the provisioned-concurrency path (after /2019-09-30/functions/<name>).
  static bool HandlesProvisioned(std::string_view method, std::string_view rest);
  // Answers one of them for function `name` (already found to exist).
  ApiReply Handle(const HttpRequest& request, const std::string& name, std::string_view rest);

  // For Invoke: the version `qualifier` names ("" or $LATEST, a published number, or an alias,
  // which points at version 1 here) and the memory size it runs at; nullopt when that version
  // does not exist.
  std::optional<Target::Run> Resolve(const std::string& name, const std::string& qualifier);

 private:
  struct Function {
    Target* target = nullptr;
    int memory_mb = 0;          // as configured (shown at once after an update)
    int running_memory_mb = 0;  // what $LATEST runs at (the new size once the update is done)
    bool updating = false;
    EmuTime update_done{};
    std::string last_modified;
    int revision = 1;
    int next_version = 1;
    std::map<int, int> versions;  // published version → its memory size
    struct Provisioned {
      int requested = 0;
      bool ready = false;
      EmuTime ready_at{};
      std::string last_modified;
    };
    std::map<int, Provisioned> provisioned;  // by published version
  };
  // Finishes an update whose time has come (call with mutex_ held).
  void Settle(Function& f);
  std::string Arn(std::string_view name) const;
  std::string ConfigurationJson(const Function& f, std::string_view version, int memory_mb) const;
  ApiReply Get(Function& f, const std::string& qualifier);
  ApiReply Update(Function& f, const std::string& body);
  ApiReply Publish(Function& f);
  ApiReply Delete(Function& f, const std::string& qualifier);
  ApiReply Provisioned(Function& f, const HttpRequest& request, const std::string& qualifier);
  std::string ProvisionedJson(const Function::Provisioned& pc) const;

  const AwsOptions& options_;
  const TimeScale& scale_;
  std::mutex mutex_;
  std::map<std::string, Function, std::less<>> functions_;
};

}  // namespace emulator

#endif  // EMULATOR_SRC_LAMBDA_CONTROL_H_
