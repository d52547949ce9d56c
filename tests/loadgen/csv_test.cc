#include "loadgen/csv.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <thread>
#include <vector>

#include "tests/support/temp_dir.h"

namespace loadgen {
namespace {

namespace fs = std::filesystem;
using std::chrono::microseconds;
using std::chrono::milliseconds;

class CsvTest : public ::testing::Test {
 protected:
  const infercost::test::TempDir dir_{
      std::string("csv_test_") + ::testing::UnitTest::GetInstance()->current_test_info()->name()};

  static std::vector<std::string> Lines(const fs::path& path) {
    std::ifstream in(path);
    std::vector<std::string> lines;
    for (std::string line; std::getline(in, line);) lines.push_back(line);
    return lines;
  }
};

// Every field of a row, empty ones included.
std::vector<std::string> Fields(const std::string& line) {
  std::vector<std::string> fields(1);
  for (char c : line) {
    if (c == ',') {
      fields.emplace_back();
    } else {
      fields.back() += c;
    }
  }
  return fields;
}

RequestRecord Record(Clock::time_point t) {
  RequestRecord r;
  r.scheduled_at = t;
  r.sent_at = t + microseconds(250);
  r.done_at = t + std::chrono::nanoseconds(12'345'678);
  r.outcome = Outcome::kThrottled;
  r.http_status = 429;
  r.bytes_sent = 1234;
  r.bytes_received = 56;
  r.cold_start = true;
  r.billed_duration = std::chrono::nanoseconds(11'200'000);  // rounded up to 12
  return r;
}

TEST_F(CsvTest, WritesHeaderAndOneRowPerRequestAndDrop) {
  const fs::path path = dir_ / "out.csv";
  const Clock::time_point t = Clock::now();
  {
    CsvRecorder csv(path.string(), "lambda-1024");
    ASSERT_TRUE(csv.ok()) << csv.error();
    csv.OnRequestDone(Record(t));
    RequestRecord plain = Record(t);
    plain.billed_duration.reset();
    plain.cold_start = false;
    plain.outcome = Outcome::kOk;
    plain.http_status = 200;
    csv.OnRequestDone(plain);
    csv.OnDropped(t);
    EXPECT_TRUE(csv.Close());
  }
  const auto lines = Lines(path);
  ASSERT_EQ(lines.size(), 4u);
  EXPECT_EQ(lines[0],
            "target,scheduled_unix_ns,sent_unix_ns,latency_ms,schedule_lag_ms,status,outcome,"
            "bytes_sent,bytes_received,cold_start,billed_ms,init_duration_ms,max_memory_used_mb");
  const std::vector<std::string> fields = Fields(lines[1]);
  ASSERT_EQ(fields.size(), 13u);
  EXPECT_EQ(fields[0], "lambda-1024");
  const int64_t scheduled = std::stoll(fields[1]);
  const int64_t sent = std::stoll(fields[2]);
  EXPECT_EQ(sent - scheduled, 250'000);
  // Unix time within a day of now, not steady-clock time.
  const int64_t unix_now = std::chrono::duration_cast<std::chrono::nanoseconds>(
                               std::chrono::system_clock::now().time_since_epoch())
                               .count();
  EXPECT_LT(std::abs(unix_now - scheduled), int64_t{86'400} * 1'000'000'000);
  EXPECT_EQ(fields[3], "12.346");
  EXPECT_EQ(fields[4], "0.250");
  EXPECT_EQ(fields[5], "429");
  EXPECT_EQ(fields[6], "throttled");
  EXPECT_EQ(fields[7], "1234");
  EXPECT_EQ(fields[8], "56");
  EXPECT_EQ(fields[9], "1");
  EXPECT_EQ(fields[10], "12");
  EXPECT_EQ(fields[11], "");  // no REPORT line: neither init duration nor memory is known
  EXPECT_EQ(fields[12], "");
  EXPECT_TRUE(lines[2].ends_with(",200,ok,1234,56,0,,,")) << lines[2];
  EXPECT_TRUE(lines[3].ends_with(",,,,0,dropped,0,0,0,,,")) << lines[3];
  EXPECT_EQ(Fields(lines[3]).size(), 13u);
}

// Lambda's REPORT line fills the last columns; its billed duration is the one written.
TEST_F(CsvTest, LambdaReportColumns) {
  const fs::path path = dir_ / "lambda.csv";
  const Clock::time_point t = Clock::now();
  {
    CsvRecorder csv(path.string(), "lambda");
    RequestRecord cold = Record(t);
    cold.outcome = Outcome::kFunctionError;
    cold.http_status = 200;
    cold.report = LambdaReport{.duration = milliseconds(12),
                               .billed_duration = milliseconds(13),
                               .memory_size_mb = 1024,
                               .max_memory_used_mb = 70,
                               .init_duration = microseconds(200'123)};
    cold.billed_duration = cold.report->billed_duration;
    csv.OnRequestDone(cold);
    RequestRecord warm = cold;
    warm.outcome = Outcome::kOk;
    warm.report->init_duration.reset();
    warm.report->max_memory_used_mb = 71;
    csv.OnRequestDone(warm);
  }
  const auto lines = Lines(path);
  ASSERT_EQ(lines.size(), 3u);
  EXPECT_TRUE(lines[1].ends_with(",200,function_error,1234,56,1,13,200.123,70")) << lines[1];
  EXPECT_TRUE(lines[2].ends_with(",200,ok,1234,56,1,13,,71")) << lines[2];
}

TEST_F(CsvTest, SharedFileFromSeveralThreadsKeepsWholeRows) {
  const fs::path path = dir_ / "shared.csv";
  std::string error;
  auto file = CsvFile::Open(path.string(), &error);
  ASSERT_NE(file, nullptr) << error;
  constexpr int kThreads = 4;
  constexpr int kRows = 20'000;
  {
    std::vector<std::jthread> threads;
    for (int i = 0; i < kThreads; ++i) {
      threads.emplace_back([&file, i] {
        CsvRecorder csv(file, "shard" + std::to_string(i));
        const Clock::time_point t = Clock::now();
        for (int r = 0; r < kRows; ++r) csv.OnRequestDone(Record(t));
        EXPECT_TRUE(csv.Close());
      });
    }
  }
  ASSERT_TRUE(file->Close()) << file->error();
  const auto lines = Lines(path);
  ASSERT_EQ(lines.size(), 1u + kThreads * kRows);
  for (std::size_t i = 1; i < lines.size(); ++i) {
    ASSERT_TRUE(lines[i].starts_with("shard") && lines[i].ends_with(",throttled,1234,56,1,12,,"))
        << lines[i];
  }
}

TEST_F(CsvTest, UnwritablePathIsReported) {
  CsvRecorder csv((dir_ / "no" / "such" / "dir.csv").string(), "t");
  EXPECT_FALSE(csv.ok());
  EXPECT_NE(csv.error().find("cannot write CSV file"), std::string::npos) << csv.error();
  csv.OnRequestDone(Record(Clock::now()));  // harmless
  EXPECT_FALSE(csv.Close());
}

// Issue 15 finding 8: `csv: /dev/full` lost every row silently (and a full disk lost rows with
// no log, no metric, exit 0). The file is refused at once; write errors are counted.
TEST_F(CsvTest, DevFullIsRefusedAtOpen) {
  std::string error;
  EXPECT_EQ(CsvFile::Open("/dev/full", &error), nullptr);
  EXPECT_EQ(error, "error writing CSV file /dev/full: No space left on device");
  CsvRecorder recorder("/dev/full", "t");
  EXPECT_FALSE(recorder.ok());
}

TEST_F(CsvTest, WriteErrorsOfAFullDiskAreCounted) {
  std::string error;
  std::shared_ptr<CsvFile> file = CsvFile::Open((dir_ / "full.csv").string(), &error);
  ASSERT_NE(file, nullptr) << error;
  CsvRecorder recorder(file, "t");
  EXPECT_EQ(recorder.write_errors(), 0u);
  // What a full disk does to the next write: the file refuses it.
  file->Close();
  recorder.OnRequestDone(Record(Clock::now()));
  EXPECT_FALSE(recorder.Flush());
  EXPECT_EQ(recorder.write_errors(), 1u);
  recorder.OnRequestDone(Record(Clock::now()));
  EXPECT_FALSE(recorder.Flush());
  EXPECT_EQ(recorder.write_errors(), 2u);
  EXPECT_NE(recorder.file_error().find("already closed"), std::string::npos)
      << recorder.file_error();
}

TEST_F(CsvTest, TargetNamesAreQuotedWhenNeeded) {
  const fs::path path = dir_ / "q.csv";
  {
    CsvRecorder csv(path.string(), "a,\"b\"");
    csv.OnDropped(Clock::now());
  }
  const auto lines = Lines(path);
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_TRUE(lines[1].starts_with("\"a,\"\"b\"\"\",")) << lines[1];
}

}  // namespace
}  // namespace loadgen
