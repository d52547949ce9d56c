// Load models: how many requests, and when. Plain values; see schedule.h for the generator.
#ifndef LOADGEN_LOAD_H_
#define LOADGEN_LOAD_H_

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

namespace loadgen {

enum class Arrival { kConstant, kPoisson };
// Every arrival, in the order messages list them; Name() is the config's and the flags' spelling.
inline constexpr Arrival kArrivals[] = {Arrival::kConstant, Arrival::kPoisson};
constexpr std::string_view Name(Arrival arrival) {
  return arrival == Arrival::kPoisson ? "poisson" : "constant";
}
// The inverse of Name(); nullopt for anything else.
constexpr std::optional<Arrival> ParseArrival(std::string_view text) {
  for (Arrival a : kArrivals) {
    if (Name(a) == text) {
      return a;
    }
  }
  return std::nullopt;
}

// The lowest open-loop rate the config and the flags accept, in requests per second (one request
// per 10,000 s). The schedule copes with any positive rate; this only catches a typo such as
// 1e-10, whose one request would come after three centuries.
inline constexpr double kMinRate = 1e-4;

// One step of a load profile.
struct Stage {
  enum class Kind {
    kClosed,  // `concurrency` requests outstanding, each starting when one finishes
    kOpen,    // arrivals at `rate` per second, each with an intended send time
    kIdle,    // no requests (lets a serverless target scale to zero)
  };
  Kind kind = Kind::kClosed;
  std::chrono::nanoseconds duration{0};  // 0 means "until the run ends" (last stage only)
  int concurrency = 1;                   // kClosed
  double rate = 0;                       // kOpen, requests per second
  Arrival arrival = Arrival::kConstant;  // kOpen
};

struct LoadPlan {
  std::vector<Stage> stages;
  bool repeat = false;                   // start again after the last stage (serve)
  std::optional<uint64_t> max_requests;  // stop after this many have been sent
  uint64_t seed = 1;                     // Poisson arrivals; same seed, same schedule
  // Constant arrivals: where on its period the grid falls, in [0, 1) (others count as 0): the
  // k-th arrival of a stage at rate R is (k + phase) / R into it. Targets started together with
  // the same phase send in lockstep: a thousand targets at 2/s put a thousand requests on one
  // instant twice a second, and the engine's schedule lag is then its own doing. The config gives
  // each target its own (PhaseOf its seed); 0, the first arrival at the stage's start, for one
  // target (bench).
  double phase = 0;
  // Open loop: arrivals that find this many requests already in flight are dropped and counted
  // (infercost_dropped_requests_total), never silently skipped. 0 picks 10,000.
  int max_in_flight = 0;
};

// Share `count` > 1 of a plan: the part that generator (or engine thread) `index` runs, so that
// the parts together offer exactly the plan's load. A closed stage's concurrency C gives each part
// floor(C / count), and one more to C mod count of them, starting with part `rotation mod count`
// (pass a target's position so that the remainders of several targets land on different parts);
// a part left with 0 runs the stage idle. max_requests is split the same way, so the parts send
// exactly the plan's total. A rate is divided exactly (rate / count; Poisson streams superpose to
// the full rate). max_in_flight becomes ceil(max_in_flight / count), never below 1, so the parts
// together never drop an arrival the plan would have sent. Each part gets its own well-mixed seed
// (SplitMix64 of seed and index: distinct for distinct indexes), and the phase (phase + index) /
// count, so that the parts' constant grids interleave into the plan's own: together they send
// exactly when the plan would, not `count` at a time. count <= 1 returns the plan.
LoadPlan SplitPlan(const LoadPlan& plan, int count, int index, std::size_t rotation = 0);

// A phase in [0, 1) drawn from `seed` (well mixed: neighbouring seeds give unrelated phases).
double PhaseOf(uint64_t seed);
// LoadPlan::phase as used: itself when in [0, 1), anything else (NaN included) 0.
inline double UsablePhase(double phase) { return phase > 0 && phase < 1 ? phase : 0; }

}  // namespace loadgen

#endif  // LOADGEN_LOAD_H_
