#include "loadgen/histogram.h"

#include <algorithm>
#include <array>
#include <bit>
#include <cmath>
#include <map>
#include <mutex>

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
constexpr auto kGroup = static_cast<uint32_t>(kSubBuckets);  // the buckets of a power of two

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
  // The powers of two that hold counts (the source holds whole ones too).
  base_ = lo_ / kGroup * kGroup;
  const uint32_t end = (hi_ / kGroup + 1) * kGroup;
  counts_.assign(other.counts_.begin() + (base_ - other.base_),
                 other.counts_.begin() + (end - other.base_));
  groups_.assign(other.groups_.begin() + (base_ - other.base_) / kGroup,
                 other.groups_.begin() + (end - other.base_) / kGroup);
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
  if (total_ != 0) ZeroSpan();
  std::copy(other.counts_.begin() + (other.lo_ - other.base_),
            other.counts_.begin() + (other.hi_ - other.base_) + 1,
            counts_.begin() + (other.lo_ - base_));
  std::copy(other.groups_.begin() + (other.lo_ - other.base_) / kGroup,
            other.groups_.begin() + (other.hi_ - other.base_) / kGroup + 1,
            groups_.begin() + (other.lo_ - base_) / kGroup);
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
  uint32_t from = lo / kGroup * kGroup;
  uint32_t to = std::min<uint32_t>((hi / kGroup + 1) * kGroup, kBucketCount);
  if (size != 0) {
    from = std::min(from, base_);
    to = std::max(to, base_ + size);
  }
  std::vector<uint64_t> grown(to - from, 0);
  std::copy(counts_.begin(), counts_.end(), grown.begin() + (base_ - from));
  std::vector<uint64_t> grown_groups((to - from) / kGroup, 0);
  std::copy(groups_.begin(), groups_.end(), grown_groups.begin() + (base_ - from) / kGroup);
  counts_ = std::move(grown);
  groups_ = std::move(grown_groups);
  base_ = from;
}

void LatencyHistogram::ZeroSpan() noexcept {
  // The powers of two that count nothing hold zeros already: an interval's few requests spread
  // over many powers of two cost those they fell in.
  for (uint32_t g = lo_ / kGroup; g <= hi_ / kGroup; ++g) {
    uint64_t& group = groups_[g - base_ / kGroup];
    if (group == 0) continue;
    const auto first = counts_.begin() + (g * kGroup - base_);
    std::fill(first, first + kGroup, 0);
    group = 0;
  }
}

uint64_t& LatencyHistogram::GroupOf(uint32_t index) noexcept {
  return groups_[(index - base_) / kGroup];
}

uint64_t LatencyHistogram::GroupOf(uint32_t index) const noexcept {
  return groups_[(index - base_) / kGroup];
}

void LatencyHistogram::Record(int64_t value_ns) {
  const uint32_t index = BucketIndex(value_ns);
  Cover(index, index);
  ++At(index);
  ++GroupOf(index);
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
  GroupOf(index) += count;
  Touch(index);
  min_ns_ = total_ == 0 ? value_ns : std::min(min_ns_, value_ns);
  max_ns_ = std::max(max_ns_, value_ns);
  total_ += count;
  sum_ns_ += static_cast<double>(value_ns) * static_cast<double>(count);
}

void LatencyHistogram::Merge(const LatencyHistogram& other) {
  if (other.total_ == 0) return;
  Cover(other.lo_, other.hi_);
  for (uint32_t g = other.lo_ / kGroup; g <= other.hi_ / kGroup; ++g) {
    const uint64_t in_group = other.groups_[g - other.base_ / kGroup];
    if (in_group == 0) continue;
    groups_[g - base_ / kGroup] += in_group;
    for (uint32_t i = g * kGroup; i < (g + 1) * kGroup; ++i) At(i) += other.At(i);
  }
  Touch(other.lo_);
  Touch(other.hi_);
  min_ns_ = total_ == 0 ? other.min_ns_ : std::min(min_ns_, other.min_ns_);
  max_ns_ = total_ == 0 ? other.max_ns_ : std::max(max_ns_, other.max_ns_);
  total_ += other.total_;
  sum_ns_ += other.sum_ns_;
}

void LatencyHistogram::Clear() noexcept {
  if (total_ == 0) return;
  ZeroSpan();
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

uint64_t LatencyHistogram::Rank(double q, uint64_t count) noexcept {
  q = std::clamp(q, 0.0, 1.0);
  // The nearest-rank definition: the smallest value with at least q * count values at or below.
  const auto rank = static_cast<uint64_t>(std::ceil(q * static_cast<double>(count)));
  return std::clamp<uint64_t>(rank, 1, count);
}

int64_t LatencyHistogram::ValueAtQuantileNs(double q) const noexcept {
  if (total_ == 0) return 0;
  const uint64_t rank = Rank(q, total_);
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

void LatencyHistogram::Summarize(std::span<const double> quantiles, SparseSpan minus,
                                 double minus_sum_ns, int64_t min_ns, int64_t max_ns,
                                 QuantileSummary* out) const {
  QuantileSummary& s = *out;
  s.values_ns.assign(quantiles.size(), 0);
  s.count = 0;
  s.sum_ns = 0;
  s.min_ns = s.max_ns = 0;
  if (total_ == 0) return;
  // What SubtractSparse would take from each bucket: at most what the bucket holds.
  uint64_t removed = 0;
  for (const auto& [index, count] : minus) {
    if (index >= lo_ && index <= hi_) removed += std::min(count, At(index));
  }
  if (removed >= total_) return;
  s.count = total_ - removed;
  s.sum_ns = std::max(0.0, sum_ns_ - minus_sum_ns);
  s.min_ns = min_ns <= max_ns ? min_ns : min_ns_;
  s.max_ns = min_ns <= max_ns ? max_ns : max_ns_;
  // The quantiles by rank, ascending, so that one walk answers them all.
  constexpr std::size_t kMaxOrdered = 16;
  std::array<std::pair<uint64_t, std::size_t>, kMaxOrdered> order{};
  std::size_t pending = 0;
  for (std::size_t k = 0; k < quantiles.size(); ++k) {
    const uint64_t rank = Rank(quantiles[k], s.count);
    if (rank == 1) {
      s.values_ns[k] = s.min_ns;
    } else if (rank == s.count) {
      s.values_ns[k] = s.max_ns;
    } else if (pending < kMaxOrdered) {
      order[pending++] = {rank, k};
    } else {
      s.values_ns[k] = s.max_ns;  // never: the callers ask for a handful
    }
  }
  std::sort(order.begin(), order.begin() + static_cast<std::ptrdiff_t>(pending));
  // Power of two by power of two: one whose counts (less what `minus` takes from it) do not
  // reach the next rank is passed over whole; in one that does, the buckets are walked until
  // the ranks it holds are found.
  std::size_t next = 0;
  auto m = minus.begin();
  uint64_t seen = 0;
  for (uint32_t g = lo_ / kGroup; g <= hi_ / kGroup && next < pending; ++g) {
    const uint32_t first = std::max(g * kGroup, lo_);
    const uint32_t last = std::min(g * kGroup + kGroup - 1, hi_);
    while (m != minus.end() && m->first < first) ++m;
    auto after = m;
    uint64_t in_group = GroupOf(first);
    for (; after != minus.end() && after->first <= last; ++after) {
      in_group -= std::min(after->second, At(after->first));
    }
    const uint64_t group_end = seen + in_group;
    if (group_end < order[next].first) {
      seen = group_end;
      m = after;
      continue;
    }
    for (uint32_t i = first; i <= last; ++i) {
      uint64_t n = At(i);
      if (m != after && m->first == i) n -= std::min(m->second, n);
      while (m != after && m->first <= i) ++m;
      seen += n;
      if (seen < order[next].first) continue;
      const int64_t value = std::clamp(BucketMidpointNs(i), s.min_ns, s.max_ns);
      for (; next < pending && seen >= order[next].first; ++next) {
        s.values_ns[order[next].second] = value;
      }
      if (next == pending || group_end < order[next].first) break;  // the rest is elsewhere
    }
    seen = group_end;
    m = after;
  }
  for (; next < pending; ++next) s.values_ns[order[next].second] = s.max_ns;
}

SparseCounts LatencyHistogram::ToSparse() const {
  SparseCounts sparse;
  AppendSparse(&sparse);
  return sparse;
}

void LatencyHistogram::AppendSparse(SparseCounts* out) const {
  if (total_ == 0) return;
  for (uint32_t g = lo_ / kGroup; g <= hi_ / kGroup; ++g) {
    if (GroupOf(g * kGroup) == 0) continue;  // nothing counted in this power of two
    const uint32_t last = std::min(g * kGroup + kGroup - 1, hi_);
    for (uint32_t i = std::max(g * kGroup, lo_); i <= last; ++i) {
      if (At(i) != 0) out->emplace_back(i, At(i));
    }
  }
}

void LatencyHistogram::MergeSparse(SparseSpan sparse, int64_t min_ns, int64_t max_ns,
                                   double sum_ns) {
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
    GroupOf(index) += count;
    Touch(index);
    added += count;
  }
  if (added == 0) return;
  min_ns_ = total_ == 0 ? min_ns : std::min(min_ns_, min_ns);
  max_ns_ = total_ == 0 ? max_ns : std::max(max_ns_, max_ns);
  total_ += added;
  sum_ns_ += sum_ns;
}

void LatencyHistogram::SubtractSparse(SparseSpan sparse, double sum_ns) {
  if (total_ == 0) return;
  uint64_t removed = 0;
  for (const auto& [index, count] : sparse) {
    if (index < lo_ || index > hi_) continue;  // never merged here
    const uint64_t n = std::min(count, At(index));
    At(index) -= n;
    GroupOf(index) -= n;
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

std::shared_ptr<const BucketCounts::Bounds> BucketCounts::Shared(std::vector<double> seconds) {
  std::sort(seconds.begin(), seconds.end());
  seconds.erase(std::unique(seconds.begin(), seconds.end()), seconds.end());
  // One Bounds per distinct list in the process, while any instance holds it: every target's
  // intervals then read the same few cache lines to place a value (Record) and compare bounds by
  // pointer (Merge), where each held its own copy, cold at a thousand targets, and a merge
  // compared them value by value. Never destroyed: instances may outlive other statics.
  static auto* const mu = new std::mutex;
  static auto* const known = new std::map<std::vector<double>, std::weak_ptr<const Bounds>>;
  std::lock_guard lock(*mu);
  if (const auto it = known->find(seconds); it != known->end()) {
    if (std::shared_ptr<const Bounds> bounds = it->second.lock()) return bounds;
  }
  std::erase_if(*known, [](const auto& entry) { return entry.second.expired(); });
  auto bounds = std::make_shared<Bounds>();
  bounds->seconds = seconds;
  bounds->ns.reserve(seconds.size());
  for (double b : seconds) bounds->ns.push_back(std::llround(b * 1e9));
  (*known)[std::move(seconds)] = bounds;
  return bounds;
}

BucketCounts::BucketCounts(std::vector<double> upper_bounds_seconds) {
  if (upper_bounds_seconds.empty()) {
    // Unconfigured instances (default-constructed intervals) share one empty set of bounds.
    static const auto kNone = std::make_shared<const Bounds>();
    bounds_ = kNone;
  } else {
    bounds_ = Shared(std::move(upper_bounds_seconds));
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

SparseCounts BucketCounts::ToSparse() const {
  SparseCounts sparse;
  AppendSparse(&sparse);
  return sparse;
}

void BucketCounts::AppendSparse(SparseCounts* out) const {
  for (std::size_t i = 0; i < counts_.size(); ++i) {
    if (counts_[i] != 0) out->emplace_back(static_cast<uint32_t>(i), counts_[i]);
  }
}

void BucketCounts::MergeSparse(SparseSpan sparse, double sum_seconds) noexcept {
  for (const auto& [index, count] : sparse) {
    // Same bounds by construction; an index beyond them is counted in +Inf, never dropped.
    counts_[std::min<std::size_t>(index, counts_.size() - 1)] += count;
  }
  sum_seconds_ += sum_seconds;
}

void BucketCounts::SubtractSparse(SparseSpan sparse, double sum_seconds) noexcept {
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
