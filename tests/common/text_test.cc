// The one UTF-8 check and the one message escape (common/text.h), table-driven.
#include "common/text.h"

#include <gtest/gtest.h>

#include <string>

namespace infercost {
namespace {

struct Utf8Case {
  std::string name;
  std::string text;
  std::size_t first_invalid;  // npos when valid
};

class Utf8Test : public ::testing::TestWithParam<Utf8Case> {};

TEST_P(Utf8Test, FindsTheFirstByteThatIsNotUtf8) {
  EXPECT_EQ(FindInvalidUtf8(GetParam().text), GetParam().first_invalid);
  EXPECT_EQ(IsValidUtf8(GetParam().text), GetParam().first_invalid == std::string::npos);
}

constexpr std::size_t kValid = std::string::npos;

INSTANTIATE_TEST_SUITE_P(
    Rules, Utf8Test,
    ::testing::Values(
        Utf8Case{"empty", "", kValid}, Utf8Case{"ascii", "http://a/b?c=d", kValid},
        Utf8Case{"two_bytes", "caf\xC3\xA9", kValid},
        Utf8Case{"three_bytes", "\xE2\x82\xAC", kValid},
        Utf8Case{"four_bytes", "\xF0\x9F\x98\x80", kValid},
        // The crash: raw bytes in a target URL.
        Utf8Case{"url_with_ff_fe", "http://127.0.0.1:1/\xFF\xFE", 19},
        Utf8Case{"lone_continuation", "a\x80", 1}, Utf8Case{"overlong_slash", "\xC0\xAF", 0},
        Utf8Case{"overlong_three", "\xE0\x80\xAF", 0}, Utf8Case{"surrogate", "\xED\xA0\x80", 0},
        Utf8Case{"above_max", "\xF4\x90\x80\x80", 0}, Utf8Case{"truncated", "ab\xE2\x82", 2},
        Utf8Case{"bad_continuation", "\xE2\x28\xA1", 0}),
    [](const auto& param_info) { return param_info.param.name; });

struct EscapeCase {
  std::string name;
  std::string text;
  std::string escaped;
};

class EscapeTest : public ::testing::TestWithParam<EscapeCase> {};

TEST_P(EscapeTest, KeepsAMessageOnOnePrintableLine) {
  EXPECT_EQ(EscapeForMessage(GetParam().text), GetParam().escaped);
}

INSTANTIATE_TEST_SUITE_P(Rules, EscapeTest,
                         ::testing::Values(EscapeCase{"plain", "name-1", "name-1"},
                                           // The issue's "a target name with a newline breaks the
                                           // one-error-per-line format".
                                           EscapeCase{"newline_in_name", "a\nb", "a\\nb"},
                                           EscapeCase{"controls", "\t\r\x01\x7F",
                                                      "\\t\\r\\x01\\x7f"},
                                           EscapeCase{"backslash", "a\\n", "a\\\\n"},
                                           EscapeCase{"utf8_kept", "caf\xC3\xA9", "caf\xC3\xA9"},
                                           EscapeCase{"bad_bytes", "/\xFF\xFE", "/\\xff\\xfe"}),
                         [](const auto& param_info) { return param_info.param.name; });

}  // namespace
}  // namespace infercost
