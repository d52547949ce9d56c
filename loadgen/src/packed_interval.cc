#include "packed_interval.h"

#include <algorithm>

namespace loadgen::internal {
namespace {

// The Interval's integer counters, numbered: requests by outcome, six scalars, then the five
// figures of each billing class.
constexpr uint32_t kScalarCounters = 6;
constexpr uint32_t kBilledFields = 5;
constexpr uint32_t kClassCountersFrom = kOutcomeCount + kScalarCounters;
constexpr uint32_t kCounterCount = kClassCountersFrom + kBillingClassCount * kBilledFields;

// The counter numbered `id` (< kCounterCount) of `in` (an Interval, const or not).
template <typename I>
auto& CounterAt(I& in, uint32_t id) {
  if (id < kOutcomeCount) return in.requests[id];
  if (id < kClassCountersFrom) {
    switch (id - kOutcomeCount) {
      case 0:
        return in.dropped;
      case 1:
        return in.cold_starts;
      case 2:
        return in.billed_from_header;
      case 3:
        return in.billed_from_report;
      case 4:
        return in.bytes_sent;
      default:
        return in.bytes_received;
    }
  }
  auto& billed = in.by_billing_class[(id - kClassCountersFrom) / kBilledFields];
  switch ((id - kClassCountersFrom) % kBilledFields) {
    case 0:
      return billed.requests;
    case 1:
      return billed.billed_ms;
    case 2:
      return billed.billed_by_aws;
    case 3:
      return billed.bytes_sent;
    default:
      return billed.bytes_received;
  }
}

template <typename I>
auto& LatencyOf(I& in, std::size_t section) {
  switch (section) {
    case kLatency:
      return in.latency;
    case kOkLatency:
      return in.ok_latency;
    case kColdLatency:
      return in.cold_latency;
    default:
      return in.lag;
  }
}

template <typename I>
auto& BucketsOf(I& in, std::size_t section) {
  switch (section) {
    case kDurationBuckets:
      return in.duration_buckets;
    case kColdStartBuckets:
      return in.cold_start_buckets;
    case kLagBuckets:
      return in.lag_buckets;
    case kBilledDurationBuckets:
      return in.billed_duration_buckets;
    default:
      return in.init_duration_buckets;
  }
}

// Whether a window under `options` keeps section `s` (see StatsOptions).
bool Kept(std::size_t s, const StatsOptions& options) {
  switch (s) {
    case kOkLatency:
    case kColdLatency:
      return options.window_ok_and_cold_latency;
    case kDurationBuckets:
    case kColdStartBuckets:
    case kLagBuckets:
    case kInitDurationBuckets:
      return options.window_exported_buckets;
    default:
      return true;
  }
}

}  // namespace

void PackedInterval::Pack(const Interval& in, const StatsOptions& options) {
  data_.clear();
  for (uint32_t id = 0; id < kCounterCount; ++id) {
    if (const uint64_t n = CounterAt(in, id); n != 0) data_.emplace_back(id, n);
  }
  section_end_[kCounters] = static_cast<uint32_t>(data_.size());
  for (std::size_t s = kLatency; s < kSectionCount; ++s) {
    double sum = 0;
    if (!Kept(s, options)) {
      // Left out: an empty section.
    } else if (s <= kLag) {
      const LatencyHistogram& h = LatencyOf(in, s);
      h.AppendSparse(&data_);
      sum = h.SumNs();
      min_ns_[s - kLatency] = h.MinNs();
      max_ns_[s - kLatency] = h.MaxNs();
    } else {
      const BucketCounts& b = BucketsOf(in, s);
      b.AppendSparse(&data_);
      sum = b.sum_seconds();
    }
    sums_[s] = sum;
    section_end_[s] = static_cast<uint32_t>(data_.size());
  }
  memory_size_mb_ = in.memory_size_mb;
  max_memory_used_mb_ = in.max_memory_used_mb;
  billed_by_aws_latency_seconds_ = in.billed_by_aws_latency_seconds;
}

void PackedInterval::AddLeftOutBuckets(const Interval& in, const StatsOptions& options,
                                       Interval* out) {
  for (std::size_t s = kLag + 1; s < kSectionCount; ++s) {
    if (!Kept(s, options)) BucketsOf(*out, s).Merge(BucketsOf(in, s));
  }
}

SparseSpan PackedInterval::Of(Section s) const {
  const uint32_t from = s == kCounters ? 0 : section_end_[s - 1];
  return SparseSpan(data_).subspan(from, section_end_[s] - from);
}

Extremes PackedInterval::ExtremesOf(Section s) const {
  Extremes e;
  if (!Of(s).empty()) {
    e.min_ns = min_ns_[s - kLatency];
    e.max_ns = max_ns_[s - kLatency];
  }
  return e;
}

void PackedInterval::AddTo(Interval* out, bool histograms) const {
  for (const auto& [id, n] : Of(kCounters)) CounterAt(*out, id) += n;
  out->memory_size_mb = std::max(out->memory_size_mb, memory_size_mb_);
  out->max_memory_used_mb = std::max(out->max_memory_used_mb, max_memory_used_mb_);
  out->billed_by_aws_latency_seconds += billed_by_aws_latency_seconds_;
  for (std::size_t s = histograms ? kLatency : kLag + 1; s <= kLag; ++s) {
    const SparseSpan buckets = Of(static_cast<Section>(s));
    if (!buckets.empty()) {
      LatencyOf(*out, s).MergeSparse(buckets, min_ns_[s - kLatency], max_ns_[s - kLatency],
                                     sums_[s]);
    }
  }
  for (std::size_t s = kLag + 1; s < kSectionCount; ++s) {
    const SparseSpan buckets = Of(static_cast<Section>(s));
    if (!buckets.empty()) BucketsOf(*out, s).MergeSparse(buckets, sums_[s]);
  }
}

void PackedInterval::SubtractFrom(Interval* out, bool histograms) const {
  for (const auto& [id, n] : Of(kCounters)) CounterAt(*out, id) -= n;
  // A sum of doubles: what is left once the window holds no such request is rounding.
  out->billed_by_aws_latency_seconds -= billed_by_aws_latency_seconds_;
  if (out->billed_from_header + out->billed_from_report == 0) {
    out->billed_by_aws_latency_seconds = 0;
  }
  for (std::size_t s = histograms ? kLatency : kLag + 1; s <= kLag; ++s) {
    const SparseSpan buckets = Of(static_cast<Section>(s));
    if (!buckets.empty()) LatencyOf(*out, s).SubtractSparse(buckets, sums_[s]);
  }
  for (std::size_t s = kLag + 1; s < kSectionCount; ++s) {
    const SparseSpan buckets = Of(static_cast<Section>(s));
    if (!buckets.empty()) BucketsOf(*out, s).SubtractSparse(buckets, sums_[s]);
  }
}

}  // namespace loadgen::internal
