// Per-target statistics: the recorder the engine writes to and the snapshots readers take.
#ifndef LOADGEN_STATS_H_
#define LOADGEN_STATS_H_

#include <array>
#include <chrono>
#include <cstdint>
#include <deque>
#include <mutex>
#include <vector>

#include "loadgen/histogram.h"
#include "loadgen/record.h"

namespace loadgen {

struct StatsOptions {
  std::chrono::nanoseconds window = std::chrono::seconds(60);  // sliding window
  std::chrono::nanoseconds publish_interval = std::chrono::seconds(1);  // window resolution
  // Bounds (seconds) of the exported histograms: request duration, cold-start duration and
  // schedule lag. Same bounds on every instance so that Prometheus can sum them.
  std::vector<double> duration_bounds_seconds;
  std::vector<double> cold_start_bounds_seconds;
  std::vector<double> lag_bounds_seconds;
};

// Everything that happened in some span of time. Counters are plain integers: an Interval is
// filled by one thread and then moved.
struct Interval {
  std::array<uint64_t, kOutcomeCount> requests{};  // by outcome
  uint64_t dropped = 0;
  uint64_t cold_starts = 0;
  uint64_t billed_ms = 0;          // sum over ok requests of the billed duration, 1 ms steps
  uint64_t billed_from_header = 0;  // how many of those came from the billed-duration header
  uint64_t bytes_sent = 0;
  uint64_t bytes_received = 0;
  LatencyHistogram latency;          // every finished request
  LatencyHistogram ok_latency;       // successful requests only
  LatencyHistogram cold_latency;     // cold-start requests
  LatencyHistogram lag;              // schedule lag of every sent request
  BucketCounts duration_buckets;     // exported histogram of every finished request
  BucketCounts cold_start_buckets;
  BucketCounts lag_buckets;

  uint64_t Requests() const;      // all outcomes
  uint64_t Ok() const { return requests[0]; }
  void Merge(const Interval& other);
  void Clear();
};

// A consistent view of a target at one instant.
struct StatsSnapshot {
  Clock::time_point taken_at;
  Interval total;             // since the target was added (counters never go backwards)
  Interval window;            // the last `window_span` (at most StatsOptions::window)
  std::chrono::nanoseconds window_span{0};  // how much time `window` actually covers
  int in_flight = 0;
  int stage_index = -1;
  Stage stage;                // the stage in force
  bool load_active = false;   // false in an idle stage, while paused, or before the start
};

// Thread-safe store of one target's statistics, fed by its recorders (one per worker) and read by
// any thread through Snapshot(). Readers never block a worker for longer than a merge of one
// publish interval.
class TargetStats {
 public:
  explicit TargetStats(StatsOptions options);

  // Adds an interval that ended at `end`. Called by StatsRecorder from a worker thread.
  void Publish(Interval&& interval, Clock::time_point end, int in_flight);
  void SetStage(int stage_index, const Stage& stage, bool active);
  StatsSnapshot Snapshot(Clock::time_point now) const;
  const StatsOptions& options() const { return options_; }

 private:
  struct Slot;
  StatsOptions options_;
  mutable std::mutex mu_;
  Interval total_;
  std::deque<Slot> slots_;  // past intervals inside the window, oldest first (sparse histograms)
  Clock::time_point created_at_;
  int in_flight_ = 0;
  int stage_index_ = -1;
  Stage stage_;
  bool load_active_ = false;
};

// The Recorder that feeds a TargetStats: records into a private Interval on the worker thread
// (no lock, no allocation per request) and publishes it every publish_interval from OnTick.
class StatsRecorder : public Recorder {
 public:
  explicit StatsRecorder(TargetStats* stats);  // `stats` must outlive the recorder

  void OnRequestDone(const RequestRecord& record) override;
  void OnDropped(Clock::time_point scheduled_at) override;
  void OnStage(int stage_index, const Stage& stage, bool active) override;
  void OnTick(Clock::time_point now, int in_flight) override;
  // Publishes what is pending at once (shutdown, end of a bench run).
  void Flush(Clock::time_point now, int in_flight);

 private:
  TargetStats* stats_;
  Interval pending_;
  Clock::time_point last_publish_;
};

}  // namespace loadgen

#endif  // LOADGEN_STATS_H_
