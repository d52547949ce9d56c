// Stage builders shared by the schedule and engine tests.
#ifndef TESTS_LOADGEN_STAGES_H_
#define TESTS_LOADGEN_STAGES_H_

#include <chrono>

#include "loadgen/load.h"

namespace loadgen::testing {

inline Stage OpenStage(double rate, std::chrono::nanoseconds duration,
                       Arrival arrival = Arrival::kConstant) {
  Stage s;
  s.kind = Stage::Kind::kOpen;
  s.duration = duration;
  s.rate = rate;
  s.arrival = arrival;
  return s;
}

inline Stage ClosedStage(int concurrency, std::chrono::nanoseconds duration) {
  Stage s;
  s.kind = Stage::Kind::kClosed;
  s.duration = duration;
  s.concurrency = concurrency;
  return s;
}

inline Stage IdleStage(std::chrono::nanoseconds duration) {
  Stage s;
  s.kind = Stage::Kind::kIdle;
  s.duration = duration;
  return s;
}

}  // namespace loadgen::testing

#endif  // TESTS_LOADGEN_STAGES_H_
