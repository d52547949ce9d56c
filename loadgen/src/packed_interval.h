// Internal to the statistics (see stats.cc): a published Interval packed for a sliding window.
#ifndef LOADGEN_PACKED_INTERVAL_H_
#define LOADGEN_PACKED_INTERVAL_H_

#include <algorithm>
#include <array>
#include <cstdint>
#include <limits>

#include "loadgen/histogram.h"
#include "loadgen/stats.h"

namespace loadgen::internal {

// The parts of a packed interval, in the order its list holds them.
enum Section : std::size_t {
  kCounters,
  kLatency,  // the four latency histograms first: they have extremes
  kOkLatency,
  kColdLatency,
  kLag,
  kDurationBuckets,
  kColdStartBuckets,
  kLagBuckets,
  kBilledDurationBuckets,
  kInitDurationBuckets,
  kSectionCount,
};

// The extremes of some latency histograms: what subtraction cannot restore. Empty: min > max.
struct Extremes {
  int64_t min_ns = std::numeric_limits<int64_t>::max();
  int64_t max_ns = std::numeric_limits<int64_t>::min();
  void Add(const Extremes& other) {
    min_ns = std::min(min_ns, other.min_ns);
    max_ns = std::max(max_ns, other.max_ns);
  }
  void ApplyTo(LatencyHistogram* h) const {
    if (min_ns <= max_ns) h->SetExtremes(min_ns, max_ns);
  }
};

// An Interval as one list of (key, count) pairs, section by section: its non-zero counters (key:
// the counter's number) and then each histogram's non-zero buckets (key: bucket index). An
// interval of a target at a few requests a second packs into a dozen pairs in one allocation,
// where fixed fields took a kilobyte, most of it zero counters of outcomes and billing classes
// that never happened; and sixty of them sit in every target's window. Packing again reuses the
// list's capacity: a window refilling its slots allocates nothing in the steady state.
class PackedInterval {
 public:
  // Packs `in`, but for the sections a window under `options` does not keep (left empty).
  void Pack(const Interval& in, const StatsOptions& options);
  // Adds what Pack left out of `in` under `options` that `out` keeps anyway: the exported
  // histograms' buckets, which totals need and a window may not.
  static void AddLeftOutBuckets(const Interval& in, const StatsOptions& options, Interval* out);

  // Adds the interval to `out`; its latency histograms only when `histograms` is true.
  void AddTo(Interval* out, bool histograms = true) const;
  // Takes back what AddTo added, but the maxima of memory and the histograms' extremes, which
  // a window recomputes from the intervals it keeps; the latency histograms only when
  // `histograms` is true.
  void SubtractFrom(Interval* out, bool histograms = true) const;

  SparseSpan Of(Section s) const;
  double SumOf(Section s) const { return sums_[s]; }  // ns (latency) or seconds (buckets)
  Extremes ExtremesOf(Section s) const;  // of latency section `s`; none when it is empty
  int memory_size_mb() const { return memory_size_mb_; }
  int max_memory_used_mb() const { return max_memory_used_mb_; }

 private:
  static constexpr std::size_t kLatencySections = kLag + 1 - kLatency;

  SparseCounts data_;
  std::array<uint32_t, kSectionCount> section_end_{};  // section s ends at data_[section_end_[s]]
  std::array<double, kSectionCount> sums_{};
  std::array<int64_t, kLatencySections> min_ns_{};
  std::array<int64_t, kLatencySections> max_ns_{};
  double billed_by_aws_latency_seconds_ = 0;
  int memory_size_mb_ = 0;
  int max_memory_used_mb_ = 0;
};

}  // namespace loadgen::internal

#endif  // LOADGEN_PACKED_INTERVAL_H_
