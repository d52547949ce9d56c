// The process_* figures: open descriptors counted by one poll(2) agree with /proc/self/fd.
#include "serve/process_metrics.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <array>
#include <filesystem>
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

TEST(ProcessMetrics, OpenDescriptorsAsProcListsThem) {
  const double before = CountOpenFds();
  EXPECT_EQ(before, ListedInProc());
  // Descriptors above the lowest free ones, and a gap where one closes.
  std::vector<std::array<int, 2>> pipes(300);
  for (auto& p : pipes) ASSERT_EQ(pipe(p.data()), 0);
  EXPECT_EQ(CountOpenFds(), before + 600);
  close(pipes[10][0]);
  EXPECT_EQ(CountOpenFds(), before + 599);
  EXPECT_EQ(CountOpenFds(), ListedInProc());
  for (std::size_t i = 0; i < pipes.size(); ++i) {
    if (i != 10) close(pipes[i][0]);
    close(pipes[i][1]);
  }
  EXPECT_EQ(CountOpenFds(), before);
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

}  // namespace
}  // namespace infercost
