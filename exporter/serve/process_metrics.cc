#include "serve/process_metrics.h"

#include <dirent.h>
#include <poll.h>
#include <sys/resource.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace infercost {
namespace {

double BootTimeSeconds() {
  std::ifstream stat("/proc/stat");
  std::string key;
  double value = 0;
  while (stat >> key) {
    if (key == "btime") {
      stat >> value;
      return value;
    }
    stat.ignore(1 << 16, '\n');
  }
  return 0;
}

// The size of the process's descriptor table (FDSize in /proc/self/status): every open
// descriptor is below it. 0 when it cannot be read.
std::size_t DescriptorTableSize() {
  std::ifstream status("/proc/self/status");
  std::string key;
  while (status >> key) {
    if (key == "FDSize:") {
      std::size_t size = 0;
      status >> size;
      return size;
    }
    status.ignore(1 << 16, '\n');
  }
  return 0;
}

double CountOpenFdsInProc() {
  DIR* dir = opendir("/proc/self/fd");
  if (dir == nullptr) return 0;
  double n = 0;
  while (dirent* entry = readdir(dir)) {
    if (entry->d_name[0] != '.') ++n;
  }
  closedir(dir);
  return n - 1;  // the directory stream's own descriptor
}

}  // namespace

double CountOpenFds() {
  // One poll(2) over every slot of the descriptor table, without waiting: a closed descriptor
  // answers POLLNVAL. Listing /proc/self/fd instead made the kernel build an entry per
  // descriptor: about a millisecond per scrape with a thousand targets' connections open.
  rlimit limit{};
  const std::size_t table = DescriptorTableSize();
  if (table == 0 || getrlimit(RLIMIT_NOFILE, &limit) != 0) return CountOpenFdsInProc();
  // poll refuses more entries than the soft limit; no descriptor is at or above it, unless the
  // limit was lowered after it was opened (then /proc counts them).
  if (limit.rlim_cur != RLIM_INFINITY && table > limit.rlim_cur) return CountOpenFdsInProc();
  std::vector<pollfd> slots(table);
  for (std::size_t i = 0; i < table; ++i) slots[i] = pollfd{static_cast<int>(i), 0, 0};
  if (poll(slots.data(), slots.size(), 0) < 0) return CountOpenFdsInProc();
  double open = 0;
  for (const pollfd& slot : slots) {
    if ((slot.revents & POLLNVAL) == 0) ++open;
  }
  return open;
}

namespace {

prometheus::MetricFamily Family(const char* name, const char* help, prometheus::MetricType type,
                                double value) {
  prometheus::MetricFamily family;
  family.name = name;
  family.help = help;
  family.type = type;
  prometheus::ClientMetric metric;
  if (type == prometheus::MetricType::Counter) {
    metric.counter.value = value;
  } else {
    metric.gauge.value = value;
  }
  family.metric.push_back(metric);
  return family;
}

}  // namespace

std::optional<ProcessSample> ReadProcessSample() {
  std::ifstream stat_file("/proc/self/stat");
  std::string stat;
  if (!std::getline(stat_file, stat)) return std::nullopt;
  stat_file.close();  // not counted among the process's open descriptors below
  // Fields after the command name, which is in parentheses and may contain spaces.
  const std::size_t close = stat.rfind(')');
  if (close == std::string::npos) return std::nullopt;
  std::istringstream fields(stat.substr(close + 2));
  std::string field;
  std::vector<std::string> values;
  while (fields >> field) values.push_back(field);
  // values[0] is field 3 (state); utime is field 14, stime 15, num_threads 20, starttime 22,
  // vsize 23, rss 24.
  if (values.size() < 22) return std::nullopt;
  const double ticks = static_cast<double>(sysconf(_SC_CLK_TCK));
  const double page = static_cast<double>(sysconf(_SC_PAGESIZE));
  ProcessSample sample;
  sample.cpu_seconds = (std::stod(values[11]) + std::stod(values[12])) / ticks;
  sample.threads = std::stod(values[17]);
  static const double boot_time = BootTimeSeconds();  // fixed: read once, not per scrape
  sample.start_time_seconds = boot_time + std::stod(values[19]) / ticks;
  sample.virtual_memory_bytes = std::stod(values[20]);
  sample.resident_memory_bytes = std::stod(values[21]) * page;
  sample.open_fds = CountOpenFds();
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) == 0) sample.max_fds = static_cast<double>(limit.rlim_cur);
  return sample;
}

double ProcessCpuSeconds() {
  rusage usage{};
  if (getrusage(RUSAGE_SELF, &usage) != 0) {
    return 0;
  }
  auto seconds = [](const timeval& t) {
    return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_usec) / 1e6;
  };
  return seconds(usage.ru_utime) + seconds(usage.ru_stime);
}

std::vector<prometheus::MetricFamily> ProcessCollector::Collect() const {
  const std::optional<ProcessSample> sample = ReadProcessSample();
  if (!sample) return {};
  using prometheus::MetricType;
  return {
      Family("process_cpu_seconds_total", "Total user and system CPU time spent in seconds.",
             MetricType::Counter, sample->cpu_seconds),
      Family("process_resident_memory_bytes", "Resident memory size in bytes.", MetricType::Gauge,
             sample->resident_memory_bytes),
      Family("process_virtual_memory_bytes", "Virtual memory size in bytes.", MetricType::Gauge,
             sample->virtual_memory_bytes),
      Family("process_start_time_seconds", "Start time of the process since unix epoch in seconds.",
             MetricType::Gauge, sample->start_time_seconds),
      Family("process_open_fds", "Number of open file descriptors.", MetricType::Gauge,
             sample->open_fds),
      Family("process_max_fds", "Maximum number of open file descriptors.", MetricType::Gauge,
             sample->max_fds),
      Family("process_threads", "Number of OS threads in the process.", MetricType::Gauge,
             sample->threads),
  };
}

}  // namespace infercost
