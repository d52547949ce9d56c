// The emulator's platform models as pure state machines over emulated time: no clock, no
// threads, no randomness inside. The server samples durations, reads its clock and calls these
// under the target's lock; unit tests drive them with hand-picked times.
//
// Thread contract: none of these classes is thread-safe; the owner serialises calls.
#ifndef EMULATOR_SRC_MODEL_H_
#define EMULATOR_SRC_MODEL_H_

#include <chrono>
#include <cstdint>
#include <optional>
#include <vector>

#include "emulator/profile.h"

namespace emulator {

// Emulated time: the emulator's own timeline, `time scale` times faster than the wall clock. A
// clock type without now(): only the server knows how to read it (see TimeScale).
struct EmuClock {
  using rep = int64_t;
  using period = std::nano;
  using duration = std::chrono::nanoseconds;
  using time_point = std::chrono::time_point<EmuClock>;
  static constexpr bool is_steady = true;
};
using EmuDuration = EmuClock::duration;
using EmuTime = EmuClock::time_point;

EmuDuration FromMs(double ms);
double ToMs(EmuDuration d);
// Lambda bills in 1 ms steps, rounded up.
int64_t CeilMs(EmuDuration d);

// Burstable CPU credits, accrued lazily. Calls must come with non-decreasing times (the
// instance model starts work in FIFO order, so its start times never go back).
class CreditBucket {
 public:
  CreditBucket(const CpuCredits& settings, int vcpus);

  // One vCPU runs `work` (at full speed) from `start`. Returns the factor its wall duration
  // stretches by: 1, or 1/baseline when a standard-mode instance has too few credits left to
  // pay for the request.
  double StartWork(EmuTime start, EmuDuration work);
  // Credits at `at` (≥ the last call's time); negative = surplus credits spent (unlimited mode).
  double Balance(EmuTime at) const;

 private:
  double AccruedUntil(EmuTime at) const;

  CpuCredits settings_;
  double earn_per_ns_;
  double balance_;
  EmuTime updated_at_{};
};

// An instance's CPU workers: FIFO, each request goes to the worker that frees up first, and
// queues until then. Service times are known up front, so the whole schedule is arithmetic.
class InstanceModel {
 public:
  InstanceModel(int workers, const std::optional<CpuCredits>& credits);

  struct Slot {
    EmuTime start;
    EmuTime end;
    bool throttled = false;  // ran at the credit baseline
  };
  // Schedules `work` (full-speed service time) for a request arriving at `now`.
  Slot Assign(EmuTime now, EmuDuration work);
  // Credits at `at`; nullopt for a profile without credits.
  std::optional<double> CreditBalance(EmuTime at) const;

 private:
  std::vector<EmuTime> free_at_;
  std::optional<CreditBucket> credits_;
  EmuTime last_start_{};
};

// A Lambda function's execution environments. Each invocation takes an idle warm instance
// (provisioned ones first, then the most recently used) or starts a new one, which pays the cold
// start. Instances idle for idle_timeout are reclaimed; provisioned ones live forever.
class LambdaModel {
 public:
  explicit LambdaModel(const LambdaSettings& settings);

  enum class Result { kOk, kThrottled, kGatewayTimeout, kFunctionError };
  struct Invocation {
    Result result = Result::kOk;
    bool cold = false;
    bool function_timed_out = false;  // the run hit the function timeout (502, or 504 first)
    EmuDuration init{};               // the INIT phase, when cold
    EmuDuration run{};                // init + duration, cut at the function timeout
    EmuDuration respond_after{};      // when the client gets its answer, from arrival
    int64_t billed_ms = 0;            // 0 when throttled
  };
  // An invocation arriving at `now` that runs for `duration` once warm; `init_if_cold` is used
  // only when it lands on a new instance. The instance stays busy for the whole run, even when
  // the gateway has already answered 504.
  Invocation Invoke(EmuTime now, EmuDuration duration, EmuDuration init_if_cold);

  int Busy(EmuTime now) const;   // instances running an invocation
  int Alive(EmuTime now) const;  // instances not reclaimed (busy or warm)

 private:
  struct Instance {
    EmuTime busy_until{};
    bool provisioned = false;
    bool discard = false;  // the run hit the function timeout: the environment is reset
  };
  bool Reclaimable(const Instance& instance, EmuTime now) const;

  LambdaSettings settings_;
  std::vector<Instance> instances_;
};

}  // namespace emulator

#endif  // EMULATOR_SRC_MODEL_H_
