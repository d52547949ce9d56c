// The platform models under hand-picked emulated times: no clock, no threads, no network.
#include "emulator/src/model.h"

#include <gtest/gtest.h>

namespace emulator {
namespace {

EmuTime At(double ms) { return EmuTime(FromMs(ms)); }

TEST(CeilMsTest, RoundsUpToWholeMilliseconds) {
  EXPECT_EQ(CeilMs(EmuDuration::zero()), 0);
  EXPECT_EQ(CeilMs(std::chrono::nanoseconds(1)), 1);
  EXPECT_EQ(CeilMs(std::chrono::milliseconds(5)), 5);
  EXPECT_EQ(CeilMs(std::chrono::microseconds(5001)), 6);
}

TEST(InstanceModelTest, QueuesFifoOnTheWorkerThatFreesFirst) {
  InstanceModel model(2, std::nullopt);
  const auto a = model.Assign(At(0), FromMs(10));
  const auto b = model.Assign(At(0), FromMs(30));
  const auto c = model.Assign(At(1), FromMs(10));  // waits for a's worker
  const auto d = model.Assign(At(2), FromMs(10));  // then c's worker again (free at 20)
  EXPECT_EQ(a.start, At(0));
  EXPECT_EQ(b.start, At(0));
  EXPECT_EQ(c.start, At(10));
  EXPECT_EQ(c.end, At(20));
  EXPECT_EQ(d.start, At(20));
  const auto e = model.Assign(At(100), FromMs(10));  // idle workers: starts on arrival
  EXPECT_EQ(e.start, At(100));
  EXPECT_FALSE(model.CreditBalance(At(100)).has_value());
}

TEST(InstanceModelTest, StartTimesNeverGoBackwards) {
  InstanceModel model(4, std::nullopt);
  model.Assign(At(50), FromMs(1));
  // A caller that read the clock earlier but got the lock later still starts after the first.
  EXPECT_EQ(model.Assign(At(40), FromMs(1)).start, At(50));
}

CpuCredits Standard(double initial_credits) {
  CpuCredits c;
  c.mode = CreditMode::kStandard;
  c.initial_credits = initial_credits;
  c.baseline = 0.2;
  return c;
}

TEST(CreditBucketTest, StandardModeThrottlesOnceTheBalanceCannotPay) {
  // Two vCPUs at 20 %: 24 credits an hour. One credit pays for one vCPU-minute (60 s of work).
  CreditBucket bucket(Standard(1.0), 2);
  EXPECT_DOUBLE_EQ(bucket.StartWork(At(0), FromMs(30e3)), 1.0);  // 0.5 credit
  EXPECT_DOUBLE_EQ(bucket.StartWork(At(0), FromMs(30e3)), 1.0);  // the other 0.5
  EXPECT_NEAR(bucket.Balance(At(0)), 0.0, 1e-9);
  EXPECT_DOUBLE_EQ(bucket.StartWork(At(0), FromMs(30e3)), 5.0);  // runs at the 20 % baseline
  // An hour idle earns 24 credits: full speed again.
  EXPECT_NEAR(bucket.Balance(At(3600e3)), 23.5, 1e-6);
  EXPECT_DOUBLE_EQ(bucket.StartWork(At(3600e3), FromMs(30e3)), 1.0);
}

TEST(CreditBucketTest, AccrualStopsAtTheCap) {
  CpuCredits c = Standard(570);
  c.max_credits = 576;
  CreditBucket bucket(c, 2);
  EXPECT_DOUBLE_EQ(bucket.Balance(At(10 * 3600e3)), 576);
}

TEST(CreditBucketTest, UnlimitedModeNeverSlowsAndGoesIntoSurplus) {
  CpuCredits c = Standard(0);
  c.mode = CreditMode::kUnlimited;
  CreditBucket bucket(c, 2);
  for (int i = 0; i < 10; ++i) {
    EXPECT_DOUBLE_EQ(bucket.StartWork(At(0), FromMs(60e3)), 1.0);
  }
  EXPECT_NEAR(bucket.Balance(At(0)), -10.0, 1e-9);
  // Earned credits pay the surplus back first.
  EXPECT_NEAR(bucket.Balance(At(1800e3)), 2.0, 1e-6);
}

TEST(InstanceModelTest, SustainedLoadOnStandardCreditsRunsAtTheBaseline) {
  // Two workers kept busy with 10 ms requests and credits for 20 of them.
  InstanceModel model(2, Standard(20 * 10.0 / 60e3));
  int throttled_late = 0;
  EmuTime now = At(0);
  for (int i = 0; i < 400; ++i) {
    const auto slot = model.Assign(now, FromMs(10));
    if (i < 20) {
      EXPECT_FALSE(slot.throttled) << i;
    }
    if (i >= 300 && slot.throttled) {
      ++throttled_late;
    }
    now = std::max(now, slot.start);  // a closed loop: the next request comes as one starts
  }
  // Once spent, what the baseline earns pays for at most a sliver of full-speed requests.
  EXPECT_GE(throttled_late, 90);
}

LambdaSettings Lambda() {
  LambdaSettings s;
  s.idle_timeout_ms = 600e3;
  s.concurrency_limit = 3;
  s.gateway_timeout_ms = 29e3;
  s.gateway_overhead_ms = 20;
  s.function_timeout_ms = 90e3;
  return s;
}

TEST(LambdaModelTest, ColdOnFirstRequestWarmAfter) {
  LambdaModel model(Lambda());
  const auto first = model.Invoke(At(0), FromMs(600), FromMs(3000));
  EXPECT_TRUE(first.cold);
  EXPECT_EQ(first.result, LambdaModel::Result::kOk);
  EXPECT_EQ(first.billed_ms, 3600);  // init is billed
  EXPECT_EQ(first.respond_after, FromMs(3620));
  const auto second = model.Invoke(At(5000), FromMs(600), FromMs(3000));
  EXPECT_FALSE(second.cold);
  EXPECT_EQ(second.billed_ms, 600);
  EXPECT_EQ(model.Alive(At(5000)), 1);
}

TEST(LambdaModelTest, ScaleOutStartsOneInstancePerConcurrentRequest) {
  LambdaModel model(Lambda());
  EXPECT_TRUE(model.Invoke(At(0), FromMs(600), FromMs(3000)).cold);
  EXPECT_TRUE(model.Invoke(At(1), FromMs(600), FromMs(3000)).cold);
  EXPECT_EQ(model.Busy(At(2)), 2);
  // Both done: two warm instances, no cold start for two more concurrent requests.
  EXPECT_FALSE(model.Invoke(At(10e3), FromMs(600), FromMs(3000)).cold);
  EXPECT_FALSE(model.Invoke(At(10e3), FromMs(600), FromMs(3000)).cold);
  EXPECT_EQ(model.Alive(At(10e3)), 2);
}

TEST(LambdaModelTest, IdleInstancesAreReclaimedAfterTheIdleTimeout) {
  LambdaModel model(Lambda());
  model.Invoke(At(0), FromMs(600), FromMs(3000));  // busy until 3600
  EXPECT_EQ(model.Alive(At(3600 + 599e3)), 1);
  EXPECT_EQ(model.Alive(At(3600 + 600e3)), 0);
  EXPECT_TRUE(model.Invoke(At(3600 + 600e3), FromMs(600), FromMs(3000)).cold);
}

TEST(LambdaModelTest, ProvisionedInstancesAreNeverColdNorReclaimed) {
  LambdaSettings s = Lambda();
  s.provisioned_concurrency = 2;
  LambdaModel model(s);
  EXPECT_EQ(model.Alive(At(0)), 2);
  EXPECT_FALSE(model.Invoke(At(0), FromMs(600), FromMs(3000)).cold);
  EXPECT_FALSE(model.Invoke(At(0), FromMs(600), FromMs(3000)).cold);
  EXPECT_TRUE(model.Invoke(At(0), FromMs(600), FromMs(3000)).cold);  // spills over
  EXPECT_EQ(model.Alive(At(3600 + 600e3)), 2);                       // the on-demand one is gone
  EXPECT_FALSE(model.Invoke(At(1e9), FromMs(600), FromMs(3000)).cold);
}

TEST(LambdaModelTest, ProvisionedInstancesAreUsedFirstThenTheMostRecent) {
  LambdaSettings s = Lambda();
  s.provisioned_concurrency = 1;
  LambdaModel model(s);
  model.Invoke(At(0), FromMs(1000), FromMs(3000));    // provisioned, busy until 1000
  model.Invoke(At(0), FromMs(1000), FromMs(3000));    // on-demand A, busy until 4000
  model.Invoke(At(500), FromMs(4000), FromMs(3000));  // on-demand B, busy until 7500
  // At 8000 all are idle: the provisioned one is picked, so A and B age towards reclaiming.
  model.Invoke(At(8000), FromMs(100), FromMs(3000));
  EXPECT_EQ(model.Busy(At(8050)), 1);
  // With the provisioned one busy, B (used last) serves; A is reclaimed on time.
  model.Invoke(At(8010), FromMs(100), FromMs(3000));
  EXPECT_EQ(model.Alive(At(4000 + 600e3)), 2);
}

TEST(LambdaModelTest, ThrottlesBeyondTheConcurrencyLimit) {
  LambdaModel model(Lambda());  // limit 3
  for (int i = 0; i < 3; ++i) {
    model.Invoke(At(0), FromMs(600), FromMs(3000));
  }
  const auto throttled = model.Invoke(At(1), FromMs(600), FromMs(3000));
  EXPECT_EQ(throttled.result, LambdaModel::Result::kThrottled);
  EXPECT_EQ(throttled.billed_ms, 0);
  EXPECT_FALSE(throttled.cold);
  EXPECT_EQ(model.Alive(At(1)), 3);
  EXPECT_EQ(model.Invoke(At(3600), FromMs(600), FromMs(3000)).result, LambdaModel::Result::kOk);
}

TEST(LambdaModelTest, GatewayTimeoutAnswersAt29sWhileTheFunctionRunsOn) {
  LambdaModel model(Lambda());
  const auto slow = model.Invoke(At(0), FromMs(600), FromMs(40e3));
  EXPECT_EQ(slow.result, LambdaModel::Result::kGatewayTimeout);
  EXPECT_EQ(slow.respond_after, FromMs(29e3));
  EXPECT_EQ(slow.billed_ms, 40600);
  EXPECT_FALSE(slow.function_timed_out);
  EXPECT_EQ(model.Busy(At(30e3)), 1);  // still running after the 504
  EXPECT_EQ(model.Busy(At(40600)), 0);
  EXPECT_FALSE(model.Invoke(At(41e3), FromMs(600), FromMs(40e3)).cold);  // and warm afterwards
}

TEST(LambdaModelTest, FunctionTimeoutDiscardsTheInstance) {
  LambdaSettings s = Lambda();
  s.function_timeout_ms = 10e3;
  LambdaModel model(s);
  const auto inv = model.Invoke(At(0), FromMs(600), FromMs(12e3));
  EXPECT_EQ(inv.result, LambdaModel::Result::kFunctionError);
  EXPECT_TRUE(inv.function_timed_out);
  EXPECT_EQ(inv.billed_ms, 10000);
  EXPECT_EQ(inv.respond_after, FromMs(10020));
  EXPECT_EQ(model.Alive(At(10e3)), 0);
  EXPECT_TRUE(model.Invoke(At(10e3), FromMs(600), FromMs(3000)).cold);
}

TEST(LambdaModelTest, NoGatewayMeansNoGatewayTimeout) {
  LambdaSettings s = Lambda();
  s.gateway_timeout_ms = 0;
  LambdaModel model(s);
  EXPECT_EQ(model.Invoke(At(0), FromMs(600), FromMs(60e3)).result, LambdaModel::Result::kOk);
}

}  // namespace
}  // namespace emulator
