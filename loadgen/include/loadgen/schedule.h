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
    int64_t cycle = 0;                      // how many whole cycles of a repeating plan came before
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
  // constant stage's k-th arrival is at round((k + phase) / rate) on the stage's own clock, the
  // time spent in that stage over every cycle so far (LoadPlan::phase): with phase 0 the plan's
  // first arrival is at the stage start; rounding never accumulates, and a stage entered again
  // continues its grid rather than firing at its start (any span of the stage, over any number of
  // cycles, holds rate * span arrivals, give or take one). A Poisson stage draws exponential gaps
  // from `after`; the same seed and the same calls give the same arrivals. Overflow-proof: a rate
  // so low that its next arrival lies beyond the representable time has none.
  std::optional<std::chrono::nanoseconds> NextArrival(std::chrono::nanoseconds after);

  const LoadPlan& plan() const { return plan_; }

 private:
  // The next grid point of the constant stage at `position` at or after `t`; `*later_visit` when
  // it falls in a later visit of that stage. Nullopt when it lies beyond the representable time.
  std::optional<std::chrono::nanoseconds> ConstantArrival(const Position& position,
                                                          std::chrono::nanoseconds t,
                                                          bool* later_visit) const;

  LoadPlan plan_;
  std::chrono::nanoseconds cycle_{0};  // nanoseconds::max() when a stage is endless
  std::mt19937_64 rng_;
  std::optional<std::chrono::nanoseconds> last_arrival_;
};

}  // namespace loadgen

#endif  // LOADGEN_SCHEDULE_H_
