// The capacity tracker: which windows count, the median of the top three, the reset on a drop.
// docs/cost-model.md explains the choices.
#include "cost/capacity.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace infercost {
namespace {

std::string Percent(double ratio) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f %%", ratio * 100);
  return buf;
}

std::string Ips(double ips) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f IPS", ips);
  return buf;
}

}  // namespace

double CapacityTracker::ips() const {
  if (top_.empty()) return 0;
  // Highest first: the median of three is the middle one; of fewer, the lowest.
  return top_.size() >= kTopWindows ? top_[kTopWindows / 2].ips : top_.back().ips;
}

void CapacityTracker::Reset() { *this = CapacityTracker(); }

bool CapacityTracker::Reject(std::string reason) {
  ++rejected_;
  reason_ = std::move(reason);
  return false;
}

// A window at no less load (same kind) than the capacity's own, served well under it.
bool CapacityTracker::IsDrop(const CapacityWindow& w, double counted_ips) const {
  if (top_.empty() || !w.generator_kept_up) return false;
  const std::size_t ref = top_.size() >= kTopWindows ? kTopWindows / 2 : top_.size() - 1;
  const OfferedLoad& at = top_[ref].offered;
  if (at.kind == OfferedLoad::Kind::kUnknown || w.offered.kind != at.kind) return false;
  if (w.offered.value < at.value) return false;
  return counted_ips < kDropRatio * ips();
}

void CapacityTracker::Insert(Sample s) {
  auto pos = std::find_if(top_.begin(), top_.end(), [&](const Sample& t) { return s.ips > t.ips; });
  top_.insert(pos, s);
  if (top_.size() > kTopWindows) top_.resize(kTopWindows);
}

bool CapacityTracker::Observe(const CapacityWindow& w) {
  if (!std::isfinite(w.ips) || w.ips <= 0) {
    drops_.clear();
    return Reject("no successful inferences in the window");
  }
  if (!std::isfinite(w.error_ratio) || w.error_ratio < 0 || w.error_ratio >= kMaxErrorRatio) {
    drops_.clear();
    return Reject("errors " + (std::isfinite(w.error_ratio) ? Percent(w.error_ratio) : "n/a") +
                  " (must stay under 1 %)");
  }
  const bool open = w.offered.kind == OfferedLoad::Kind::kOpen;
  // An open loop cannot show more than it offers: the surplus is a catch-up after a stall.
  const double counted_ips = open ? std::min(w.ips, w.offered.value) : w.ips;
  if (IsDrop(w, counted_ips)) {
    drops_.push_back({counted_ips, w.offered});
    if (drops_.size() < static_cast<std::size_t>(kDropWindows)) {
      return Reject(Ips(w.ips) + " is under " + Percent(kDropRatio) + " of capacity at no less " +
                    "load: one more such window re-learns capacity downward");
    }
    top_.clear();
    for (const Sample& s : drops_) Insert(s);
    drops_.clear();
    ++resets_;
    counted_ += kDropWindows;
    return true;
  }
  drops_.clear();
  if (!w.generator_kept_up) return Reject("the window is not valid (the generator fell behind)");
  if (w.dropped > 0) return Reject("arrivals were dropped at the in-flight cap");
  // Written so that a NaN p95 fails the check.
  if (w.slo_p95 && (!w.p95 || !(w.p95->count() <= w.slo_p95->count()))) {
    return Reject("p95 is over the SLO");
  }
  if (open && !(w.ips <= w.offered.value * (1 + kOpenLoopOvershoot))) {
    return Reject(Ips(w.ips) + " is over the offered " + Ips(w.offered.value) +
                  " (a catch-up burst)");
  }
  Insert({counted_ips, w.offered});
  ++counted_;
  return true;
}

bool CapacityTracker::Observe(double ips, double error_ratio, std::optional<Seconds> p95,
                              std::optional<Seconds> slo_p95) {
  CapacityWindow w;
  w.ips = ips;
  w.error_ratio = error_ratio;
  w.p95 = p95;
  w.slo_p95 = slo_p95;
  return Observe(w);
}

std::string CapacityTracker::Method() const {
  std::string out;
  const std::string of = " of " + std::to_string(counted_) + " counted windows";
  if (top_.empty()) {
    out = "not known yet: no window counted";
  } else if (top_.size() == 1) {
    out = "the one counted window";
  } else if (top_.size() < kTopWindows) {
    out = "the lower of the top " + std::to_string(top_.size()) + of;
  } else {
    out = "median of the top " + std::to_string(kTopWindows) + of;
  }
  if (resets_ > 0) {
    out += "; re-learned downward " + std::to_string(resets_) + " time" + (resets_ > 1 ? "s" : "") +
           " after a sustained drop";
  }
  return out;
}

}  // namespace infercost
