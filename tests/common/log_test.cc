// The one redaction (common/log.h): longest match first, on raw values before logfmt escaping.
#include "common/log.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace infercost {
namespace {

struct RedactCase {
  std::string name;
  std::string text;
  std::vector<std::string> secrets;
  std::string want;
};

class RedactTest : public ::testing::TestWithParam<RedactCase> {};

TEST_P(RedactTest, ReplacesEverySecret) {
  EXPECT_EQ(Redact(GetParam().text, GetParam().secrets), GetParam().want);
}

INSTANTIATE_TEST_SUITE_P(
    Cases, RedactTest,
    ::testing::Values(
        RedactCase{"longest_first",
                   "key=abc123 token=abc",
                   {"abc", "abc123"},
                   "key=<redacted> token=<redacted>"},
        RedactCase{"longest_first_whatever_the_order", "abc123", {"abc123", "abc"}, "<redacted>"},
        RedactCase{"no_match", "nothing here", {"zzz"}, "nothing here"},
        RedactCase{"empty_secrets_ignored",
                   "empty secrets are ignored",
                   {"", ""},
                   "empty secrets are ignored"},
        RedactCase{"overlapping", "act", {"act", "red"}, "<redacted>"},
        RedactCase{"empty_text", "", {"x"}, ""},
        RedactCase{"every_occurrence", "s3 and s3", {"s3"}, "<redacted> and <redacted>"},
        RedactCase{"quote_and_backslash", "pw=a\"b\\c", {"a\"b\\c"}, "pw=<redacted>"},
        RedactCase{"replacement_not_rescanned", "red", {"red", "<redacted>"}, "<redacted>"}),
    [](const ::testing::TestParamInfo<RedactCase>& param_info) { return param_info.param.name; });

struct LogLineCase {
  std::string name;
  std::string value;
  std::vector<std::string> secrets;
  std::string want;  // the field as written on the line
};

class LogLineRedactTest : public ::testing::TestWithParam<LogLineCase> {};

// The secret is matched in the raw value, so escaping cannot split it.
TEST_P(LogLineRedactTest, LeavesNoPartOfASecret) {
  const LogLineCase& c = GetParam();
  const std::string line = FormatLogLine(LogLevel::kInfo, "m", {{"v", c.value}}, c.secrets);
  EXPECT_NE(line.find(" v=" + c.want), std::string::npos) << line;
  for (const std::string& secret : c.secrets) {
    EXPECT_EQ(line.find(secret), std::string::npos) << line;
  }
}

INSTANTIATE_TEST_SUITE_P(
    Cases, LogLineRedactTest,
    ::testing::Values(LogLineCase{"plain", "s3cret", {"s3cret"}, "<redacted>"},
                      LogLineCase{"quote", "ab\"cd", {"ab\"cd"}, "<redacted>"},
                      LogLineCase{
                          "backslash", "key=ab\\cd end", {"ab\\cd"}, "\"key=<redacted> end\""},
                      LogLineCase{"extends_another", "abc123", {"abc", "abc123"}, "<redacted>"},
                      LogLineCase{"no_secrets", "x", {}, "x"}),
    [](const ::testing::TestParamInfo<LogLineCase>& param_info) { return param_info.param.name; });

TEST(LogLine, RedactsTheMessage) {
  const std::string line = FormatLogLine(LogLevel::kWarn, "bad \"pw\"", {}, {"\"pw\""});
  EXPECT_NE(line.find(" msg=\"bad <redacted>\""), std::string::npos) << line;
}

// Runtime secrets (fetched credentials) are scrubbed alongside the config's, per owner, and a
// config reload (SetLogSecrets) does not drop them.
TEST(LogLine, RedactsRuntimeSecretsPerOwner) {
  SetRuntimeLogSecrets("credentials:a", {"KEYA"});
  SetRuntimeLogSecrets("credentials:b", {"KEYB"});
  SetLogSecrets({"cfgsecret"});
  testing::internal::CaptureStderr();
  Log(LogLevel::kError, "x", {{"v", "KEYA KEYB cfgsecret"}});
  SetRuntimeLogSecrets("credentials:a", {});
  Log(LogLevel::kError, "x", {{"v", "KEYA KEYB"}});
  const std::string out = testing::internal::GetCapturedStderr();
  SetRuntimeLogSecrets("credentials:b", {});
  SetLogSecrets({});
  EXPECT_NE(out.find("v=\"<redacted> <redacted> <redacted>\""), std::string::npos) << out;
  EXPECT_NE(out.find("v=\"KEYA <redacted>\""), std::string::npos) << out;
}

}  // namespace
}  // namespace infercost
