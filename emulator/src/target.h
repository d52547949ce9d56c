// One emulated target: its profile, its model state, its random stream and its counters. The
// HTTP layer asks it what to do with a request (Admit) and tells it what happened.
#ifndef EMULATOR_SRC_TARGET_H_
#define EMULATOR_SRC_TARGET_H_

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <random>
#include <string>
#include <string_view>

#include "emulator/emulator.h"
#include "emulator/profile.h"
#include "gpu_batcher.h"
#include "model.h"
#include "waiting.h"

namespace emulator {

// What an emulated model answers once served (the predict paths, Lambda's function, SageMaker).
inline constexpr std::string_view kPredictionBody =
    R"({"label":"tabby cat","class_id":281,"probability":0.43,"model":"mobilenet_v2"})";

// Lambda: which version of the function runs the request, at which memory size. Each version
// has its own execution environments (its first invocation starts cold); "$LATEST" is the
// profile's own, with its provisioned concurrency.
struct VersionRun {
  std::string version = "$LATEST";
  int memory_mb = 0;  // 0 = the profile's memory_mb
};

// Thread contract: every method is thread-safe (one mutex per target, held only for model
// arithmetic and counters, never across a wait). `scale` and `stop` must outlive the target.
class Target {
 public:
  Target(const Profile& profile, uint64_t seed, const TimeScale& scale, StopSignal* stop);

  const Profile& profile() const { return profile_; }

  enum class Fault { kNone, kError, kReset, kHang, kSlowBody };
  // Counts a request whose body was read and draws its fault.
  Fault BeginRequest();
  // Counts a request refused for its size (413).
  void CountTooLarge();

  using Run = VersionRun;

  // What to answer, and when.
  struct Ticket {
    int status = 200;
    bool cold = false;
    bool run_gpu = false;     // after respond_at, run a GPU batch (then Release)
    bool holds_slot = false;  // call Release() once answered
    WallClock::time_point respond_at;
    double service_ms = 0;   // emulated time holding a worker or a function instance
    int64_t billed_ms = -1;  // Lambda only
    double init_ms = 0;      // Lambda: the INIT phase, when cold
    int memory_mb = 0;       // Lambda: the memory size it ran at
  };
  Ticket Admit(const Run& run = {});
  // Lambda: $LATEST's configuration changed, so its environments are replaced (the next
  // invocations start cold); a deleted version's environments go with it.
  void ResetEnvironments(const std::string& version);
  // Lambda: a published version's provisioned concurrency is ready: `count` environments are
  // initialised for it (never cold, never reclaimed), replacing its on-demand ones.
  void SetProvisioned(const std::string& version, int count);
  // Runs the request's GPU batch; returns the batch size (0 when stopping).
  int RunGpu();
  void Release();
  // Counts how the request ended: the status sent, or the fault that replaced the response.
  void Finish(int status, Fault fault);

  // Ends the GPU thread, if any (the emulator is stopping).
  void StopGpu();
  TargetStats Stats() const;

 private:
  EmuDuration Sample(const LogNormalMs& distribution);
  Ticket AdmitInstance(EmuTime now);
  Ticket AdmitLambda(EmuTime now, const Run& run);

  const Profile profile_;
  const TimeScale& scale_;
  std::unique_ptr<GpuBatcher> gpu_;

  mutable std::mutex mutex_;
  std::mt19937_64 rng_;
  std::optional<InstanceModel> instance_;
  std::optional<LambdaModel> lambda_;
  std::map<std::string, LambdaModel> versions_;  // published versions that have run
  int in_system_ = 0;                            // instance: admitted, not yet released
  TargetStats stats_;
};

// Admits one request, waits for its emulated service time, runs its GPU batch and frees its slot.
// `*served` is false when the emulator stopped first.
Target::Ticket AdmitAndWait(Target& target, StopSignal& stop, bool* served,
                            const Target::Run& run = {});

}  // namespace emulator

#endif  // EMULATOR_SRC_TARGET_H_
