// Per-target statistics: the recorder the engine writes to and the snapshots readers take.
#ifndef LOADGEN_STATS_H_
#define LOADGEN_STATS_H_

#include <array>
#include <chrono>
#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <vector>

#include "loadgen/histogram.h"
#include "loadgen/record.h"
#include "loadgen/sliding_extreme.h"

namespace loadgen {

struct StatsOptions {
  std::chrono::nanoseconds window = std::chrono::seconds(60);           // sliding window
  std::chrono::nanoseconds publish_interval = std::chrono::seconds(1);  // window resolution
  // Bounds (seconds) of the exported histograms: request duration, cold-start duration and
  // schedule lag. Same bounds on every instance so that Prometheus can sum them.
  std::vector<double> duration_bounds_seconds;
  std::vector<double> cold_start_bounds_seconds;
  std::vector<double> lag_bounds_seconds;
  // Bounds (seconds) of the histograms of AWS's own figures: per-invocation billed duration and
  // cold starts' Init Duration.
  std::vector<double> billed_duration_bounds_seconds;
  std::vector<double> init_duration_bounds_seconds;
  // Whether the totals since the target was added keep the latency histograms (quantiles over a
  // whole run: bench, sweep). A long-running service reads quantiles from the window only and
  // says false: each target then holds and copies 51 KiB less.
  bool total_histograms = true;
  // Whether the window keeps the latency histograms of successful and of cold-start requests
  // (the sweep's quantiles). The service reads every request's latency and the schedule lag
  // only, and says false: each target's ring then stores, and each snapshot merges, two
  // histograms fewer per publish interval.
  bool window_ok_and_cold_latency = true;
  // Whether the window keeps the bucket counts of the exported histograms (Interval's
  // duration_buckets, cold_start_buckets, lag_buckets and init_duration_buckets; the billed
  // duration's are always kept). The service exports them from the totals and says false: a
  // snapshot's window then has them empty, and each publish packs, adds and later takes back
  // four bucket lists fewer per target.
  bool window_exported_buckets = true;
  // The quantiles a snapshot reads off the window's latency (StatsSnapshot::window_latency) and
  // schedule lag (window_lag); none: that summary stays empty.
  std::vector<double> window_latency_quantiles;
  std::vector<double> window_lag_quantiles;
  // Whether a snapshot copies the window's latency histograms (StatsSnapshot::window's latency,
  // ok_latency, cold_latency and lag). A reader that takes only the summaries above (the
  // service) says false: they are then read in place under the lock, and a snapshot copies
  // counters and bucket counts, not kilobytes of latency buckets per target per tick.
  bool window_histograms_in_snapshot = true;
  // When a recorder publishes: one publish_interval after its previous publish (false), or on a
  // grid (true): the next moment publish_phase past a multiple of publish_interval since the
  // clock's epoch. On a grid, a late wake-up does not shift the publishes after it, so a reader
  // on the same grid at another phase (the service's tick) finds one publish per interval from
  // each target, never none and then two. An interval's end is still the moment it was
  // published. publish_phase is in [0, publish_interval): targets given different phases do not
  // all publish at once.
  bool publish_on_clock_grid = false;
  std::chrono::nanoseconds publish_phase{0};
};

// Everything that happened in some span of time. Counters are plain integers: an Interval is
// filled by one thread and then moved.
//
// What AWS bills is not decided here: requests are counted per billing class (BillingClassOf), each
// with its summed billed duration, and the cost model's billability table says which classes pay
// which fee and whose duration is billed (exporter/cost/billability.h, docs/cost-model.md). A
// request's billed duration is AWS's (milliseconds, RoundBilledMs) when the response carries it,
// from Lambda's REPORT line (billed_from_report) or the billed-duration header
// (billed_from_header); otherwise its measured service time, done_at - sent_at, rounded the same
// way.
struct BilledCounts {
  uint64_t requests = 0;
  uint64_t billed_ms = 0;      // summed billed duration (AWS's where given, else the latency)
  uint64_t billed_by_aws = 0;  // requests whose billed duration was AWS's word
  uint64_t bytes_sent = 0;
  uint64_t bytes_received = 0;
  void Merge(const BilledCounts& other);
  void Subtract(const BilledCounts& other);  // takes back an earlier Merge
};

struct Interval {
  Interval() = default;
  // An empty interval with the exported histograms' bounds.
  explicit Interval(const StatsOptions& options);

  std::array<uint64_t, kOutcomeCount> requests{};  // by outcome
  uint64_t dropped = 0;
  uint64_t cold_starts = 0;
  uint64_t billed_from_header = 0;  // requests whose billed duration came from the header
  uint64_t billed_from_report = 0;  // requests whose billed duration came from a REPORT line
  std::array<BilledCounts, kBillingClassCount> by_billing_class{};  // by BillingClass
  // From Lambda's REPORT lines: the highest Memory Size and Max Memory Used (MB as Lambda writes
  // them, i.e. MiB), 0 when no request had a REPORT line; a merge keeps the highest.
  int memory_size_mb = 0;
  int max_memory_used_mb = 0;
  // Summed service time (done_at - sent_at) of the requests in billed_duration_buckets: against
  // their billed duration, what the client waited beyond what AWS bills (gateway, network).
  double billed_by_aws_latency_seconds = 0;
  uint64_t bytes_sent = 0;
  uint64_t bytes_received = 0;
  LatencyHistogram latency;       // every finished request
  LatencyHistogram ok_latency;    // successful requests only
  LatencyHistogram cold_latency;  // cold-start requests
  LatencyHistogram lag;           // schedule lag of every sent request
  BucketCounts duration_buckets;  // exported histogram of every finished request
  BucketCounts cold_start_buckets;
  BucketCounts lag_buckets;
  // Billed duration of the requests with AWS's figure (BilledByAws), as billed (1 ms steps).
  BucketCounts billed_duration_buckets;
  BucketCounts init_duration_buckets;  // Init Duration of REPORT lines that had one

  uint64_t Requests() const;  // all outcomes
  // Requests whose billed duration is AWS's word (REPORT line or header).
  uint64_t BilledByAws() const { return billed_from_header + billed_from_report; }
  // Mean client time beyond AWS's billed duration over the requests that had one (gateway,
  // network), with service times multiplied by `time_scale` onto the target's clock; nullopt
  // without any such request.
  std::optional<double> MeanClientOverheadSeconds(double time_scale = 1.0) const;
  uint64_t Ok() const { return requests[0]; }
  uint64_t Failed() const { return Requests() - Ok(); }
  // Counts one finished request (outcome, latency, lag, cold start, bytes, billed duration);
  // into ok_latency and cold_latency too unless `ok_and_cold` is false (a reader that keeps
  // neither: the service).
  void Add(const RequestRecord& record, bool ok_and_cold = true);
  // Adds `other`; its latency histograms (latency, ok_latency, cold_latency, lag) only when
  // `histograms` is true.
  void Merge(const Interval& other, bool histograms = true);
  // Becomes `other` but for the latency histograms, which are left empty (their buffers kept).
  void AssignCounters(const Interval& other);
  void Clear();
};

// How long a request is billed for if AWS bills its duration (see Interval).
uint64_t BilledMs(const RequestRecord& record);

// A consistent view of a target at one instant.
struct StatsSnapshot {
  Clock::time_point taken_at;
  Interval total;   // since the target was added (counters never go backwards)
  Interval window;  // the last `window_span` (at most StatsOptions::window)
  // The window's latency of every finished request and its schedule lag, at
  // StatsOptions::window_latency_quantiles and window_lag_quantiles.
  QuantileSummary window_latency;
  QuantileSummary window_lag;
  std::chrono::nanoseconds window_span{0};  // how much time `window` actually covers
  int in_flight = 0;
  int stage_index = -1;
  Stage stage;               // the stage in force
  bool load_active = false;  // false in an idle stage, while paused, or before the start
};

// Thread-safe store of one target's statistics, fed by its recorders (one per worker: a target
// may be sharded over several workers, each with its own StatsRecorder, see AddSource) and read
// by any thread through Snapshot(). Readers never block a worker for longer than a merge of one
// publish interval.
//
// The sliding window is a ring of past published intervals, each packed into its non-zero
// counters and buckets, and their running sum: a publish adds its interval and subtracts those that
// leave, so that a snapshot costs a copy and the few slots it must leave out, not a merge of the
// whole window (at a thousand targets, sixty merges per target per tick were a third of the
// service's CPU). Its resolution is publish_interval: the window covers [oldest slot start, newest
// slot end], never more than `window`, and never the pending part a recorder has not published yet.
class TargetStats {
 public:
  explicit TargetStats(StatsOptions options, Clock::time_point created_at = Clock::now());
  ~TargetStats();

  // A new publisher (one per StatsRecorder); Publish() takes its id (0, 1, ...). A
  // single publisher may skip this and use source 0.
  int AddSource();
  // Adds an interval that ended at `end` (it began at the source's previous end, or at creation).
  // Called by StatsRecorder from a worker thread.
  void Publish(const Interval& interval, Clock::time_point end, int in_flight, int source = 0);
  void SetStage(int stage_index, const Stage& stage, bool active);
  StatsSnapshot Snapshot(Clock::time_point now) const;
  // The same into `out`, whose buffers are reused: a reader that snapshots every tick keeps one
  // StatsSnapshot per target and allocates nothing in the steady state.
  void Snapshot(Clock::time_point now, StatsSnapshot* out) const;
  // Changes the sliding window's length (a reload) without losing totals or the intervals still
  // held: a longer window fills up as time passes, a shorter one applies at the next snapshot.
  void SetWindow(std::chrono::nanoseconds window);
  // As constructed: the window's current length is SetWindow's.
  const StatsOptions& options() const { return options_; }

 private:
  struct Slot;
  struct Source {
    Clock::time_point last_end;
    int in_flight = 0;
  };
  StatsOptions options_;
  mutable std::mutex mu_;
  std::chrono::nanoseconds window_;  // options_.window until SetWindow
  Interval empty_;                   // with options_'s bounds: what a snapshot's window starts as
  Interval total_;
  struct SlotSummary;
  std::size_t RingIndex(std::size_t i) const;  // where the i-th oldest slot held is, i < count_
  std::size_t PushSlot();  // the index of a slot after the newest (the ring grows when full)
  // Past intervals inside the window (packed, see Slot): a ring of ring_.size() slots, count_
  // of them held, the oldest at head_; the others keep their storage for the next publishes.
  std::vector<Slot> ring_;
  std::vector<SlotSummary> summaries_;  // ring_[i]'s times, extremes and memory maxima
  std::size_t head_ = 0;
  std::size_t count_ = 0;
  Interval window_sum_;  // every slot held added (extremes and memory maxima aside)
  // What the sum cannot keep, from any slot held to the newest: a snapshot whose window ends
  // with the newest slot reads its extremes here, not off every slot (sixty per target per
  // tick). Slots are numbered in publish order: the newest is pushed_ - 1.
  struct HeldExtremes {
    void Push(uint64_t seq, const SlotSummary& slot);
    void DropBefore(uint64_t seq);
    SlidingExtreme<std::less<>> latency_min, lag_min;
    SlidingExtreme<std::greater<>> latency_max, lag_max, memory_size_mb, max_memory_used_mb;
  };
  HeldExtremes held_;
  uint64_t pushed_ = 0;
  // The slots held are in order (each starts and ends no earlier than the one before) once the
  // oldest is numbered in_order_from_ or later: a slot out of order (two recorders, each at its
  // own pace) sets it to its own number. In order, the slots a snapshot leaves out are the oldest
  // few and the newest few, and the newest ends last.
  uint64_t in_order_from_ = 0;
  Clock::time_point newest_start_ = Clock::time_point::min();
  Clock::time_point newest_end_ = Clock::time_point::min();
  int publishes_since_rebuild_ = 0;
  std::vector<Source> sources_;
  Clock::time_point created_at_;
  int stage_index_ = -1;
  Stage stage_;
  bool load_active_ = false;
};

// The Recorder that feeds a TargetStats: records into a private Interval on the worker thread
// (no lock, no allocation per request) and publishes it every publish_interval from OnTick.
// Thread contract: the Recorder one (all calls from the worker that runs the target); Flush may
// also be called by another thread once the worker no longer runs the target.
class StatsRecorder : public Recorder {
 public:
  // `stats` must outlive the recorder. Several recorders may feed one TargetStats.
  explicit StatsRecorder(TargetStats* stats);

  void OnRequestDone(const RequestRecord& record) override;
  void OnDropped(Clock::time_point scheduled_at) override;
  void OnStage(int stage_index, const Stage& stage, bool active) override;
  void OnTick(Clock::time_point now, int in_flight) override;
  // The end of the interval being recorded: one tick per publish_interval.
  Clock::time_point NextTick(Clock::time_point now) const override;
  // Publishes what is pending at once (shutdown, end of a bench run).
  void Flush(Clock::time_point now, int in_flight);

 private:
  void Publish(Clock::time_point now, int in_flight);
  void Start(Clock::time_point first_event);
  // When the interval that a publish at `t` opens is due (see StatsOptions).
  Clock::time_point PublishAfter(Clock::time_point t) const;

  TargetStats* stats_;
  int source_;
  // Whether the stats keep the latency of successful and cold-start requests (in the window or
  // the totals): if not, the recorder does not record them either.
  bool ok_and_cold_;
  Interval pending_;
  bool started_ = false;  // next_publish_ is set by the first event the recorder sees
  Clock::time_point next_publish_;
};

}  // namespace loadgen

#endif  // LOADGEN_STATS_H_
