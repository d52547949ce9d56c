// Latency histograms. Thread contract: none of these classes is thread-safe; each is owned by one
// thread at a time (a worker records, then hands a copy or a merge to the reader).
#ifndef LOADGEN_HISTOGRAM_H_
#define LOADGEN_HISTOGRAM_H_

#include <algorithm>
#include <cstdint>
#include <memory>
#include <span>
#include <utility>
#include <vector>

namespace loadgen {

// A histogram's non-zero buckets as (bucket index, count), in ascending index order.
using SparseCounts = std::vector<std::pair<uint32_t, uint64_t>>;
// A sparse form held elsewhere: a whole SparseCounts, or one section of a longer list.
using SparseSpan = std::span<const std::pair<uint32_t, uint64_t>>;

// What a reader takes of a latency histogram: its count, sum, extremes and its values at some
// quantiles (all 0 when empty).
struct QuantileSummary {
  uint64_t count = 0;
  double sum_ns = 0;
  int64_t min_ns = 0;
  int64_t max_ns = 0;
  std::vector<int64_t> values_ns;  // one per quantile asked for, in the order asked
  double MeanNs() const noexcept { return count == 0 ? 0.0 : sum_ns / static_cast<double>(count); }
};

// Log-linear histogram of durations in nanoseconds, HdrHistogram-style: each power-of-two range is
// split into equal sub-buckets so that any reported quantile is within 1 % of the recorded value,
// for values from 1 µs to 1 h. Values outside the range are clamped (and counted as recorded).
// Record() is branch-light and allocation-free (the counters are allocated once, ~20 KiB).
class LatencyHistogram {
 public:
  static constexpr int64_t kMinValueNs = 1'000;              // 1 µs
  static constexpr int64_t kMaxValueNs = 3'600'000'000'000;  // 1 h

  LatencyHistogram();
  // A copy holds the powers of two that hold counts, not the range its source had grown to: a
  // copy of a window costs the span of latencies seen, not all 2,112 buckets (17 KiB).
  LatencyHistogram(const LatencyHistogram& other);
  LatencyHistogram& operator=(const LatencyHistogram& other);
  LatencyHistogram(LatencyHistogram&&) noexcept = default;
  LatencyHistogram& operator=(LatencyHistogram&&) noexcept = default;

  // A count outside the buckets held grows them to the powers of two around it; once the
  // latencies' range is covered, recording never allocates.
  void Record(int64_t value_ns);
  void RecordN(int64_t value_ns, uint64_t count);
  // Adds every count of `other` (histograms are mergeable across threads and intervals).
  void Merge(const LatencyHistogram& other);
  void Clear() noexcept;

  uint64_t Count() const noexcept;
  int64_t MinNs() const noexcept;  // 0 when empty
  int64_t MaxNs() const noexcept;  // 0 when empty
  double MeanNs() const noexcept;  // exact (kept as a running sum), 0 when empty
  // The value at quantile q in [0, 1], within 1 % relative error; 0 when empty.
  int64_t ValueAtQuantileNs(double q) const noexcept;
  // The summary of this histogram less `minus` (a sparse form, or several added together, that
  // was merged here earlier, whose values sum to `minus_sum_ns`) with the extremes of what
  // remains set to [min_ns, max_ns] when min_ns <= max_ns: what a copy would give after
  // SubtractSparse, SetExtremes and ValueAtQuantileNs for each of `quantiles`, without the copy
  // (which costs the span of values seen). One walk of the buckets serves every quantile.
  void Summarize(std::span<const double> quantiles, SparseSpan minus, double minus_sum_ns,
                 int64_t min_ns, int64_t max_ns, QuantileSummary* out) const;

  // Sparse form (bucket index, count) for cheap storage of past intervals in a sliding window.
  SparseCounts ToSparse() const;
  // The same appended to `out` (in ascending index order), reusing its capacity.
  void AppendSparse(SparseCounts* out) const;
  void MergeSparse(SparseSpan sparse, int64_t min_ns, int64_t max_ns, double sum_ns);
  // Takes back a sparse form merged earlier (a sliding window's oldest interval). Counts cannot
  // tell the extremes of what remains: min and max keep their values until SetExtremes, and are
  // reset with everything else once nothing remains.
  void SubtractSparse(SparseSpan sparse, double sum_ns);
  // The exact extremes, for a histogram built by subtraction (ignored when empty).
  void SetExtremes(int64_t min_ns, int64_t max_ns) noexcept;
  double SumNs() const noexcept;
  // How many buckets this histogram holds in memory (8 bytes each), of the 2,112 of the range.
  std::size_t BucketsHeld() const noexcept { return counts_.size(); }

 private:
  // Grows the buckets held to cover [lo, hi] (whole powers of two). An empty histogram (most
  // cold-start ones, every one in a counters-only copy) holds none and copies for free.
  void Cover(uint32_t lo, uint32_t hi);
  void ZeroSpan() noexcept;  // the buckets and powers of two of [lo_, hi_]
  // The total of the power of two that holds bucket `index` (one held).
  uint64_t& GroupOf(uint32_t index) noexcept;
  uint64_t GroupOf(uint32_t index) const noexcept;
  uint64_t& At(uint32_t index) noexcept { return counts_[index - base_]; }
  uint64_t At(uint32_t index) const noexcept { return counts_[index - base_]; }
  // The nearest rank (1..count) of quantile q among `count` values.
  static uint64_t Rank(double q, uint64_t count) noexcept;
  void Touch(uint32_t index) noexcept {
    lo_ = std::min(lo_, index);
    hi_ = std::max(hi_, index);
  }

  // The buckets [base_, base_ + counts_.size()) of the whole range, whole powers of two (base_
  // and the size are multiples of the sub-buckets per power); none until a count arrives.
  std::vector<uint64_t> counts_;
  // Per power of two held, the sum of its buckets: a quantile's walk passes over whole powers
  // of two below its rank (LatencyHistogram::Summarize) instead of every bucket.
  std::vector<uint64_t> groups_;
  uint32_t base_ = 0;
  // The buckets that may be non-zero are [lo_, hi_] (lo_ > hi_: none): merging, clearing and
  // walking cost the span of values seen, not the 2,112 buckets of the whole range.
  uint32_t lo_ = UINT32_MAX;
  uint32_t hi_ = 0;
  uint64_t total_ = 0;
  int64_t min_ns_ = 0;
  int64_t max_ns_ = 0;
  double sum_ns_ = 0;
};

// Counts of durations against fixed upper bounds (the Prometheus histogram buckets), exact.
// counts() is non-cumulative: counts()[i] holds values <= bounds[i] and > bounds[i-1]; the last
// element is the +Inf bucket. Same shape as prometheus-cpp's ObserveMultiple input.
class BucketCounts {
 public:
  explicit BucketCounts(std::vector<double> upper_bounds_seconds = {});

  void Record(int64_t value_ns) noexcept;
  void Merge(const BucketCounts& other) noexcept;
  void Clear() noexcept;
  // The non-zero buckets as (index, count), for intervals kept in a sliding window: a few
  // entries where the dense form, bounds included, is about 700 bytes.
  SparseCounts ToSparse() const;
  // The same appended to `out` (in ascending index order), reusing its capacity.
  void AppendSparse(SparseCounts* out) const;
  // Adds a sparse form taken from counts with the same bounds, and its sum of values.
  void MergeSparse(SparseSpan sparse, double sum_seconds) noexcept;
  // Takes back a sparse form merged earlier, and its sum (0 once no count remains).
  void SubtractSparse(SparseSpan sparse, double sum_seconds) noexcept;

  const std::vector<double>& bounds_seconds() const { return bounds_->seconds; }
  const std::vector<uint64_t>& counts() const { return counts_; }
  double sum_seconds() const { return sum_seconds_; }
  uint64_t total() const;

 private:
  struct Bounds {
    std::vector<double> seconds;
    std::vector<int64_t> ns;
  };
  // The one Bounds of the process with these values (sorted, duplicates removed).
  static std::shared_ptr<const Bounds> Shared(std::vector<double> seconds);
  // Shared by every instance with the same bounds (Shared): copies and merges cost the counts
  // only. Never null.
  std::shared_ptr<const Bounds> bounds_;
  std::vector<uint64_t> counts_;
  double sum_seconds_ = 0;
};

}  // namespace loadgen

#endif  // LOADGEN_HISTOGRAM_H_
