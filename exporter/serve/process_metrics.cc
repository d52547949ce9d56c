#include "serve/process_metrics.h"

#include <dirent.h>
#include <poll.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <ctime>
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

double CountOpenFdsByPoll() {
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

double CountOpenFds() {
  // Since Linux 6.2 the size stat(2) gives /proc/self/fd is the number of open descriptors,
  // counted from the descriptor table's bitmap: microseconds, where the poll still asks every
  // socket of a thousand targets for its state (about a millisecond, on each scrape). Older
  // kernels report 0 (a process always has a descriptor open when it serves a scrape).
  struct stat fd_dir {};
  if (stat("/proc/self/fd", &fd_dir) == 0 && fd_dir.st_size > 0) {
    return static_cast<double>(fd_dir.st_size);
  }
  return CountOpenFdsByPoll();
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

// The process's start, as Unix time, from /proc/self/stat's starttime (field 22, clock ticks
// after boot) and the boot time; nullopt when /proc is not readable. Read once: it never changes,
// and /proc/self/stat walks every thread of the process on each read (see ReadProcessSample).
std::optional<double> ReadStartTimeSeconds() {
  std::ifstream stat_file("/proc/self/stat");
  std::string stat;
  if (!std::getline(stat_file, stat)) return std::nullopt;
  // Fields after the command name, which is in parentheses and may contain spaces.
  const std::size_t close = stat.rfind(')');
  if (close == std::string::npos) return std::nullopt;
  std::istringstream fields(stat.substr(close + 2));
  std::string field;
  // The first field after the name is field 3 (state); starttime is field 22.
  for (int number = 3; number <= 22; ++number) {
    if (!(fields >> field)) return std::nullopt;
  }
  const double ticks = static_cast<double>(sysconf(_SC_CLK_TCK));
  return BootTimeSeconds() + std::stod(field) / ticks;
}

// Threads of this process: the kernel gives /proc/self/task a link count of 2 plus the number
// of threads, without visiting them. 0 when it cannot be read.
double CountThreads() {
  struct stat task_dir {};
  if (stat("/proc/self/task", &task_dir) != 0 || task_dir.st_nlink < 3) return 0;
  return static_cast<double>(task_dir.st_nlink - 2);
}

}  // namespace

std::optional<ProcessSample> ReadProcessSample() {
  // Each figure from the cheapest source that gives it exactly. With the HTTP server's thousand
  // and more workers, /proc/self/stat (two walks over every thread, for the fault counts and the
  // CPU times) took half a millisecond of each scrape; now the CPU time alone walks them, once.
  static const std::optional<double> start_time = ReadStartTimeSeconds();
  if (!start_time) return std::nullopt;
  // statm: total and resident pages, the same counters /proc/self/stat reports.
  double size_pages = 0;
  double resident_pages = 0;
  {
    std::ifstream statm("/proc/self/statm");  // closed before the descriptors are counted
    if (!(statm >> size_pages >> resident_pages)) return std::nullopt;
  }
  const double page = static_cast<double>(sysconf(_SC_PAGESIZE));
  ProcessSample sample;
  sample.cpu_seconds = ProcessCpuSeconds();
  sample.threads = CountThreads();
  sample.start_time_seconds = *start_time;
  sample.virtual_memory_bytes = size_pages * page;
  sample.resident_memory_bytes = resident_pages * page;
  sample.open_fds = CountOpenFds();
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) == 0) sample.max_fds = static_cast<double>(limit.rlim_cur);
  return sample;
}

double ProcessCpuSeconds() {
  // User + system time of every thread, live or ended: what getrusage(RUSAGE_SELF) adds up too,
  // in one walk over the threads where getrusage takes two.
  timespec cpu{};
  if (clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &cpu) != 0) return 0;
  return static_cast<double>(cpu.tv_sec) + static_cast<double>(cpu.tv_nsec) / 1e9;
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
