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
        RedactCase{"replacement_not_rescanned", "red", {"red", "<redacted>"}, "<redacted>"},
        // Short secrets are whole tokens: a query's code=503 leaves a port 44503 alone.
        RedactCase{"short_inside_a_word_kept",
                   "address=127.0.0.1:44503 code=503 x503 503y",
                   {"503"},
                   "address=127.0.0.1:44503 code=<redacted> x503 503y"},
        RedactCase{"short_between_punctuation",
                   "u:pw12@h/?k=pw12&",
                   {"pw12"},
                   "u:<redacted>@h/?k=<redacted>&"},
        RedactCase{"long_inside_a_word", "xs3cretkey1y", {"s3cretkey1"}, "x<redacted>y"},
        RedactCase{"short_next_to_another_secret",
                   "abcdefghij12 ab12",
                   {"ab", "cdefghij12"},
                   "<redacted><redacted> ab12"},
        RedactCase{"short_pair", "abcd", {"ab", "cd"}, "<redacted><redacted>"}),
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

// Credentials written literally in a URL (user:pass@, ?token=) appeared in logs and in
// /api/v1/targets: they are secrets like ${VAR}s.
struct UrlSecretsCase {
  const char* name;
  std::string url;
  std::vector<std::string> secrets;
};

class UrlSecretsTest : public ::testing::TestWithParam<UrlSecretsCase> {};

TEST_P(UrlSecretsTest, FindsLiteralCredentials) {
  EXPECT_EQ(UrlSecrets(GetParam().url), GetParam().secrets);
}

INSTANTIATE_TEST_SUITE_P(
    Urls, UrlSecretsTest,
    ::testing::Values(UrlSecretsCase{"none", "http://h:8080/predict?model=v2&n=1", {}},
                      UrlSecretsCase{"userinfo", "https://bob:pa%22ss@h/p", {"pa%22ss"}},
                      UrlSecretsCase{"token_as_user", "https://ghp_abc@h/p", {"ghp_abc"}},
                      UrlSecretsCase{"empty_password", "https://bob:@h/p", {}},
                      UrlSecretsCase{"at_in_path", "https://h/p@q?x=1", {}},
                      UrlSecretsCase{
                          "query_tokens",
                          "http://h/p?model=v2&token=t1&api_key=k2&X-Amz-Signature=s3&sig=s4#frag",
                          {"t1", "k2", "s3", "s4"}},
                      UrlSecretsCase{"empty_value", "http://h/p?token=&code", {}},
                      UrlSecretsCase{"both", "http://u:p@h?access_token=a", {"p", "a"}},
                      UrlSecretsCase{"no_scheme", "u:p@h/x", {"p"}}),
    [](const ::testing::TestParamInfo<UrlSecretsCase>& param_info) {
      return param_info.param.name;
    });

TEST(IsSecretName, CredentialNamesOnly) {
  for (const char* name : {"Authorization", "X-Api-Key", "x-functions-key", "X-Amz-Security-Token",
                           "Cookie", "token", "api_key", "apikey", "password", "sig", "code",
                           "client_secret", "Ocp-Apim-Subscription-Key", "X-Auth-Token"}) {
    EXPECT_TRUE(IsSecretName(name)) << name;
  }
  for (const char* name : {"Content-Type", "Accept", "X-Cold-Start", "model", "n", "signal",
                           "X-Billed-Duration-Ms", "User-Agent", "encoding"}) {
    EXPECT_FALSE(IsSecretName(name)) << name;
  }
}

TEST(RedactRegistered, UsesEveryRegisteredSecret) {
  SetLogSecrets({"cfg\"s\\"});
  SetRuntimeLogSecrets("test", {"rt"});
  const std::string out = RedactRegistered("a cfg\"s\\ b rt c");
  SetRuntimeLogSecrets("test", {});
  SetLogSecrets({});
  EXPECT_EQ(out, "a <redacted> b <redacted> c");
  EXPECT_EQ(RedactUrl("https://u:p4ss@h/x?token=t0k&n=1"),
            "https://u:<redacted>@h/x?token=<redacted>&n=1");
}

}  // namespace
}  // namespace infercost
