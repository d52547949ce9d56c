#include "loadgen/billed_duration.h"

#include <gtest/gtest.h>

#include <optional>

namespace loadgen {
namespace {

using std::chrono::milliseconds;
using std::chrono::nanoseconds;

TEST(ParseBilledDuration, Table) {
  const std::pair<const char*, std::optional<nanoseconds>> cases[] = {
      {"631", milliseconds(631)},
      {"12.3", nanoseconds(12'300'000)},
      {"630.82", nanoseconds(630'820'000)},
      {" 12 \r\n", milliseconds(12)},
      {"0", nanoseconds(0)},
      {"0.0004", nanoseconds(400)},
      {"1000000000000", milliseconds(1'000'000'000'000)},  // 1e12 ms: the largest accepted
      {"", std::nullopt},
      {"   ", std::nullopt},
      {"-5", std::nullopt},
      {"-0.5", std::nullopt},
      {"nan", std::nullopt},
      {"NaN", std::nullopt},
      {"inf", std::nullopt},
      {"1e3", std::nullopt},
      {"0x10", std::nullopt},
      {"1000000000001", std::nullopt},
      {"1e400", std::nullopt},
      {"99999999999999999999999", std::nullopt},
      {"12ms", std::nullopt},
      {"abc", std::nullopt},
      {"1 2", std::nullopt},
      {"+5", std::nullopt},
  };
  for (const auto& [text, want] : cases) EXPECT_EQ(ParseBilledDuration(text), want) << text;
}

TEST(RoundBilledMs, UpToTheNextMillisecondSoAnyRunBillsAtLeastOne) {
  const std::pair<nanoseconds, uint64_t> cases[] = {
      // AWS bills a billed invocation at least 1 ms ("rounded up to the nearest 1 ms", minimum
      // 1 ms: https://aws.amazon.com/lambda/pricing/): a reported 0 bills 1 ms.
      {nanoseconds(0), 1},
      {nanoseconds(-5), 1},
      {nanoseconds(1), 1},
      {milliseconds(1), 1},
      {nanoseconds(1'000'001), 2},
      {nanoseconds(12'300'000), 13},
      {nanoseconds(630'820'000), 631},
      {milliseconds(631), 631},
      {nanoseconds(631'000'001), 632},
      {milliseconds(1'000'000'000'000), 1'000'000'000'000},
  };
  for (const auto& [duration, want] : cases) {
    EXPECT_EQ(RoundBilledMs(duration), want) << duration.count() << " ns";
  }
}

TEST(BilledDuration, HeaderTextToBilledMs) {
  EXPECT_EQ(RoundBilledMs(*ParseBilledDuration("0")), 1u);
  EXPECT_EQ(RoundBilledMs(*ParseBilledDuration("12.3")), 13u);
  EXPECT_EQ(RoundBilledMs(*ParseBilledDuration("42")), 42u);
}

}  // namespace
}  // namespace loadgen
