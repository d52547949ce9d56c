#include "loadgen/load.h"

#include <algorithm>

namespace loadgen {
namespace {

// Part `rotated` of `total` split into `count` parts that differ by at most one.
uint64_t Share(uint64_t total, uint64_t count, uint64_t rotated) {
  return total / count + (rotated < total % count ? 1 : 0);
}

// SplitMix64's output for `state`: a bijection, so distinct states give distinct seeds, with every
// input bit spread over the output.
uint64_t Mix(uint64_t state) {
  uint64_t z = state;
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

}  // namespace

LoadPlan SplitPlan(const LoadPlan& plan, int count, int index, std::size_t rotation) {
  if (count <= 1) return plan;
  const auto n = static_cast<uint64_t>(count);
  const auto i = static_cast<uint64_t>(index);
  // This part's place after the rotation that spreads remainders over parts.
  const uint64_t rotated = (i + n - static_cast<uint64_t>(rotation) % n) % n;
  LoadPlan part = plan;
  for (Stage& stage : part.stages) {
    if (stage.kind == Stage::Kind::kClosed) {
      stage.concurrency = static_cast<int>(
          Share(static_cast<uint64_t>(std::max(stage.concurrency, 0)), n, rotated));
      if (stage.concurrency == 0) stage.kind = Stage::Kind::kIdle;
    } else if (stage.kind == Stage::Kind::kOpen) {
      stage.rate /= static_cast<double>(count);
    }
  }
  if (plan.max_requests.has_value()) part.max_requests = Share(*plan.max_requests, n, rotated);
  if (plan.max_in_flight > 0) part.max_in_flight = (plan.max_in_flight + count - 1) / count;
  // The golden-ratio step walks SplitMix64's state; the finalizer mixes it.
  part.seed = Mix(plan.seed + i * 0x9E3779B97F4A7C15ULL);
  part.phase = (UsablePhase(plan.phase) + static_cast<double>(i)) / static_cast<double>(count);
  return part;
}

double PhaseOf(uint64_t seed) {
  // The top 53 bits: every double in [0, 1) they give is exact, and 1 is out of reach.
  return static_cast<double>(Mix(seed) >> 11) * 0x1.0p-53;
}

}  // namespace loadgen
