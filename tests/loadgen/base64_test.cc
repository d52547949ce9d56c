#include "loadgen/base64.h"

#include <gtest/gtest.h>

#include <optional>
#include <string>

namespace loadgen {
namespace {

using namespace std::string_literals;

std::optional<std::string> Decode(std::string_view text) {
  std::string out = "left over from an earlier call";
  if (!Base64Decode(text, &out)) return std::nullopt;
  return out;
}

// RFC 4648 section 10, both ways.
TEST(Base64, Rfc4648Vectors) {
  const std::pair<std::string, std::string> cases[] = {
      {"", ""},
      {"f", "Zg=="},
      {"fo", "Zm8="},
      {"foo", "Zm9v"},
      {"foob", "Zm9vYg=="},
      {"fooba", "Zm9vYmE="},
      {"foobar", "Zm9vYmFy"},
      {"\xff\xfe\x00"s, "//4A"},
  };
  for (const auto& [bytes, text] : cases) {
    EXPECT_EQ(Base64Encode(bytes), text) << text;
    EXPECT_EQ(Decode(text), bytes) << text;
  }
}

TEST(Base64Decode, Table) {
  const std::pair<std::string, std::optional<std::string>> cases[] = {
      {"Zm9vYg", "foob"},  // padding left out
      {"Zm9vYmE", "fooba"},        {"Zg", "f"},
      {"+/+/", "\xfb\xff\xbf"s},   {"AAAA", "\0\0\0"s},
      {"Zg=", std::nullopt},    // padding that does not complete the group
      {"Zg===", std::nullopt},  // too much padding
      {"Z===", std::nullopt},      {"====", std::nullopt},
      {"Z", std::nullopt},                                      // a lone character holds no byte
      {"Zm9vY", std::nullopt},     {"Zm=vYg==", std::nullopt},  // '=' inside
      {"Zm9v Yg==", std::nullopt}, {"Zm9v\nYg==", std::nullopt},
      {"Zm9v-_", std::nullopt},  // the URL-safe alphabet is another encoding
      {"Zm9v\xff", std::nullopt},  {"Zm9v\0"s, std::nullopt},
  };
  for (const auto& [text, want] : cases) EXPECT_EQ(Decode(text), want) << text;
}

TEST(Base64, RoundTripsEveryByteValue) {
  std::string bytes;
  for (int i = 0; i < 256; ++i) bytes += static_cast<char>(i);
  for (std::size_t n = 0; n <= bytes.size(); n += 37) {
    const std::string part = bytes.substr(0, n);
    EXPECT_EQ(Decode(Base64Encode(part)), part) << n;
  }
}

}  // namespace
}  // namespace loadgen
