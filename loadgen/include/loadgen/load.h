// Load models: how many requests, and when. Plain values; see schedule.h for the generator.
#ifndef LOADGEN_LOAD_H_
#define LOADGEN_LOAD_H_

#include <chrono>
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
  // Open loop: arrivals that find this many requests already in flight are dropped and counted
  // (infercost_dropped_requests_total), never silently skipped. 0 picks 10,000.
  int max_in_flight = 0;
};

}  // namespace loadgen

#endif  // LOADGEN_LOAD_H_
