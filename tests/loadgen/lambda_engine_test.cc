// Integration tests of Protocol::kLambdaInvoke: the real engine against the test server on
// 127.0.0.1:0 answering as Lambda's Invoke API does (X-Amz-Log-Result, X-Amz-Function-Error).
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "loadgen/base64.h"
#include "loadgen/engine.h"
#include "loadgen/stats.h"
#include "tests/loadgen/engine_fixtures.h"
#include "tests/support/test_server.h"

namespace loadgen {
namespace {

using infercost::test::TestServer;
using std::chrono::milliseconds;
using std::chrono::nanoseconds;
using testing::Closed;
using testing::CollectingRecorder;
using testing::Get;
using testing::RunToEnd;

// A log tail as Lambda returns it, ending with the REPORT line.
std::string Tail(std::string_view report_fields) {
  return "START RequestId: 8f5c Version: $LATEST\nloaded the model\nEND RequestId: 8f5c\n"
         "REPORT RequestId: 8f5c\t" +
         std::string(report_fields) + "\n";
}

constexpr std::string_view kCold =
    "Duration: 630.82 ms\tBilled Duration: 631 ms\tMemory Size: 1024 MB\tMax Memory Used: 98 MB\t"
    "Init Duration: 200.12 ms\t";
constexpr std::string_view kWarm =
    "Duration: 30.17 ms\tBilled Duration: 31 ms\tMemory Size: 1024 MB\tMax Memory Used: 99 MB\t";

// A query parameter value, %XX-encoded (base64's '+' and '/' included).
std::string Escape(std::string_view text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (const char c : text) {
    const auto u = static_cast<unsigned char>(c);
    if ((u >= 'a' && u <= 'z') || (u >= 'A' && u <= 'Z') || (u >= '0' && u <= '9')) {
      out += c;
    } else {
      out += '%';
      out += kHex[u >> 4];
      out += kHex[u & 15];
    }
  }
  return out;
}

// A test-server path that answers with these extra response headers.
std::string Answering(const std::vector<std::string>& headers, std::string_view path = "/ok") {
  std::string url(path);
  for (const std::string& header : headers) {
    url += url.find('?') == std::string::npos ? "?header=" : "&header=";
    url += Escape(header);
  }
  return url;
}

std::string LogResult(std::string_view tail) { return "X-Amz-Log-Result: " + Base64Encode(tail); }

RequestSpec Invoke(const std::string& url) {
  RequestSpec spec = Get(url);
  spec.method = "POST";
  spec.protocol = Protocol::kLambdaInvoke;
  return spec;
}

std::size_t Count(const std::string& text, std::string_view what) {
  std::size_t n = 0;
  for (std::size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) {
    ++n;
  }
  return n;
}

class LambdaEngineTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { GlobalInit(); }
  TestServer server_;
  Engine engine_;
};

TEST_F(LambdaEngineTest, InvokeAsksForTheLogTailAndAUserHeaderWins) {
  CollectingRecorder recorder;
  RunToEnd(engine_, Closed(Invoke(server_.Url("/echo")), 1, 1), &recorder);
  std::string sent = server_.LastRequest();
  EXPECT_EQ(Count(sent, "X-Amz-Log-Type: Tail\r\n"), 1u) << sent;
  EXPECT_EQ(Count(sent, "X-Amz-Invocation-Type: RequestResponse\r\n"), 1u) << sent;

  RequestSpec own = Invoke(server_.Url("/echo"));
  own.headers = {"x-amz-log-type: None"};
  RunToEnd(engine_, Closed(own, 1, 1), &recorder);
  sent = server_.LastRequest();
  EXPECT_EQ(Count(sent, "x-amz-log-type: None\r\n"), 1u) << sent;
  EXPECT_EQ(Count(sent, "Tail"), 0u) << sent;
  EXPECT_EQ(Count(sent, "X-Amz-Invocation-Type: RequestResponse\r\n"), 1u) << sent;

  RunToEnd(engine_, Closed(Get(server_.Url("/echo")), 1, 1), &recorder);  // plain HTTP: neither
  EXPECT_EQ(Count(server_.LastRequest(), "X-Amz-"), 0u) << server_.LastRequest();
}

// AWS's word wins over the billed-duration header, the cold-start header and the latency rule.
TEST_F(LambdaEngineTest, TheReportLineGivesBilledDurationAndColdStart) {
  RequestSpec cold = Invoke(server_.Url(Answering({LogResult(Tail(kCold))}) + "&billed=999"));
  CollectingRecorder cold_recorder;
  RunToEnd(engine_, Closed(cold, 1, 3), &cold_recorder);
  for (const RequestRecord& r : cold_recorder.records()) {
    EXPECT_EQ(r.outcome, Outcome::kOk);
    ASSERT_TRUE(r.report.has_value());
    EXPECT_EQ(r.report->duration, nanoseconds(630'820'000));
    EXPECT_EQ(r.report->memory_size_mb, 1024);
    EXPECT_EQ(r.report->max_memory_used_mb, 98);
    EXPECT_EQ(r.report->init_duration, nanoseconds(200'120'000));
    EXPECT_EQ(r.billed_duration, milliseconds(631));
    EXPECT_TRUE(r.cold_start);
  }
  RequestSpec warm = Invoke(server_.Url(Answering({LogResult(Tail(kWarm))}) + "&cold=true"));
  warm.cold_start.latency_above = nanoseconds(1);
  CollectingRecorder warm_recorder;
  RunToEnd(engine_, Closed(warm, 1, 3), &warm_recorder);
  for (const RequestRecord& r : warm_recorder.records()) {
    ASSERT_TRUE(r.report.has_value());
    EXPECT_EQ(r.billed_duration, milliseconds(31));
    EXPECT_FALSE(r.cold_start);
  }
}

TEST_F(LambdaEngineTest, FunctionErrorsAreTheirOwnOutcome) {
  const std::string url =
      server_.Url(Answering({"X-Amz-Function-Error: Unhandled", LogResult(Tail(kWarm))},
                            "/ok?body=%7B%22errorMessage%22%3A%22boom%22%7D"));
  CollectingRecorder recorder;
  RunToEnd(engine_, Closed(Invoke(url), 2, 4), &recorder);
  EXPECT_EQ(recorder.CountOutcome(Outcome::kFunctionError), 4u);
  for (const RequestRecord& r : recorder.records()) {
    EXPECT_EQ(r.http_status, 200);
    EXPECT_EQ(r.billed_duration, milliseconds(31));  // AWS bills the failed run
  }
  // Outside the Invoke API the headers mean nothing.
  CollectingRecorder plain;
  RunToEnd(engine_, Closed(Get(url), 1, 2), &plain);
  EXPECT_EQ(plain.CountOutcome(Outcome::kOk), 2u);
  for (const RequestRecord& r : plain.records()) EXPECT_FALSE(r.report.has_value());
}

// A log tail without a usable REPORT line leaves the figures to the header and the estimate.
TEST_F(LambdaEngineTest, AnUnreadableTailFallsBackToTheHeader) {
  for (const std::string& header :
       {std::string("X-Amz-Log-Result: not base64!"), LogResult("START RequestId: 1\n"),
        LogResult(Tail("Duration: 3 ms\tBilled Duration: 4 ms"))}) {
    SCOPED_TRACE(header);
    CollectingRecorder recorder;
    RunToEnd(engine_, Closed(Invoke(server_.Url(Answering({header}) + "&billed=12")), 1, 1),
             &recorder);
    ASSERT_EQ(recorder.count(), 1u);
    const RequestRecord r = recorder.records()[0];
    EXPECT_EQ(r.outcome, Outcome::kOk);
    EXPECT_FALSE(r.report.has_value());
    EXPECT_EQ(r.billed_duration, milliseconds(12));
  }
}

TEST_F(LambdaEngineTest, StatsCountWhatAwsBilled) {
  StatsOptions options;
  options.billed_duration_bounds_seconds = {0.1, 1};
  options.init_duration_bounds_seconds = {0.1, 1};
  TargetStats stats(options);
  StatsRecorder recorder(&stats);
  RunToEnd(engine_, Closed(Invoke(server_.Url(Answering({LogResult(Tail(kCold))}))), 1, 2),
           &recorder);
  RunToEnd(engine_, Closed(Invoke(server_.Url("/ok")), 1, 3), &recorder);  // no tail: estimated
  recorder.Flush(Clock::now(), 0);
  const Interval total = stats.Snapshot(Clock::now()).total;
  EXPECT_EQ(total.by_billing_class[static_cast<std::size_t>(BillingClass::kOk)].requests, 5u);
  EXPECT_EQ(total.billed_from_report, 2u);
  EXPECT_EQ(total.BilledByAws(), 2u);
  EXPECT_EQ(total.billed_duration_buckets.counts(), (std::vector<uint64_t>{0, 2, 0}));
  EXPECT_EQ(total.init_duration_buckets.counts(), (std::vector<uint64_t>{0, 2, 0}));
  EXPECT_EQ(total.max_memory_used_mb, 98);
  EXPECT_EQ(total.cold_starts, 2u);
}

}  // namespace
}  // namespace loadgen
