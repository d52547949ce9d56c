#include "loadgen/schedule.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace loadgen {
namespace {

using std::chrono::nanoseconds;

constexpr nanoseconds kForever = nanoseconds::max();

// Offset of the k-th arrival of a constant-rate stage from the stage start. Computed from k rather
// than by adding a rounded period, so that rounding never accumulates: any span of the stage holds
// exactly rate * span arrivals, give or take one.
nanoseconds GridOffset(int64_t k, double rate) {
  return nanoseconds(std::llround(static_cast<double>(k) * 1e9 / rate));
}

// The smallest k with GridOffset(k) >= offset.
int64_t FirstGridIndexAtOrAfter(nanoseconds offset, double rate) {
  if (offset.count() <= 0) return 0;
  auto k = static_cast<int64_t>(std::ceil(static_cast<double>(offset.count()) * rate / 1e9));
  while (k > 0 && GridOffset(k - 1, rate) >= offset) --k;
  while (GridOffset(k, rate) < offset) ++k;
  return k;
}

bool HasArrivals(const Stage& stage) {
  return stage.kind == Stage::Kind::kOpen && stage.rate > 0 && std::isfinite(stage.rate);
}

}  // namespace

Schedule::Schedule(LoadPlan plan) : plan_(std::move(plan)), rng_(plan_.seed) {
  // A zero duration means "until the run ends": the plan has no finite cycle from that stage on.
  cycle_ = nanoseconds(0);
  for (const Stage& stage : plan_.stages) {
    if (stage.duration.count() <= 0) {
      cycle_ = kForever;
      break;
    }
    cycle_ += stage.duration;
  }
}

Schedule::Position Schedule::At(nanoseconds offset) const {
  Position position;
  if (plan_.stages.empty() || offset.count() < 0) return position;
  nanoseconds base(0);
  if (cycle_ != kForever) {
    if (offset >= cycle_) {
      if (!plan_.repeat) return position;  // ended
      base = cycle_ * (offset / cycle_);
    }
  }
  nanoseconds start = base;
  for (std::size_t i = 0; i < plan_.stages.size(); ++i) {
    const Stage& stage = plan_.stages[i];
    const nanoseconds end = stage.duration.count() <= 0 ? kForever : start + stage.duration;
    if (offset < end) {
      position.stage_index = static_cast<int>(i);
      position.stage_start = start;
      position.stage_end = end;
      return position;
    }
    start = end;
  }
  return position;
}

bool Schedule::Ended(nanoseconds offset) const { return At(offset).stage_index < 0; }

std::optional<nanoseconds> Schedule::NextArrival(nanoseconds after) {
  if (last_arrival_.has_value() && after < *last_arrival_) after = *last_arrival_;
  if (after.count() < 0) after = nanoseconds(0);
  // Stages visited without finding an arrival; once a whole cycle has been seen there is none.
  std::size_t visited = 0;
  nanoseconds t = after;
  while (visited <= plan_.stages.size()) {
    const Position position = At(t);
    if (position.stage_index < 0) return std::nullopt;
    const Stage& stage = plan_.stages[static_cast<std::size_t>(position.stage_index)];
    if (HasArrivals(stage)) {
      std::optional<nanoseconds> candidate;
      if (stage.arrival == Arrival::kConstant) {
        int64_t k = FirstGridIndexAtOrAfter(t - position.stage_start, stage.rate);
        nanoseconds at = position.stage_start + GridOffset(k, stage.rate);
        if (last_arrival_.has_value() && at <= *last_arrival_) {
          at = position.stage_start + GridOffset(k + 1, stage.rate);
        }
        candidate = at;
      } else {
        // Exponential gaps; memorylessness makes restarting the gap at a stage start (or after a
        // pause) a faithful Poisson process over each stage.
        std::exponential_distribution<double> gap(stage.rate);
        const double gap_ns = gap(rng_) * 1e9;
        const nanoseconds from = std::max(t, position.stage_start);
        if (gap_ns < static_cast<double>((position.stage_end - from).count())) {
          candidate = from + nanoseconds(std::max<int64_t>(1, std::llround(gap_ns)));
        }
      }
      if (candidate.has_value() && *candidate < position.stage_end) {
        last_arrival_ = *candidate;
        return candidate;
      }
    }
    if (position.stage_end == kForever) return std::nullopt;  // an endless stage without arrivals
    t = position.stage_end;
    ++visited;
  }
  return std::nullopt;
}

}  // namespace loadgen
