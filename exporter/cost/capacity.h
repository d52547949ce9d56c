// The capacity basis: the highest IPS a target sustains while healthy, learned from trustworthy
// windows only. Pure: no clock (the caller says which windows to feed). Thread contract: a plain
// value with one owner, not synchronised.
#ifndef INFERCOST_COST_CAPACITY_H_
#define INFERCOST_COST_CAPACITY_H_

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace infercost {

// What the schedule offered over a window: a closed loop's concurrency or an open loop's rate.
struct OfferedLoad {
  enum class Kind { kUnknown, kClosed, kOpen };
  Kind kind = Kind::kUnknown;
  double value = 0;  // concurrency (closed) or arrivals per second (open)
};

// One full window, as the tracker judges it.
struct CapacityWindow {
  using Seconds = std::chrono::duration<double>;
  double ips = 0;          // successful inferences per second
  double error_ratio = 0;  // failed / finished
  std::optional<Seconds> p95;
  std::optional<Seconds> slo_p95;
  // The generator kept its schedule and was not CPU-bound: the window measured the target.
  bool generator_kept_up = true;
  // Open-loop arrivals dropped at the in-flight cap: the target could not keep up. Such a window
  // cannot raise capacity, but it is evidence of a drop.
  uint64_t dropped = 0;
  OfferedLoad offered;  // the same stage throughout the window; kUnknown when not
};

// Capacity is the median of the top three counted windows (fewer: the lowest of them), so that
// one lucky window cannot set it. A window counts when the generator kept up, nothing was dropped,
// errors stayed under 1 %, p95 within the SLO (when one is set), and in open loop the achieved
// IPS did not exceed the offered rate by more than 1 % (a catch-up burst after a stall); an
// open-loop window counts at most at its offered rate, the most it can show.
// It is re-learned downward by a reset on a sustained drop: two windows in a row, at the same kind
// of load and no less of it than the capacity was measured at, whose IPS is under 80 % of
// capacity (a burstable instance out of credits, a degraded backend). The two drop windows then
// become the only samples. Feed disjoint windows: overlapping ones are one window counted twice.
class CapacityTracker {
 public:
  static constexpr double kMaxErrorRatio = 0.01;
  static constexpr double kOpenLoopOvershoot = 0.01;  // open loop: achieved <= offered x 1.01
  static constexpr double kDropRatio = 0.8;           // a window under 80 % of capacity...
  static constexpr int kDropWindows = 2;              // ...twice in a row: re-learn
  static constexpr std::size_t kTopWindows = 3;
  using Seconds = CapacityWindow::Seconds;

  // Feeds one full window; returns whether it counted. reason() says why not.
  bool Observe(const CapacityWindow& window);
  // The closed-loop shorthand of the above (the generator kept up, nothing dropped).
  bool Observe(double ips, double error_ratio, std::optional<Seconds> p95,
               std::optional<Seconds> slo_p95);

  bool has_value() const { return !top_.empty(); }
  // The capacity; 0 while has_value() is false (Usage::capacity_ips's convention).
  double ips() const;
  void Reset();

  // How it was derived, for the page and /api/v1/targets.
  struct Sample {
    double ips = 0;
    OfferedLoad offered;
  };
  const std::vector<Sample>& top() const { return top_; }  // highest first, at most kTopWindows
  uint64_t windows_counted() const { return counted_; }
  uint64_t windows_rejected() const { return rejected_; }
  uint64_t relearned_down() const { return resets_; }
  const std::string& last_rejected_reason() const { return reason_; }
  // "median of the top 3 of 7 counted windows", "the lower of 2 counted windows", ...
  std::string Method() const;

 private:
  bool Reject(std::string reason);
  bool IsDrop(const CapacityWindow& w, double counted_ips) const;
  void Insert(Sample s);

  std::vector<Sample> top_;
  std::vector<Sample> drops_;  // the current run of drop windows
  uint64_t counted_ = 0;
  uint64_t rejected_ = 0;
  uint64_t resets_ = 0;
  std::string reason_;
};

}  // namespace infercost

#endif  // INFERCOST_COST_CAPACITY_H_
