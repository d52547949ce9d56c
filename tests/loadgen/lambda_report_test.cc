#include "loadgen/lambda_report.h"

#include <gtest/gtest.h>

#include <optional>
#include <string>

namespace loadgen {
namespace {

using namespace std::string_literals;
using std::chrono::milliseconds;
using std::chrono::nanoseconds;

constexpr std::string_view kId = "REPORT RequestId: 3604209a-e9a3-11e6-939a-754dd98c7be3\t";

LambdaReport Warm(nanoseconds duration, int billed_ms, int memory_mb, int used_mb) {
  return LambdaReport{.duration = duration,
                      .billed_duration = milliseconds(billed_ms),
                      .memory_size_mb = memory_mb,
                      .max_memory_used_mb = used_mb,
                      .init_duration = std::nullopt};
}

LambdaReport Cold(nanoseconds duration, int billed_ms, int memory_mb, int used_mb,
                  nanoseconds init) {
  LambdaReport r = Warm(duration, billed_ms, memory_mb, used_mb);
  r.init_duration = init;
  return r;
}

TEST(ParseLambdaReport, Table) {
  const std::string id(kId);
  const std::string warm = id +
                           "Duration: 12.34 ms\tBilled Duration: 13 ms\tMemory Size: 1024 MB\t"
                           "Max Memory Used: 70 MB\t\n";
  const std::pair<std::string, std::optional<LambdaReport>> cases[] = {
      // As the emulator and AWS write it: a trailing tab, then the line end.
      {warm, Warm(nanoseconds(12'340'000), 13, 1024, 70)},
      // A cold start adds Init Duration.
      {id + "Duration: 630.82 ms\tBilled Duration: 631 ms\tMemory Size: 1024 MB\t"
            "Max Memory Used: 98 MB\tInit Duration: 200.12 ms\t\n",
       Cold(nanoseconds(630'820'000), 631, 1024, 98, nanoseconds(200'120'000))},
      // The whole tail: START, the function's own lines, END, REPORT.
      {"START RequestId: 36 Version: $LATEST\nhello\nEND RequestId: 36\n" + warm,
       Warm(nanoseconds(12'340'000), 13, 1024, 70)},
      // Any order, no trailing tab, no line end, CRLF, blanks around values.
      {id + "Max Memory Used: 70 MB\tMemory Size: 128 MB\tBilled Duration: 1 ms\tDuration: 0.5 ms",
       Warm(nanoseconds(500'000), 1, 128, 70)},
      {id +
           "Duration: 2 ms\tBilled Duration: 2 ms \tMemory Size: 128 MB\tMax Memory Used: 9 MB\r\n",
       Warm(milliseconds(2), 2, 128, 9)},
      // Fields it does not know: SnapStart's restore, X-Ray's trace.
      {id + "Duration: 5.00 ms\tBilled Duration: 443 ms\tMemory Size: 512 MB\t"
            "Max Memory Used: 90 MB\tRestore Duration: 437.38 ms\t"
            "Billed Restore Duration: 438 ms\t\nXRAY TraceId: 1-5e-1\tSegmentId: 0b\tSampled: "
            "true\n",
       Warm(milliseconds(5), 443, 512, 90)},
      {id + "Duration: 1 ms\tBilled Duration: 1 ms\tMemory Size: 128 MB\tMax Memory Used: 20 MB\t"
            "XRAY TraceId: 1-5e-1\tSegmentId: 0b\tSampled: true\t\n",
       Warm(milliseconds(1), 1, 128, 20)},
      // The last REPORT line wins (a function may print one of its own earlier).
      {"REPORT RequestId: x\tDuration: 9 ms\tBilled Duration: 9 ms\tMemory Size: 1 MB\t"
       "Max Memory Used: 1 MB\n" +
           warm,
       Warm(nanoseconds(12'340'000), 13, 1024, 70)},
      // The tail is the log's last 4 KB: its first line may be cut.
      {"b Duration: 99 ms\tMemory Size: 1 MB\n" + warm,
       Warm(nanoseconds(12'340'000), 13, 1024, 70)},
      // Not a REPORT line.
      {"", std::nullopt},
      {"START RequestId: 36 Version: $LATEST\nEND RequestId: 36\n", std::nullopt},
      {"  " + warm, std::nullopt},  // not at a line start
      {"xREPORT RequestId: 1\tDuration: 1 ms\tBilled Duration: 1 ms\tMemory Size: 1 MB\t"
       "Max Memory Used: 1 MB\n",
       std::nullopt},
      {"report requestid: 1\tDuration: 1 ms\tBilled Duration: 1 ms\tMemory Size: 1 MB\t"
       "Max Memory Used: 1 MB\n",
       std::nullopt},
      {R"({"time":"2024-01-01T00:00:00Z","type":"platform.report","record":{}})", std::nullopt},
      {"REPORT RequestId:", std::nullopt},
      {"REPORT RequestId: 1", std::nullopt},
      // A required field missing, or cut short.
      {id + "Duration: 12.34 ms\tMemory Size: 1024 MB\tMax Memory Used: 70 MB\n", std::nullopt},
      {id + "Duration: 12.34 ms\tBilled Duration: 13 ms\tMemory Size: 1024 MB\n", std::nullopt},
      {id + "Duration: 12.34 ms\tBilled Duration: 13 ms\tMemory Size: 1024 MB\tMax Memory Us",
       std::nullopt},
      {id + "Duration: 12.34 ms\tBilled Duration: 13 ms\tMemory Size: 1024 MB\tMax Memory Used: 7",
       std::nullopt},
      // A field it knows, malformed: the record is not trusted, even a cut Init Duration.
      {id + "Duration: 12.34 ms\tBilled Duration: 13 ms\tMemory Size: 1024 MB\t"
            "Max Memory Used: 70 MB\tInit Duration: 200.1",
       std::nullopt},
      {id + "Duration: 12.34ms\tBilled Duration: 13 ms\tMemory Size: 1024 MB\tMax Memory Used: 70 "
            "MB",
       std::nullopt},
      {id + "Duration: -1 ms\tBilled Duration: 13 ms\tMemory Size: 1024 MB\tMax Memory Used: 70 MB",
       std::nullopt},
      {id + "Duration: 1 ms\tBilled Duration: 1e3 ms\tMemory Size: 1024 MB\tMax Memory Used: 70 MB",
       std::nullopt},
      {id + "Duration: 1 ms\tBilled Duration: 13 s\tMemory Size: 1024 MB\tMax Memory Used: 70 MB",
       std::nullopt},
      {id + "Duration: 1 ms\tBilled Duration: 13 ms\tMemory Size: 1.5 MB\tMax Memory Used: 70 MB",
       std::nullopt},
      {id + "Duration: 1 ms\tBilled Duration: 13 ms\tMemory Size: 99999999999 MB\t"
            "Max Memory Used: 70 MB",
       std::nullopt},
      {id + "Duration: 1 ms\tBilled Duration: 13 ms\tMemory Size: MB\tMax Memory Used: 70 MB",
       std::nullopt},
      {id + "Duration: 1 ms\tBilled Duration: 13 ms\tMemory Size: 1024 GB\tMax Memory Used: 70 MB",
       std::nullopt},
  };
  for (const auto& [text, want] : cases) EXPECT_EQ(ParseLambdaReport(text), want) << text;
}

// Whatever the bytes, the parser answers (nullopt or a report) and never reads out of bounds.
TEST(ParseLambdaReport, GarbageNeverCrashes) {
  const std::string line = std::string(kId) +
                           "Duration: 12.34 ms\tBilled Duration: 13 ms\tMemory Size: 1024 MB\t"
                           "Max Memory Used: 70 MB\tInit Duration: 200.12 ms\t\n";
  for (std::size_t cut = 0; cut <= line.size(); ++cut) {
    (void)ParseLambdaReport(line.substr(0, cut));
    (void)ParseLambdaReport(line.substr(cut));
  }
  uint32_t seed = 12345;
  for (int round = 0; round < 2000; ++round) {
    std::string text = line;
    for (int flips = 0; flips < 4; ++flips) {
      seed = seed * 1664525u + 1013904223u;
      text[seed % text.size()] = static_cast<char>(seed >> 24);
    }
    (void)ParseLambdaReport(text);
  }
  EXPECT_EQ(ParseLambdaReport("\0\0\0"s), std::nullopt);
  EXPECT_EQ(ParseLambdaReport(std::string(10000, '\t')), std::nullopt);
  EXPECT_EQ(ParseLambdaReport(std::string(kId) + std::string(10000, ':')), std::nullopt);
}

}  // namespace
}  // namespace loadgen
