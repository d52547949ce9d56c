#include "loadgen/schedule.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace loadgen {
namespace {

using std::chrono::nanoseconds;

constexpr nanoseconds kForever = nanoseconds::max();

// Nanoseconds as a double, saturated to [0, kForever]: every conversion back from floating point
// goes through here, so no rate or offset, however extreme, can overflow (llround of a value
// beyond int64 is undefined).
nanoseconds Saturated(double ns) {
  if (!(ns > 0)) return nanoseconds(0);
  if (ns >= 9.2e18) return kForever;
  return nanoseconds(std::llround(ns));
}

nanoseconds SaturatingAdd(nanoseconds a, nanoseconds b) {
  return b > kForever - a ? kForever : a + b;
}

// Offset of the k-th arrival of a constant-rate stage on the stage's own clock (the time spent in
// that stage over all cycles so far): (k + phase) / rate. Computed from k rather than by adding a
// rounded period, so that rounding never accumulates: any span of the stage holds exactly
// rate * span arrivals, give or take one, however the span is cut into cycles.
nanoseconds GridOffset(int64_t k, double rate, double phase) {
  return Saturated((static_cast<double>(k) + phase) * 1e9 / rate);
}

// The smallest k with GridOffset(k) >= offset; the estimate is off by at most a step or two, so
// the corrections are bounded (and a saturated grid stops them).
int64_t FirstGridIndexAtOrAfter(nanoseconds offset, double rate, double phase) {
  if (offset.count() <= 0) return 0;
  const double estimate = std::ceil(static_cast<double>(offset.count()) * rate / 1e9 - phase);
  auto k = static_cast<int64_t>(std::clamp(estimate, 0.0, 9.0e18));
  while (k > 0 && GridOffset(k - 1, rate, phase) >= offset) --k;
  while (GridOffset(k, rate, phase) < offset && GridOffset(k, rate, phase) != kForever) ++k;
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
    cycle_ = SaturatingAdd(cycle_, stage.duration);  // a cycle beyond ~292 years never repeats
  }
}

Schedule::Position Schedule::At(nanoseconds offset) const {
  Position position;
  if (plan_.stages.empty() || offset.count() < 0) return position;
  nanoseconds base(0);
  int64_t cycles = 0;
  if (cycle_ != kForever) {
    if (offset >= cycle_) {
      if (!plan_.repeat) return position;  // ended
      cycles = offset / cycle_;
      base = cycle_ * cycles;
    }
  }
  nanoseconds start = base;
  for (std::size_t i = 0; i < plan_.stages.size(); ++i) {
    const Stage& stage = plan_.stages[i];
    const nanoseconds end =
        stage.duration.count() <= 0 ? kForever : SaturatingAdd(start, stage.duration);
    if (offset < end) {
      position.stage_index = static_cast<int>(i);
      position.stage_start = start;
      position.stage_end = end;
      position.cycle = cycles;
      return position;
    }
    start = end;
  }
  return position;
}

bool Schedule::Ended(nanoseconds offset) const { return At(offset).stage_index < 0; }

std::optional<nanoseconds> Schedule::ConstantArrival(const Position& position, nanoseconds t,
                                                     bool* later_visit) const {
  // The grid runs on the stage's own clock across cycles: a stage entered again continues where
  // its last visit left off, so a short stage at a low rate does not fire at every start
  // ([{1s, rate: 0.1}, {1s, idle}] sends one request per 10 s of the rate stage).
  const Stage& stage = plan_.stages[static_cast<std::size_t>(position.stage_index)];
  const nanoseconds earlier = stage.duration * position.cycle;
  const double phase = UsablePhase(plan_.phase);
  const int64_t k =
      FirstGridIndexAtOrAfter(earlier + (t - position.stage_start), stage.rate, phase);
  nanoseconds grid = GridOffset(k, stage.rate, phase);
  if (grid != kForever && last_arrival_.has_value() &&
      position.stage_start + (grid - earlier) <= *last_arrival_) {
    grid = GridOffset(k + 1, stage.rate, phase);
  }
  if (grid == kForever) return std::nullopt;
  *later_visit = position.stage_end != kForever && grid - earlier >= stage.duration;
  if (!*later_visit) return position.stage_start + (grid - earlier);
  // Due in a later visit of this stage: that visit's start plus the grid's place in it.
  if (!plan_.repeat || cycle_ == kForever) return std::nullopt;
  const int64_t visits_ahead = grid / stage.duration - position.cycle;
  const nanoseconds into_visit = grid % stage.duration;
  if (visits_ahead > (kForever - position.stage_start - into_visit) / cycle_) return std::nullopt;
  return position.stage_start + cycle_ * visits_ahead + into_visit;
}

std::optional<nanoseconds> Schedule::NextArrival(nanoseconds after) {
  if (last_arrival_.has_value() && after < *last_arrival_) after = *last_arrival_;
  if (after.count() < 0) after = nanoseconds(0);
  // Stages are visited in time order from `after` for a whole cycle: the first arrival inside a
  // visit is the next one. A constant stage whose next grid point falls in a later visit of its
  // own (one cycle or more ahead) offers that as a fallback, taken when no visit has an arrival.
  std::optional<nanoseconds> fallback;
  std::size_t visited = 0;
  nanoseconds t = after;
  while (visited <= plan_.stages.size()) {
    const Position position = At(t);
    if (position.stage_index < 0) break;
    const Stage& stage = plan_.stages[static_cast<std::size_t>(position.stage_index)];
    std::optional<nanoseconds> candidate;
    if (HasArrivals(stage) && stage.arrival == Arrival::kConstant) {
      bool later_visit = false;
      candidate = ConstantArrival(position, t, &later_visit);
      if (candidate && later_visit) {
        fallback = std::min(fallback.value_or(kForever), *candidate);
        candidate.reset();
      }
    } else if (HasArrivals(stage)) {
      // Exponential gaps; memorylessness makes restarting the gap at a stage start (or after a
      // pause) a faithful Poisson process over each stage.
      std::exponential_distribution<double> gap(stage.rate);
      const double gap_ns = gap(rng_) * 1e9;
      const nanoseconds from = std::max(t, position.stage_start);
      if (gap_ns < static_cast<double>((position.stage_end - from).count())) {
        candidate = from + std::max(nanoseconds(1), Saturated(gap_ns));
      }
    }
    if (candidate.has_value() && *candidate < position.stage_end) {
      last_arrival_ = *candidate;
      return candidate;
    }
    if (position.stage_end == kForever) break;  // an endless stage without arrivals
    t = position.stage_end;
    ++visited;
  }
  if (fallback) last_arrival_ = *fallback;
  return fallback;
}

}  // namespace loadgen
