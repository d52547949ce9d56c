#include "loadgen/histogram.h"

#include <algorithm>
#include <bit>
#include <cmath>

namespace loadgen {
namespace {

// Layout: values are clamped to [kMinValueNs, kMaxValueNs]; each power of two [2^e, 2^(e+1)) is
// split into kSubBuckets equal sub-buckets. A bucket's width is at most 1/kSubBuckets of its lower
// bound, so reporting its midpoint is within 1/(2 * kSubBuckets) = 0.78 % of any value in it.
constexpr int kSubBucketBits = 6;
constexpr int64_t kSubBuckets = int64_t{1} << kSubBucketBits;
// 1 µs lies in [2^9, 2^10) and 1 h in [2^41, 2^42).
constexpr int kMinExponent =
    std::bit_width(static_cast<uint64_t>(LatencyHistogram::kMinValueNs)) - 1;
constexpr int kMaxExponent =
    std::bit_width(static_cast<uint64_t>(LatencyHistogram::kMaxValueNs)) - 1;
constexpr std::size_t kBucketCount =
    static_cast<std::size_t>(kMaxExponent - kMinExponent + 1) * kSubBuckets;
static_assert(kMinExponent >= kSubBucketBits, "the sub-bucket shift must not go negative");

inline uint32_t BucketIndex(int64_t value_ns) noexcept {
  const auto v = static_cast<uint64_t>(
      std::clamp(value_ns, LatencyHistogram::kMinValueNs, LatencyHistogram::kMaxValueNs));
  const int exponent = static_cast<int>(std::bit_width(v)) - 1;
  const int shift = exponent - kSubBucketBits;
  const auto mantissa = static_cast<uint32_t>(v >> shift);  // in [kSubBuckets, 2 * kSubBuckets)
  return static_cast<uint32_t>(exponent - kMinExponent) * static_cast<uint32_t>(kSubBuckets) +
         (mantissa - static_cast<uint32_t>(kSubBuckets));
}

// The midpoint of a bucket: the value reported for every count in it.
inline int64_t BucketMidpointNs(std::size_t index) noexcept {
  const int exponent = static_cast<int>(index / kSubBuckets) + kMinExponent;
  const int shift = exponent - kSubBucketBits;
  const int64_t mantissa = static_cast<int64_t>(index % kSubBuckets) + kSubBuckets;
  const int64_t lower = mantissa << shift;
  return lower + ((int64_t{1} << shift) >> 1);
}

}  // namespace

LatencyHistogram::LatencyHistogram() = default;

LatencyHistogram::LatencyHistogram(const LatencyHistogram& other)
    : lo_(other.lo_),
      hi_(other.hi_),
      total_(other.total_),
      min_ns_(other.min_ns_),
      max_ns_(other.max_ns_),
      sum_ns_(other.sum_ns_) {
  if (other.total_ == 0) {
    lo_ = UINT32_MAX;
    hi_ = 0;
    return;
  }
  base_ = lo_;
  counts_.assign(other.counts_.begin() + (lo_ - other.base_),
                 other.counts_.begin() + (hi_ - other.base_) + 1);
}

LatencyHistogram& LatencyHistogram::operator=(const LatencyHistogram& other) {
  if (this == &other) return *this;
  if (other.total_ == 0) {
    Clear();
    return *this;
  }
  const bool covered = !counts_.empty() && other.lo_ >= base_ &&
                       other.hi_ < base_ + static_cast<uint32_t>(counts_.size());
  if (!covered) return *this = LatencyHistogram(other);
  // The buckets held cover the source's: keep them (no allocation), zero what was counted here.
  if (total_ != 0)
    std::fill(counts_.begin() + (lo_ - base_), counts_.begin() + (hi_ - base_) + 1, 0);
  std::copy(other.counts_.begin() + (other.lo_ - other.base_),
            other.counts_.begin() + (other.hi_ - other.base_) + 1,
            counts_.begin() + (other.lo_ - base_));
  lo_ = other.lo_;
  hi_ = other.hi_;
  total_ = other.total_;
  min_ns_ = other.min_ns_;
  max_ns_ = other.max_ns_;
  sum_ns_ = other.sum_ns_;
  return *this;
}

void LatencyHistogram::Cover(uint32_t lo, uint32_t hi) {
  const auto size = static_cast<uint32_t>(counts_.size());
  if (size != 0 && lo >= base_ && hi < base_ + size) return;
  // Whole powers of two: a latency that drifts within one stays in the buckets held.
  constexpr auto kGroup = static_cast<uint32_t>(kSubBuckets);
  uint32_t from = lo / kGroup * kGroup;
  uint32_t to = std::min<uint32_t>((hi / kGroup + 1) * kGroup, kBucketCount);
  if (size != 0) {
    from = std::min(from, base_);
    to = std::max(to, base_ + size);
  }
  std::vector<uint64_t> grown(to - from, 0);
  std::copy(counts_.begin(), counts_.end(), grown.begin() + (base_ - from));
  counts_ = std::move(grown);
  base_ = from;
}

void LatencyHistogram::Record(int64_t value_ns) {
  const uint32_t index = BucketIndex(value_ns);
  Cover(index, index);
  ++At(index);
  Touch(index);
  // min/max start at 0 for an empty histogram; the first value seeds both.
  min_ns_ = total_ == 0 ? value_ns : std::min(min_ns_, value_ns);
  max_ns_ = std::max(max_ns_, value_ns);
  ++total_;
  sum_ns_ += static_cast<double>(value_ns);
}

void LatencyHistogram::RecordN(int64_t value_ns, uint64_t count) {
  if (count == 0) return;
  const uint32_t index = BucketIndex(value_ns);
  Cover(index, index);
  At(index) += count;
  Touch(index);
  min_ns_ = total_ == 0 ? value_ns : std::min(min_ns_, value_ns);
  max_ns_ = std::max(max_ns_, value_ns);
  total_ += count;
  sum_ns_ += static_cast<double>(value_ns) * static_cast<double>(count);
}

void LatencyHistogram::Merge(const LatencyHistogram& other) {
  if (other.total_ == 0) return;
  Cover(other.lo_, other.hi_);
  for (uint32_t i = other.lo_; i <= other.hi_; ++i) At(i) += other.At(i);
  Touch(other.lo_);
  Touch(other.hi_);
  min_ns_ = total_ == 0 ? other.min_ns_ : std::min(min_ns_, other.min_ns_);
  max_ns_ = total_ == 0 ? other.max_ns_ : std::max(max_ns_, other.max_ns_);
  total_ += other.total_;
  sum_ns_ += other.sum_ns_;
}

void LatencyHistogram::Clear() noexcept {
  if (total_ == 0) return;
  std::fill(counts_.begin() + (lo_ - base_), counts_.begin() + (hi_ - base_) + 1, 0);
  lo_ = UINT32_MAX;
  hi_ = 0;
  total_ = 0;
  min_ns_ = 0;
  max_ns_ = 0;
  sum_ns_ = 0;
}

uint64_t LatencyHistogram::Count() const noexcept { return total_; }
int64_t LatencyHistogram::MinNs() const noexcept { return min_ns_; }
int64_t LatencyHistogram::MaxNs() const noexcept { return max_ns_; }
double LatencyHistogram::SumNs() const noexcept { return sum_ns_; }

double LatencyHistogram::MeanNs() const noexcept {
  return total_ == 0 ? 0.0 : sum_ns_ / static_cast<double>(total_);
}

int64_t LatencyHistogram::ValueAtQuantileNs(double q) const noexcept {
  if (total_ == 0) return 0;
  q = std::clamp(q, 0.0, 1.0);
  // The nearest-rank definition: the smallest value with at least q * total values at or below.
  auto rank = static_cast<uint64_t>(std::ceil(q * static_cast<double>(total_)));
  rank = std::clamp<uint64_t>(rank, 1, total_);
  // The smallest and largest values are known exactly.
  if (rank == 1) return min_ns_;
  if (rank == total_) return max_ns_;
  uint64_t seen = 0;
  for (uint32_t i = lo_; i <= hi_; ++i) {
    seen += At(i);
    if (seen >= rank) {
      // The extremes are known exactly; clamping also keeps small samples honest.
      return std::clamp(BucketMidpointNs(i), min_ns_, max_ns_);
    }
  }
  return max_ns_;
}

std::vector<std::pair<uint32_t, uint64_t>> LatencyHistogram::ToSparse() const {
  std::vector<std::pair<uint32_t, uint64_t>> sparse;
  ToSparse(&sparse);
  return sparse;
}

void LatencyHistogram::ToSparse(std::vector<std::pair<uint32_t, uint64_t>>* out) const {
  // Cleared, not freed: a slot refilled every publish reuses its capacity.
  out->clear();
  if (total_ == 0) return;
  for (uint32_t i = lo_; i <= hi_; ++i) {
    if (At(i) != 0) out->emplace_back(i, At(i));
  }
}

void LatencyHistogram::MergeSparse(const std::vector<std::pair<uint32_t, uint64_t>>& sparse,
                                   int64_t min_ns, int64_t max_ns, double sum_ns) {
  // One growth for the whole form (ToSparse lists its buckets in order; any order is taken).
  uint32_t lo = UINT32_MAX;
  uint32_t hi = 0;
  for (const auto& [index, count] : sparse) {
    if (index >= kBucketCount || count == 0) continue;  // not produced by ToSparse(); ignore
    lo = std::min(lo, index);
    hi = std::max(hi, index);
  }
  if (lo > hi) return;
  Cover(lo, hi);
  uint64_t added = 0;
  for (const auto& [index, count] : sparse) {
    if (index >= kBucketCount || count == 0) continue;
    At(index) += count;
    Touch(index);
    added += count;
  }
  if (added == 0) return;
  min_ns_ = total_ == 0 ? min_ns : std::min(min_ns_, min_ns);
  max_ns_ = total_ == 0 ? max_ns : std::max(max_ns_, max_ns);
  total_ += added;
  sum_ns_ += sum_ns;
}

void LatencyHistogram::SubtractSparse(const std::vector<std::pair<uint32_t, uint64_t>>& sparse,
                                      double sum_ns) {
  if (total_ == 0) return;
  uint64_t removed = 0;
  for (const auto& [index, count] : sparse) {
    if (index < lo_ || index > hi_) continue;  // never merged here
    const uint64_t n = std::min(count, At(index));
    At(index) -= n;
    removed += n;
  }
  if (removed >= total_) {
    Clear();  // zeroes every bucket left over as well
    return;
  }
  total_ -= removed;
  sum_ns_ = std::max(0.0, sum_ns_ - sum_ns);
  // Narrow the span to the buckets still counted: walks and copies cost what remains.
  while (lo_ < hi_ && At(lo_) == 0) ++lo_;
  while (hi_ > lo_ && At(hi_) == 0) --hi_;
}

void LatencyHistogram::SetExtremes(int64_t min_ns, int64_t max_ns) noexcept {
  if (total_ == 0) return;
  min_ns_ = min_ns;
  max_ns_ = max_ns;
}

BucketCounts::BucketCounts(std::vector<double> upper_bounds_seconds) {
  if (upper_bounds_seconds.empty()) {
    // Unconfigured instances (default-constructed intervals) share one empty set of bounds.
    static const auto kNone = std::make_shared<const Bounds>();
    bounds_ = kNone;
  } else {
    auto bounds = std::make_shared<Bounds>();
    bounds->seconds = std::move(upper_bounds_seconds);
    std::sort(bounds->seconds.begin(), bounds->seconds.end());
    bounds->seconds.erase(std::unique(bounds->seconds.begin(), bounds->seconds.end()),
                          bounds->seconds.end());
    bounds->ns.reserve(bounds->seconds.size());
    for (double b : bounds->seconds) bounds->ns.push_back(std::llround(b * 1e9));
    bounds_ = std::move(bounds);
  }
  counts_.assign(bounds_->seconds.size() + 1, 0);
}

void BucketCounts::Record(int64_t value_ns) noexcept {
  // Prometheus buckets are "less than or equal": the first bound >= value.
  const std::vector<int64_t>& bounds = bounds_->ns;
  const auto it = std::lower_bound(bounds.begin(), bounds.end(), value_ns);
  ++counts_[static_cast<std::size_t>(it - bounds.begin())];
  sum_seconds_ += static_cast<double>(value_ns) * 1e-9;
}

void BucketCounts::Merge(const BucketCounts& other) noexcept {
  if (bounds_ != other.bounds_ && bounds_->ns != other.bounds_->ns) {
    // Only an empty, unconfigured instance may take another's shape; different bounds cannot be
    // added bucket by bucket, so such a merge keeps the totals in the +Inf bucket.
    if (bounds_->ns.empty() && total() == 0) {
      *this = other;
      return;
    }
    counts_.back() += other.total();
    sum_seconds_ += other.sum_seconds_;
    return;
  }
  for (std::size_t i = 0; i < counts_.size(); ++i) counts_[i] += other.counts_[i];
  sum_seconds_ += other.sum_seconds_;
}

std::vector<std::pair<uint32_t, uint64_t>> BucketCounts::ToSparse() const {
  std::vector<std::pair<uint32_t, uint64_t>> sparse;
  ToSparse(&sparse);
  return sparse;
}

void BucketCounts::ToSparse(std::vector<std::pair<uint32_t, uint64_t>>* out) const {
  out->clear();
  for (std::size_t i = 0; i < counts_.size(); ++i) {
    if (counts_[i] != 0) out->emplace_back(static_cast<uint32_t>(i), counts_[i]);
  }
}

void BucketCounts::MergeSparse(const std::vector<std::pair<uint32_t, uint64_t>>& sparse,
                               double sum_seconds) noexcept {
  for (const auto& [index, count] : sparse) {
    // Same bounds by construction; an index beyond them is counted in +Inf, never dropped.
    counts_[std::min<std::size_t>(index, counts_.size() - 1)] += count;
  }
  sum_seconds_ += sum_seconds;
}

void BucketCounts::SubtractSparse(const std::vector<std::pair<uint32_t, uint64_t>>& sparse,
                                  double sum_seconds) noexcept {
  for (const auto& [index, count] : sparse) {
    uint64_t& bucket = counts_[std::min<std::size_t>(index, counts_.size() - 1)];
    bucket -= std::min(count, bucket);
  }
  sum_seconds_ = total() == 0 ? 0.0 : std::max(0.0, sum_seconds_ - sum_seconds);
}

void BucketCounts::Clear() noexcept {
  std::fill(counts_.begin(), counts_.end(), 0);
  sum_seconds_ = 0;
}

uint64_t BucketCounts::total() const {
  uint64_t total = 0;
  for (uint64_t c : counts_) total += c;
  return total;
}

}  // namespace loadgen
