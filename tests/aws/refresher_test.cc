// The refresher under a fake clock (RunDue driven by the test), and once with its own thread.
#include "aws/refresher.h"

#include <gtest/gtest.h>

#include <atomic>

#include "common/log.h"
#include "loadgen/engine.h"
#include "loadgen/record.h"
#include "support/test_server.h"
#include "support/wait.h"

namespace infercost::aws {
namespace {

using std::chrono::milliseconds;
using std::chrono::minutes;
using std::chrono::seconds;
using TimePoint = CredentialsRefresher::TimePoint;

const TimePoint kStart = std::chrono::system_clock::from_time_t(1'800'000'000);

// A credential source whose answers the test scripts: keys valid for `life`, or a failure.
struct FakeSource {
  std::atomic<int64_t> now_ns{kStart.time_since_epoch().count()};
  std::atomic<bool> failing{false};
  std::atomic<int> fetches{0};
  TimePoint::duration life = minutes(60);

  TimePoint Now() const { return TimePoint(TimePoint::duration(now_ns.load())); }
  void Advance(TimePoint::duration d) { now_ns += d.count(); }
  Lookup Fetch() {
    const int n = ++fetches;
    if (failing) return Lookup::Error("sts is down");
    Credentials c;
    c.access_key_id = "ASIA" + std::to_string(n);
    c.secret_access_key = "secret-" + std::to_string(n);
    c.session_token = "token-" + std::to_string(n);
    c.expiration = Now() + life;
    return Lookup::Found(c);
  }
};

CredentialsRefresher Make(FakeSource& source) {
  return CredentialsRefresher(
      "t", [&source] { return source.Fetch(); }, RefreshPolicy{},
      [&source] { return source.Now(); });
}

TEST(RefresherTest, RefreshesWellBeforeExpiry) {
  for (const auto& [life, lead] : std::vector<std::pair<TimePoint::duration, TimePoint::duration>>{
           {minutes(60), minutes(5)}, {seconds(60), seconds(15)}, {minutes(8), minutes(2)}}) {
    FakeSource source;
    source.life = life;
    CredentialsRefresher r = Make(source);
    EXPECT_EQ(r.Current(), nullptr);
    EXPECT_EQ(r.RunDue(), kStart + life - lead);
    ASSERT_NE(r.Current(), nullptr);
    EXPECT_EQ(r.Current()->access_key, "ASIA1");
    EXPECT_EQ(r.Expiry(), kStart + life);
    // Not due yet: no fetch.
    source.Advance(life - lead - seconds(1));
    r.RunDue();
    EXPECT_EQ(source.fetches, 1);
    source.Advance(seconds(1));
    r.RunDue();
    EXPECT_EQ(source.fetches, 2);
    EXPECT_EQ(r.Current()->access_key, "ASIA2");
    EXPECT_EQ(r.Current()->session_token, "token-2");
    EXPECT_EQ(r.Expiry(), source.Now() + life);
    EXPECT_EQ(r.RefreshFailures(), 0u);
  }
}

TEST(RefresherTest, KeepsOldKeysAndBacksOffOnFailureThenExpires) {
  FakeSource source;
  CredentialsRefresher r = Make(source);
  r.RunDue();
  source.failing = true;
  source.Advance(minutes(55));  // the refresh is due; it fails
  const TimePoint failed_at = source.Now();
  EXPECT_EQ(r.RunDue(), failed_at + seconds(1));
  EXPECT_EQ(r.RefreshFailures(), 1u);
  EXPECT_EQ(r.LastError(), "sts is down");
  EXPECT_EQ(r.Current()->access_key, "ASIA1");  // still valid: kept
  // Backoff doubles: 1 s, 2 s, 4 s, ...
  TimePoint::duration wait = seconds(1);
  for (int i = 0; i < 5; ++i) {
    source.Advance(wait);
    wait *= 2;
    EXPECT_EQ(r.RunDue(), source.Now() + wait);
  }
  EXPECT_EQ(r.RefreshFailures(), 6u);
  // ... capped at one minute, and never past the keys' expiry.
  source.Advance(wait);
  EXPECT_EQ(r.RunDue(), source.Now() + seconds(60));
  const TimePoint expiry = kStart + minutes(60);
  source.Advance(expiry - source.Now() - seconds(30));
  EXPECT_EQ(r.RunDue(), expiry);
  EXPECT_NE(r.Current(), nullptr);
  source.Advance(seconds(30));
  EXPECT_EQ(r.Current(), nullptr);  // expired: the engine counts auth_error
  r.RunDue();
  EXPECT_EQ(r.Current(), nullptr);
  // The source recovers: keys again, backoff reset.
  source.failing = false;
  source.Advance(seconds(60));
  r.RunDue();
  ASSERT_NE(r.Current(), nullptr);
  EXPECT_EQ(r.RunDue(), source.Now() + minutes(55));
}

TEST(RefresherTest, LongTermKeysAreNeverRefetched) {
  int fetches = 0;
  CredentialsRefresher r("static", [&fetches] {
    ++fetches;
    return Lookup::Found(Credentials{"AKID", "s", "", std::nullopt});
  });
  EXPECT_EQ(r.RunDue(), TimePoint::max());
  EXPECT_EQ(r.RunDue(), TimePoint::max());
  EXPECT_EQ(fetches, 1);
  EXPECT_EQ(r.Expiry(), std::nullopt);
  EXPECT_EQ(r.Current()->access_key, "AKID");
}

// The fetched secrets are redacted from every log line, including the refresh-failure line.
TEST(RefresherTest, FetchedSecretsAreRedacted) {
  FakeSource source;
  CredentialsRefresher r = Make(source);
  r.RunDue();
  testing::internal::CaptureStderr();
  Log(LogLevel::kError, "leak secret-1", {{"token", "token-1"}});
  const std::string out = testing::internal::GetCapturedStderr();
  EXPECT_EQ(out.find("secret-1"), std::string::npos) << out;
  EXPECT_EQ(out.find("token-1"), std::string::npos) << out;
}

// With its own thread and real time: one-second keys are refreshed again and again before they
// expire (lead 250 ms), so Current() never goes empty while it runs.
TEST(RefresherTest, BackgroundThreadRefreshes) {
  std::atomic<int> fetches{0};
  CredentialsRefresher r("bg", [&fetches] {
    ++fetches;
    return Lookup::Found(
        Credentials{"AKID", "s", "t", std::chrono::system_clock::now() + seconds(1)});
  });
  r.Start();
  ASSERT_TRUE(test::WaitFor([&] { return fetches >= 3; }, milliseconds(10'000)));
  r.Stop();
  EXPECT_NE(r.Current(), nullptr);
  EXPECT_EQ(r.RefreshFailures(), 0u);
}

// Counts outcomes. Thread contract: written by the engine's worker, read after the run.
class OutcomeCounter : public loadgen::Recorder {
 public:
  void OnRequestDone(const loadgen::RequestRecord& record) override {
    ++counts[static_cast<std::size_t>(record.outcome)];
  }
  void OnDropped(loadgen::Clock::time_point) override {}
  void OnStage(int, const loadgen::Stage&, bool) override {}
  void OnTick(loadgen::Clock::time_point, int) override {}
  std::array<std::atomic<uint64_t>, loadgen::kOutcomeCount> counts{};
};

// The refresher feeding the real engine: signed requests go out while the keys are valid; once
// they expire with the refresh failing, requests are not sent and count as auth_error.
TEST(RefresherTest, ExpiredKeysBecomeAuthErrorsInTheEngine) {
  test::TestServer server;
  FakeSource source;
  auto refresher = std::make_shared<CredentialsRefresher>(
      "engine", [&source] { return source.Fetch(); }, RefreshPolicy{},
      [&source] { return source.Now(); });
  refresher->RunDue();
  loadgen::RequestSpec spec;
  spec.url = server.Url("/echo");
  spec.method = "GET";
  spec.sigv4 = loadgen::SigV4{"aws:amz:us-east-1:lambda", "", "", "", refresher};
  spec.expect.body_contains = "Credential=ASIA1/";
  auto run = [&](uint64_t requests) {
    OutcomeCounter recorder;
    loadgen::TargetPlan plan;
    plan.name = "engine";
    plan.request = spec;
    loadgen::Stage stage;
    stage.kind = loadgen::Stage::Kind::kClosed;
    stage.concurrency = 1;
    plan.load.stages = {stage};
    plan.load.max_requests = requests;
    loadgen::Engine engine;
    const loadgen::TargetId id = engine.Add(std::move(plan), &recorder);
    EXPECT_TRUE(engine.WaitFinished(id, std::chrono::seconds(60)));
    engine.Remove(id, std::chrono::seconds(0));
    return std::make_pair(
        recorder.counts[static_cast<std::size_t>(loadgen::Outcome::kOk)].load(),
        recorder.counts[static_cast<std::size_t>(loadgen::Outcome::kAuthError)].load());
  };
  EXPECT_EQ(run(3), std::make_pair(uint64_t{3}, uint64_t{0}));
  source.failing = true;
  source.Advance(minutes(60));
  refresher->RunDue();
  EXPECT_EQ(refresher->RefreshFailures(), 1u);
  const uint64_t before = server.Requests();
  EXPECT_EQ(run(4), std::make_pair(uint64_t{0}, uint64_t{4}));
  EXPECT_EQ(server.Requests(), before);
}

}  // namespace
}  // namespace infercost::aws
