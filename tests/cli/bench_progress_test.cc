// bench's progress line, in simulated time: what it counts and how it reads.
#include "cli/bench_progress.h"

#include <gtest/gtest.h>

#include <chrono>
#include <cstdint>
#include <string>

#include "loadgen/stats.h"

namespace infercost {
namespace {

using loadgen::Clock;
using std::chrono::milliseconds;

// A worker as the engine runs it: one request finishing every 10 ms and a tick every 200 ms
// (the engine promises one at least every 250 ms), the first tick `phase` after the start; the
// line is drawn at 1 s. Whatever the phase, the line must count every request done by the last
// tick before it: with a publish interval of a whole redraw, it showed the second before.
TEST(BenchProgressTest, TheLineCountsEveryRequestDoneByTheLastTickBeforeIt) {
  const Clock::time_point start{};
  const Clock::time_point drawn_at = start + kBenchProgressInterval;
  for (int phase_ms = 0; phase_ms < 200; phase_ms += 10) {
    loadgen::TargetStats stats(BenchStatsOptions(), start);
    loadgen::StatsRecorder recorder(&stats);
    uint64_t done = 0;
    uint64_t done_by_last_tick = 0;
    Clock::time_point next_tick = start + milliseconds(phase_ms);
    for (Clock::time_point t = start + milliseconds(10); t <= drawn_at; t += milliseconds(10)) {
      while (next_tick <= t) {
        recorder.OnTick(next_tick, 1);
        done_by_last_tick = done;
        next_tick += milliseconds(200);
      }
      loadgen::RequestRecord r;
      r.scheduled_at = r.sent_at = t - milliseconds(5);
      r.done_at = t;
      r.http_status = 200;
      recorder.OnRequestDone(r);
      ++done;
    }
    const loadgen::StatsSnapshot snapshot = stats.Snapshot(drawn_at);
    EXPECT_GE(done_by_last_tick, 80u) << "phase " << phase_ms << " ms";
    EXPECT_EQ(snapshot.total.Requests(), done_by_last_tick) << "phase " << phase_ms << " ms";
  }
}

TEST(BenchProgressTest, ReadsTheRunSoFarAndTheWindow) {
  const Clock::time_point start{};
  loadgen::TargetStats stats(BenchStatsOptions(), start);
  loadgen::StatsRecorder recorder(&stats);
  for (int i = 1; i <= 20; ++i) {
    loadgen::RequestRecord r;
    r.scheduled_at = r.sent_at = start + milliseconds(100 * i - 10);
    r.done_at = start + milliseconds(100 * i);
    r.outcome = i % 10 == 0 ? loadgen::Outcome::kHttp5xx : loadgen::Outcome::kOk;
    r.http_status = i % 10 == 0 ? 500 : 200;
    recorder.OnRequestDone(r);
  }
  recorder.Flush(start + milliseconds(2000), 3);
  EXPECT_EQ(ProgressLine(stats.Snapshot(start + milliseconds(2000)), milliseconds(2000)),
            "   2.0s  requests 20  IPS 9.0  p95 10.00 ms  errors 2  in flight 3");
}

}  // namespace
}  // namespace infercost
