#include "loadgen/stats.h"

#include <algorithm>
#include <span>
#include <utility>

#include "loadgen/billed_duration.h"
#include "packed_interval.h"

namespace loadgen {
namespace {

using internal::Extremes;
using std::chrono::nanoseconds;

constexpr int64_t kNsPerMs = 1'000'000;

// The latency and lag of the slots a snapshot leaves out of its window, as one sparse form
// each (ascending indexes, each once) with its sum: what an in-place summary takes back.
struct OutOfWindow {
  SparseCounts latency;
  SparseCounts lag;
  double latency_sum_ns = 0;
  double lag_sum_ns = 0;
  int slots = 0;

  void Clear() {
    latency.clear();
    lag.clear();
    latency_sum_ns = lag_sum_ns = 0;
    slots = 0;
  }
  void Add(SparseSpan slot_latency, double slot_latency_sum_ns, SparseSpan slot_lag,
           double slot_lag_sum_ns) {
    latency.insert(latency.end(), slot_latency.begin(), slot_latency.end());
    lag.insert(lag.end(), slot_lag.begin(), slot_lag.end());
    latency_sum_ns += slot_latency_sum_ns;
    lag_sum_ns += slot_lag_sum_ns;
    ++slots;
  }
  // One slot's form is in order already; several are sorted and their counts of a bucket added.
  void Combine() {
    if (slots < 2) return;
    Merge(latency);
    Merge(lag);
  }
  static void Merge(SparseCounts& form) {
    std::sort(form.begin(), form.end());
    std::size_t kept = 0;
    for (std::size_t i = 0; i < form.size(); ++i) {
      if (kept > 0 && form[kept - 1].first == form[i].first) {
        form[kept - 1].second += form[i].second;
      } else {
        form[kept++] = form[i];
      }
    }
    form.resize(kept);
  }
};

// Publishes between two rebuilds of a window's running sum from its slots: subtraction rounds
// the floating-point sums, and rebuilding bounds that rounding (an hour at the default
// interval) for the cost of one full merge.
constexpr int kPublishesPerRebuild = 3600;

}  // namespace

// One published interval, packed. Slots live in a ring and are refilled in place.
struct TargetStats::Slot : internal::PackedInterval {
  Clock::time_point start;
  Clock::time_point end;
};

// What a snapshot reads of every slot in its window, kept apart from the slots in a ring of the
// same indexes: a snapshot scans these few contiguous bytes per slot, not the slots themselves.
struct TargetStats::SlotSummary {
  explicit SlotSummary(const Slot& slot = Slot())
      : start(slot.start),
        end(slot.end),
        latency(slot.ExtremesOf(internal::kLatency)),
        lag(slot.ExtremesOf(internal::kLag)),
        memory_size_mb(slot.memory_size_mb()),
        max_memory_used_mb(slot.max_memory_used_mb()) {}

  Clock::time_point start;
  Clock::time_point end;
  Extremes latency;
  Extremes lag;  // the successful and cold-start requests' extremes are read off the slots
  int memory_size_mb;
  int max_memory_used_mb;
};

Interval::Interval(const StatsOptions& options)
    : duration_buckets(options.duration_bounds_seconds),
      cold_start_buckets(options.cold_start_bounds_seconds),
      lag_buckets(options.lag_bounds_seconds),
      billed_duration_buckets(options.billed_duration_bounds_seconds),
      init_duration_buckets(options.init_duration_bounds_seconds) {}

uint64_t Interval::Requests() const {
  uint64_t n = 0;
  for (uint64_t c : requests) n += c;
  return n;
}

void BilledCounts::Merge(const BilledCounts& other) {
  requests += other.requests;
  billed_ms += other.billed_ms;
  billed_by_aws += other.billed_by_aws;
  bytes_sent += other.bytes_sent;
  bytes_received += other.bytes_received;
}

void BilledCounts::Subtract(const BilledCounts& other) {
  requests -= other.requests;
  billed_ms -= other.billed_ms;
  billed_by_aws -= other.billed_by_aws;
  bytes_sent -= other.bytes_sent;
  bytes_received -= other.bytes_received;
}

uint64_t BilledMs(const RequestRecord& record) {
  return RoundBilledMs(record.billed_duration.value_or(record.done_at - record.sent_at));
}

void Interval::Add(const RequestRecord& record, bool ok_and_cold) {
  ++requests[static_cast<std::size_t>(record.outcome)];
  const int64_t latency_ns = record.Latency().count();
  const int64_t lag_ns = std::max<int64_t>(0, record.ScheduleLag().count());
  latency.Record(latency_ns);
  duration_buckets.Record(latency_ns);
  lag.Record(lag_ns);
  lag_buckets.Record(lag_ns);
  if (ok_and_cold && record.outcome == Outcome::kOk) ok_latency.Record(latency_ns);
  if (record.cold_start) {
    ++cold_starts;
    if (ok_and_cold) cold_latency.Record(latency_ns);
    cold_start_buckets.Record(latency_ns);
  }
  bytes_sent += record.bytes_sent;
  bytes_received += record.bytes_received;
  BilledCounts& billed = by_billing_class[static_cast<std::size_t>(record.billing_class)];
  const uint64_t ms = BilledMs(record);
  ++billed.requests;
  billed.billed_ms += ms;
  billed.bytes_sent += record.bytes_sent;
  billed.bytes_received += record.bytes_received;
  if (record.report.has_value()) {
    ++billed_from_report;
  } else if (record.billed_duration.has_value()) {
    ++billed_from_header;
  }
  if (record.billed_duration.has_value()) {
    ++billed.billed_by_aws;
    billed_duration_buckets.Record(static_cast<int64_t>(ms) * kNsPerMs);
    billed_by_aws_latency_seconds +=
        std::chrono::duration<double>(record.done_at - record.sent_at).count();
  }
  if (record.report.has_value()) {
    memory_size_mb = std::max(memory_size_mb, record.report->memory_size_mb);
    max_memory_used_mb = std::max(max_memory_used_mb, record.report->max_memory_used_mb);
    if (record.report->init_duration.has_value()) {
      init_duration_buckets.Record(record.report->init_duration->count());
    }
  }
}

std::optional<double> Interval::MeanClientOverheadSeconds(double time_scale) const {
  const uint64_t n = billed_duration_buckets.total();
  if (n == 0) return std::nullopt;
  return std::max(
      0.0, (time_scale * billed_by_aws_latency_seconds - billed_duration_buckets.sum_seconds()) /
               static_cast<double>(n));
}

void Interval::Merge(const Interval& other, bool histograms) {
  for (std::size_t i = 0; i < kOutcomeCount; ++i) requests[i] += other.requests[i];
  dropped += other.dropped;
  cold_starts += other.cold_starts;
  billed_from_header += other.billed_from_header;
  billed_from_report += other.billed_from_report;
  for (std::size_t i = 0; i < kBillingClassCount; ++i) {
    by_billing_class[i].Merge(other.by_billing_class[i]);
  }
  memory_size_mb = std::max(memory_size_mb, other.memory_size_mb);
  max_memory_used_mb = std::max(max_memory_used_mb, other.max_memory_used_mb);
  billed_by_aws_latency_seconds += other.billed_by_aws_latency_seconds;
  bytes_sent += other.bytes_sent;
  bytes_received += other.bytes_received;
  if (histograms) {
    latency.Merge(other.latency);
    ok_latency.Merge(other.ok_latency);
    cold_latency.Merge(other.cold_latency);
    lag.Merge(other.lag);
  }
  duration_buckets.Merge(other.duration_buckets);
  cold_start_buckets.Merge(other.cold_start_buckets);
  lag_buckets.Merge(other.lag_buckets);
  billed_duration_buckets.Merge(other.billed_duration_buckets);
  init_duration_buckets.Merge(other.init_duration_buckets);
}

void Interval::AssignCounters(const Interval& other) {
  // Every field but the four latency histograms: keep in step with Merge and Clear.
  requests = other.requests;
  dropped = other.dropped;
  cold_starts = other.cold_starts;
  billed_from_header = other.billed_from_header;
  billed_from_report = other.billed_from_report;
  by_billing_class = other.by_billing_class;
  memory_size_mb = other.memory_size_mb;
  max_memory_used_mb = other.max_memory_used_mb;
  billed_by_aws_latency_seconds = other.billed_by_aws_latency_seconds;
  bytes_sent = other.bytes_sent;
  bytes_received = other.bytes_received;
  latency.Clear();
  ok_latency.Clear();
  cold_latency.Clear();
  lag.Clear();
  duration_buckets = other.duration_buckets;
  cold_start_buckets = other.cold_start_buckets;
  lag_buckets = other.lag_buckets;
  billed_duration_buckets = other.billed_duration_buckets;
  init_duration_buckets = other.init_duration_buckets;
}

void Interval::Clear() {
  requests.fill(0);
  dropped = cold_starts = billed_from_header = billed_from_report = 0;
  by_billing_class.fill(BilledCounts{});
  memory_size_mb = max_memory_used_mb = 0;
  billed_by_aws_latency_seconds = 0;
  bytes_sent = bytes_received = 0;
  latency.Clear();
  ok_latency.Clear();
  cold_latency.Clear();
  lag.Clear();
  duration_buckets.Clear();
  cold_start_buckets.Clear();
  lag_buckets.Clear();
  billed_duration_buckets.Clear();
  init_duration_buckets.Clear();
}

TargetStats::TargetStats(StatsOptions options, Clock::time_point created_at)
    : options_(std::move(options)),
      window_(options_.window),
      empty_(options_),
      total_(options_),
      window_sum_(options_),
      created_at_(created_at) {}

TargetStats::~TargetStats() = default;

int TargetStats::AddSource() {
  std::lock_guard lock(mu_);
  sources_.push_back(Source{created_at_, 0});
  return static_cast<int>(sources_.size()) - 1;
}

void TargetStats::Publish(const Interval& interval, Clock::time_point end, int in_flight,
                          int source) {
  std::lock_guard lock(mu_);
  const auto index = static_cast<std::size_t>(std::max(source, 0));
  if (index >= sources_.size()) sources_.resize(index + 1, Source{created_at_, 0});
  Source& from = sources_[index];
  const std::size_t at = PushSlot();
  Slot& slot = ring_[at];
  slot.start = std::min(from.last_end, end);
  slot.end = end;
  slot.Pack(interval, options_);
  slot.AddTo(&window_sum_);
  // Totals without latency histograms take the slot's few non-zero counters and buckets, not a
  // pass over every field and bucket of both (a cold kilobyte per target per publish at a
  // thousand targets); the exported histograms' buckets that the window does not keep come
  // straight from the interval.
  if (options_.total_histograms) {
    total_.Merge(interval, true);
  } else {
    slot.AddTo(&total_, false);
    internal::PackedInterval::AddLeftOutBuckets(interval, options_, &total_);
  }
  const SlotSummary& summary = summaries_[at] = SlotSummary(slot);
  const uint64_t seq = pushed_++;
  if (summary.start < newest_start_ || summary.end < newest_end_) in_order_from_ = seq;
  newest_start_ = summary.start;
  newest_end_ = summary.end;
  held_.Push(seq, summary);
  from.last_end = end;
  from.in_flight = in_flight;
  // Keep only what a snapshot can still use: slots that started inside the window. A dropped
  // slot keeps its storage for a later publish.
  while (count_ > 0 && ring_[head_].start < end - window_) {
    ring_[head_].SubtractFrom(&window_sum_);
    head_ = (head_ + 1) % ring_.size();
    --count_;
  }
  held_.DropBefore(pushed_ - count_);
  if (++publishes_since_rebuild_ >= kPublishesPerRebuild) {
    window_sum_ = empty_;
    for (std::size_t i = 0; i < count_; ++i) ring_[RingIndex(i)].AddTo(&window_sum_);
    publishes_since_rebuild_ = 0;
  }
}

void TargetStats::HeldExtremes::Push(uint64_t seq, const SlotSummary& slot) {
  latency_min.Push(seq, slot.latency.min_ns);
  latency_max.Push(seq, slot.latency.max_ns);
  lag_min.Push(seq, slot.lag.min_ns);
  lag_max.Push(seq, slot.lag.max_ns);
  memory_size_mb.Push(seq, slot.memory_size_mb);
  max_memory_used_mb.Push(seq, slot.max_memory_used_mb);
}

void TargetStats::HeldExtremes::DropBefore(uint64_t seq) {
  latency_min.DropBefore(seq);
  latency_max.DropBefore(seq);
  lag_min.DropBefore(seq);
  lag_max.DropBefore(seq);
  memory_size_mb.DropBefore(seq);
  max_memory_used_mb.DropBefore(seq);
}

std::size_t TargetStats::RingIndex(std::size_t i) const { return (head_ + i) % ring_.size(); }

std::size_t TargetStats::PushSlot() {
  if (count_ == ring_.size()) {
    // Full: room for the slots a window holds when every source publishes once an interval
    // (the first time), else a quarter more (a longer window after a reload, uneven sources);
    // oldest first. Not doubled: a minute at 1 s needs 61 or 62, not 64.
    std::size_t expected = 0;
    if (options_.publish_interval > nanoseconds::zero()) {
      expected = std::max<std::size_t>(1, sources_.size()) *
                 static_cast<std::size_t>(window_ / options_.publish_interval + 3);
    }
    const std::size_t size = ring_.size() < expected
                                 ? expected
                                 : ring_.size() + std::max<std::size_t>(4, ring_.size() / 4);
    std::vector<Slot> slots(size);
    std::vector<SlotSummary> summaries(size);
    for (std::size_t i = 0; i < count_; ++i) {
      slots[i] = std::move(ring_[RingIndex(i)]);
      summaries[i] = summaries_[RingIndex(i)];
    }
    ring_ = std::move(slots);
    summaries_ = std::move(summaries);
    head_ = 0;
  }
  ++count_;
  return RingIndex(count_ - 1);
}

void TargetStats::SetStage(int stage_index, const Stage& stage, bool active) {
  std::lock_guard lock(mu_);
  stage_index_ = stage_index;
  stage_ = stage;
  load_active_ = active;
}

void TargetStats::SetWindow(nanoseconds window) {
  std::lock_guard lock(mu_);
  window_ = window;
}

StatsSnapshot TargetStats::Snapshot(Clock::time_point now) const {
  StatsSnapshot snapshot;
  Snapshot(now, &snapshot);
  return snapshot;
}

void TargetStats::Snapshot(Clock::time_point now, StatsSnapshot* out) const {
  StatsSnapshot& snapshot = *out;
  snapshot.taken_at = now;
  snapshot.window_span = nanoseconds(0);
  snapshot.in_flight = 0;
  const bool histograms = options_.window_histograms_in_snapshot;
  // The sparse forms of the slots left out, added together, for the in-place summaries; kept
  // per thread so that a reader's steady state allocates nothing.
  thread_local OutOfWindow left_out;
  left_out.Clear();
  std::lock_guard lock(mu_);
  snapshot.total = total_;
  const Clock::time_point window_start = now - window_;
  // The running sum holds every slot kept: take back those outside [now - window, now] (the
  // oldest one or two until the next publish drops them; rarely one published after `now` was
  // read), and recompute what a sum cannot keep from the slots inside.
  if (histograms) {
    snapshot.window = window_sum_;
  } else {
    snapshot.window.AssignCounters(window_sum_);
  }
  Clock::time_point first = Clock::time_point::max();
  Clock::time_point last = Clock::time_point::min();
  Extremes latency, ok_latency, cold_latency, lag;
  int memory_size_mb = 0;
  int max_memory_used_mb = 0;
  auto leave_out = [&](std::size_t i) {
    const Slot& outside = ring_[RingIndex(i)];
    outside.SubtractFrom(&snapshot.window, histograms);
    if (!histograms) {
      left_out.Add(outside.Of(internal::kLatency), outside.SumOf(internal::kLatency),
                   outside.Of(internal::kLag), outside.SumOf(internal::kLag));
    }
  };
  // With starts in order, the slots outside [now - window, now] are the oldest few (until the
  // next publish drops them) and, rarely, the newest (published after `now` was read).
  const bool in_order = pushed_ - count_ >= in_order_from_ && !options_.window_ok_and_cold_latency;
  std::size_t lo = 0;
  std::size_t hi = count_;
  if (in_order) {
    while (lo < hi && summaries_[RingIndex(lo)].start < window_start) leave_out(lo++);
    while (hi > lo && summaries_[RingIndex(hi - 1)].start > now) leave_out(--hi);
  }
  if (in_order && hi == count_) {
    // The window runs from slot `lo` to the newest: its extremes are the held ones since `lo`.
    if (lo < hi) {
      const uint64_t since = pushed_ - count_ + lo;
      constexpr int64_t kNone = 0;
      latency.min_ns = held_.latency_min.Since(since, latency.min_ns);
      latency.max_ns = held_.latency_max.Since(since, latency.max_ns);
      lag.min_ns = held_.lag_min.Since(since, lag.min_ns);
      lag.max_ns = held_.lag_max.Since(since, lag.max_ns);
      memory_size_mb = static_cast<int>(held_.memory_size_mb.Since(since, kNone));
      max_memory_used_mb = static_cast<int>(held_.max_memory_used_mb.Since(since, kNone));
      first = summaries_[RingIndex(lo)].start;
      last = newest_end_;
    }
  } else {
    for (std::size_t i = lo; i < hi; ++i) {
      const SlotSummary& slot = summaries_[RingIndex(i)];
      if (slot.start < window_start || slot.start > now) {
        leave_out(i);
        continue;
      }
      latency.Add(slot.latency);
      lag.Add(slot.lag);
      if (options_.window_ok_and_cold_latency) {
        ok_latency.Add(ring_[RingIndex(i)].ExtremesOf(internal::kOkLatency));
        cold_latency.Add(ring_[RingIndex(i)].ExtremesOf(internal::kColdLatency));
      }
      memory_size_mb = std::max(memory_size_mb, slot.memory_size_mb);
      max_memory_used_mb = std::max(max_memory_used_mb, slot.max_memory_used_mb);
      first = std::min(first, slot.start);
      last = std::max(last, slot.end);
    }
  }
  const std::span<const double> latency_q = options_.window_latency_quantiles;
  const std::span<const double> lag_q = options_.window_lag_quantiles;
  if (histograms) {
    latency.ApplyTo(&snapshot.window.latency);
    ok_latency.ApplyTo(&snapshot.window.ok_latency);
    cold_latency.ApplyTo(&snapshot.window.cold_latency);
    lag.ApplyTo(&snapshot.window.lag);
    static const SparseCounts kNothing;
    snapshot.window.latency.Summarize(latency_q, kNothing, 0, 1, 0, &snapshot.window_latency);
    snapshot.window.lag.Summarize(lag_q, kNothing, 0, 1, 0, &snapshot.window_lag);
  } else {
    left_out.Combine();
    window_sum_.latency.Summarize(latency_q, left_out.latency, left_out.latency_sum_ns,
                                  latency.min_ns, latency.max_ns, &snapshot.window_latency);
    window_sum_.lag.Summarize(lag_q, left_out.lag, left_out.lag_sum_ns, lag.min_ns, lag.max_ns,
                              &snapshot.window_lag);
  }
  snapshot.window.memory_size_mb = memory_size_mb;
  snapshot.window.max_memory_used_mb = max_memory_used_mb;
  if (first < last) snapshot.window_span = std::min<nanoseconds>(last - first, window_);
  for (const Source& source : sources_) snapshot.in_flight += source.in_flight;
  snapshot.stage_index = stage_index_;
  snapshot.stage = stage_;
  snapshot.load_active = load_active_;
}

StatsRecorder::StatsRecorder(TargetStats* stats)
    : stats_(stats),
      source_(stats->AddSource()),
      ok_and_cold_(stats->options().window_ok_and_cold_latency ||
                   stats->options().total_histograms),
      pending_(stats->options()) {}

void StatsRecorder::OnRequestDone(const RequestRecord& record) {
  if (!started_) Start(record.sent_at);
  pending_.Add(record, ok_and_cold_);
}

void StatsRecorder::OnDropped(Clock::time_point scheduled_at) {
  if (!started_) Start(scheduled_at);
  ++pending_.dropped;
}

void StatsRecorder::OnStage(int stage_index, const Stage& stage, bool active) {
  stats_->SetStage(stage_index, stage, active);
}

void StatsRecorder::OnTick(Clock::time_point now, int in_flight) {
  if (!started_) Start(now);
  if (now >= next_publish_) Publish(now, in_flight);
}

Clock::time_point StatsRecorder::NextTick(Clock::time_point now) const {
  return started_ ? next_publish_ : now;
}

void StatsRecorder::Start(Clock::time_point first_event) {
  started_ = true;
  next_publish_ = PublishAfter(first_event);
}

Clock::time_point StatsRecorder::PublishAfter(Clock::time_point t) const {
  const std::chrono::nanoseconds interval = stats_->options().publish_interval;
  if (!stats_->options().publish_on_clock_grid || interval <= std::chrono::nanoseconds::zero()) {
    return t + interval;
  }
  std::chrono::nanoseconds phase = stats_->options().publish_phase % interval;
  if (phase < std::chrono::nanoseconds::zero()) phase += interval;
  const std::chrono::nanoseconds since = t.time_since_epoch() - phase;
  std::chrono::nanoseconds grid = since / interval * interval;  // toward zero
  if (grid > since) grid -= interval;                           // t before the first point
  return Clock::time_point(grid + interval + phase);
}

void StatsRecorder::Flush(Clock::time_point now, int in_flight) { Publish(now, in_flight); }

void StatsRecorder::Publish(Clock::time_point now, int in_flight) {
  // Cleared, not replaced: the buckets stay allocated for the next interval, and clearing costs
  // the span of values recorded.
  stats_->Publish(pending_, now, in_flight, source_);
  pending_.Clear();
  started_ = true;
  next_publish_ = PublishAfter(now);
}

}  // namespace loadgen
