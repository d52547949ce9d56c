// bench's progress line: what its figures are read from and how it reads. Thread contract: free
// functions, safe from any thread.
#ifndef INFERCOST_CLI_BENCH_PROGRESS_H_
#define INFERCOST_CLI_BENCH_PROGRESS_H_

#include <chrono>
#include <string>

#include "loadgen/stats.h"

namespace infercost {

// How often the progress line is redrawn.
inline constexpr std::chrono::seconds kBenchProgressInterval{1};

// The options of a bench run's TargetStats. The window (5 s) is the progress line's; the summary
// uses the totals. Recorders publish at every worker tick (the engine ticks at least every
// 250 ms): with a publish interval as long as the redraw interval, each line showed the figures
// of the tick before.
loadgen::StatsOptions BenchStatsOptions();

// "  3.0s  requests 120  IPS 40.0  p95 12.50 ms  errors 0  in flight 4": the run so far, IPS
// and p95 over the window.
std::string ProgressLine(const loadgen::StatsSnapshot& snapshot, std::chrono::nanoseconds elapsed);

}  // namespace infercost

#endif  // INFERCOST_CLI_BENCH_PROGRESS_H_
