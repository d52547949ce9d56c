// The generator's own cost, under the standard process_* names that node_exporter-era tooling and
// dashboards know. Read at collection time (the start time once). Thread-safe.
#ifndef INFERCOST_SERVE_PROCESS_METRICS_H_
#define INFERCOST_SERVE_PROCESS_METRICS_H_

#include <prometheus/collectable.h>
#include <prometheus/metric_family.h>

#include <optional>

namespace infercost {

struct ProcessSample {
  double cpu_seconds = 0;  // user + system, all threads
  double resident_memory_bytes = 0;
  double virtual_memory_bytes = 0;
  double start_time_seconds = 0;  // Unix time
  double open_fds = 0;
  double max_fds = 0;
  double threads = 0;
};

// Open descriptors of this process: from the kernel's count where it gives one (Linux 6.2 and
// later), otherwise CountOpenFdsByPoll.
double CountOpenFds();
// The same, by one poll(2) over the descriptor table (any kernel; cost grows with the sockets
// open).
double CountOpenFdsByPoll();
// Nullopt when /proc is not readable.
std::optional<ProcessSample> ReadProcessSample();
// User + system CPU seconds of the whole process (CLOCK_PROCESS_CPUTIME_ID): the one figure the
// service needs every tick, without the other reads of a full sample.
double ProcessCpuSeconds();

class ProcessCollector : public prometheus::Collectable {
 public:
  std::vector<prometheus::MetricFamily> Collect() const override;
};

}  // namespace infercost

#endif  // INFERCOST_SERVE_PROCESS_METRICS_H_
