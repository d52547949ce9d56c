// The process_* figures: open descriptors, as the kernel counts them and by one poll(2), agree
// with /proc/self/fd; the other figures, read from cheaper sources, with /proc/self/stat.
#include "serve/process_metrics.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <array>
#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

namespace infercost {
namespace {

double ListedInProc() {
  double n = 0;
  for ([[maybe_unused]] const auto& entry : std::filesystem::directory_iterator("/proc/self/fd")) {
    ++n;
  }
  return n - 1;  // the iterator's own descriptor
}

// Both ways of counting (the kernel's figure, on Linux 6.2 and later, and the poll over the
// descriptor table that older kernels need) against the listing.
void ExpectCountsAsProcListsThem(double (*count)()) {
  const double before = count();
  EXPECT_EQ(before, ListedInProc());
  // Descriptors above the lowest free ones, and a gap where one closes.
  std::vector<std::array<int, 2>> pipes(300);
  for (auto& p : pipes) ASSERT_EQ(pipe(p.data()), 0);
  EXPECT_EQ(count(), before + 600);
  close(pipes[10][0]);
  EXPECT_EQ(count(), before + 599);
  EXPECT_EQ(count(), ListedInProc());
  for (std::size_t i = 0; i < pipes.size(); ++i) {
    if (i != 10) close(pipes[i][0]);
    close(pipes[i][1]);
  }
  EXPECT_EQ(count(), before);
}

TEST(ProcessMetrics, OpenDescriptorsAsProcListsThem) { ExpectCountsAsProcListsThem(CountOpenFds); }

TEST(ProcessMetrics, OpenDescriptorsByPollAsProcListsThem) {
  ExpectCountsAsProcListsThem(CountOpenFdsByPoll);
}

TEST(ProcessMetrics, SampleHasEveryFigure) {
  const std::optional<ProcessSample> sample = ReadProcessSample();
  ASSERT_TRUE(sample.has_value());
  EXPECT_GT(sample->resident_memory_bytes, 0);
  EXPECT_GT(sample->threads, 0);
  EXPECT_GT(sample->start_time_seconds, 1.6e9);  // after 2020
  EXPECT_EQ(sample->open_fds, ListedInProc());
  EXPECT_GE(sample->max_fds, sample->open_fds);
}

// /proc/self/stat's fields, after the command name: values[0] is field 3 (state).
std::vector<std::string> StatFields() {
  std::ifstream file("/proc/self/stat");
  std::string line;
  std::getline(file, line);
  std::istringstream fields(line.substr(line.rfind(')') + 2));
  std::vector<std::string> values;
  for (std::string field; fields >> field;) values.push_back(field);
  return values;
}

// The sample reads each figure from a cheaper source than /proc/self/stat (statm, the task
// directory's link count, the process CPU clock): they must say what /proc/self/stat says.
TEST(ProcessMetrics, SampleAgreesWithProcStat) {
  std::atomic<bool> stop{false};
  std::vector<std::thread> threads;
  for (int i = 0; i < 7; ++i) {
    threads.emplace_back([&stop] {
      while (!stop.load()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
    });
  }
  // Some CPU time to compare.
  volatile double sink = 0;
  for (int i = 0; i < 20'000'000; ++i) sink = sink + i * 0.5;
  const std::vector<std::string> before = StatFields();
  const std::optional<ProcessSample> sample = ReadProcessSample();
  const std::vector<std::string> after = StatFields();
  stop.store(true);
  for (std::thread& t : threads) t.join();
  ASSERT_TRUE(sample.has_value());
  ASSERT_GE(before.size(), 22u);
  const double ticks = static_cast<double>(sysconf(_SC_CLK_TCK));
  const double page = static_cast<double>(sysconf(_SC_PAGESIZE));
  auto field = [](const std::vector<std::string>& v, int number) {
    return std::stod(v[static_cast<std::size_t>(number - 3)]);
  };
  // num_threads (20): the test's main thread and its seven.
  EXPECT_EQ(sample->threads, field(before, 20));
  EXPECT_GE(sample->threads, 8);
  // utime + stime (14, 15), in clock ticks: the clock's nanoseconds lie between the two reads,
  // give or take the tick the kernel rounds to.
  const double cpu_before = (field(before, 14) + field(before, 15)) / ticks;
  const double cpu_after = (field(after, 14) + field(after, 15)) / ticks;
  EXPECT_GT(sample->cpu_seconds, 0);
  EXPECT_GE(sample->cpu_seconds, cpu_before - 2 / ticks);
  EXPECT_LE(sample->cpu_seconds, cpu_after + 2 / ticks);
  // vsize (23) in bytes, rss (24) in pages: the same counters; the reads between may move them a
  // little.
  EXPECT_NEAR(sample->virtual_memory_bytes, field(before, 23), 64.0 * 1024 * 1024);
  EXPECT_NEAR(sample->resident_memory_bytes, field(before, 24) * page, 4.0 * 1024 * 1024);
  // starttime (22), after boot: a second of rounding at most from the boot time's.
  std::ifstream stat("/proc/stat");
  double boot = 0;
  for (std::string key; stat >> key;) {
    if (key == "btime") {
      stat >> boot;
      break;
    }
  }
  EXPECT_NEAR(sample->start_time_seconds, boot + field(before, 22) / ticks, 1.0);
}

}  // namespace
}  // namespace infercost
