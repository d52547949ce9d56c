// The schedule of a load plan in time: which stage is in force, and the intended send times of
// open-loop arrivals. Pure: no clock, no I/O; offsets are from the plan's start, so tests run it in
// simulated time. Thread contract: not thread-safe; owned by the worker that runs the target.
#ifndef LOADGEN_SCHEDULE_H_
#define LOADGEN_SCHEDULE_H_

#include <chrono>
#include <cstdint>
#include <optional>
#include <random>

#include "loadgen/load.h"

namespace loadgen {

class Schedule {
 public:
  explicit Schedule(LoadPlan plan);

  struct Position {
    int stage_index = -1;  // -1 once the plan has ended
    std::chrono::nanoseconds stage_start{0};
    std::chrono::nanoseconds stage_end{0};  // nanoseconds::max() for an endless last stage
  };
  // The stage in force at `offset` (repeating plans wrap around).
  Position At(std::chrono::nanoseconds offset) const;
  // Whether the plan is over at `offset` (never, for a repeating plan).
  bool Ended(std::chrono::nanoseconds offset) const;

  // The next open-loop arrival at or after `after`, the previous arrival's offset (or the
  // start of the plan). Constant arrivals are exactly 1/rate apart, Poisson arrivals have
  // exponential gaps from the seeded generator; arrivals never fall in closed or idle stages.
  // Empty when the plan has no further open-loop arrival.
  //
  // Arrivals come out strictly increasing: an arrival already returned is never returned again,
  // so the caller passes the previous arrival back (or a later offset, to skip a pause). A
  // constant stage's k-th arrival is at stage_start + round(k / rate), so the first one is at the
  // stage start and rounding never accumulates. A Poisson stage draws exponential gaps from
  // `after`; the same seed and the same calls give the same arrivals.
  std::optional<std::chrono::nanoseconds> NextArrival(std::chrono::nanoseconds after);

  const LoadPlan& plan() const { return plan_; }

 private:
  LoadPlan plan_;
  std::chrono::nanoseconds cycle_{0};  // nanoseconds::max() when a stage is endless
  std::mt19937_64 rng_;
  std::optional<std::chrono::nanoseconds> last_arrival_;
};

}  // namespace loadgen

#endif  // LOADGEN_SCHEDULE_H_
