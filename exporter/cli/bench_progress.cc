// bench's progress line. See bench_progress.h.
#include "cli/bench_progress.h"

#include <cstdio>

namespace infercost {

loadgen::StatsOptions BenchStatsOptions() {
  loadgen::StatsOptions options;
  options.window = std::chrono::seconds(5);
  // Below the engine's tick, so that every tick publishes.
  options.publish_interval = std::chrono::milliseconds(100);
  // One bucket: the summary needs only the count and sum of AWS's billed durations.
  options.billed_duration_bounds_seconds = {1.0};
  return options;
}

std::string ProgressLine(const loadgen::StatsSnapshot& s, std::chrono::nanoseconds elapsed) {
  using std::chrono::duration;
  const double span = duration<double>(s.window_span).count();
  const double ips = span > 0 ? static_cast<double>(s.window.Ok()) / span : 0.0;
  const double p95_ms = static_cast<double>(s.window.latency.ValueAtQuantileNs(0.95)) / 1e6;
  char line[160];
  std::snprintf(
      line, sizeof line, "%6.1fs  requests %llu  IPS %.1f  p95 %.2f ms  errors %llu  in flight %d",
      duration<double>(elapsed).count(), static_cast<unsigned long long>(s.total.Requests()), ips,
      p95_ms, static_cast<unsigned long long>(s.total.Failed()), s.in_flight);
  return line;
}

}  // namespace infercost
