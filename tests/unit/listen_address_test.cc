// The one listen-address parser (common/listen_address.h): every form a user may write, and what
// each malformed one is told.
#include "common/listen_address.h"

#include <gtest/gtest.h>

namespace infercost {
namespace {

TEST(ParseListenAddress, AcceptsTheFormsExportersAccept) {
  struct Case {
    const char* text;
    const char* host;
    int port;
    bool ipv6;
    const char* bind;  // ToString()
  };
  const Case cases[] = {
      {"0.0.0.0:18090", "0.0.0.0", 18090, false, "0.0.0.0:18090"},
      {"127.0.0.1:0", "127.0.0.1", 0, false, "127.0.0.1:0"},  // 0: a free port
      {"localhost:65535", "localhost", 65535, false, "localhost:65535"},
      {":18090", "", 18090, false, "0.0.0.0:18090"},  // every interface, as in Go
      {"[::1]:18090", "[::1]", 18090, true, "[::1]:18090"},
      {"[::]:0", "[::]", 0, true, "[::]:0"},
      {"host:00080", "host", 80, false, "host:80"},
  };
  for (const Case& c : cases) {
    std::string error;
    const std::optional<ListenAddress> a = ParseListenAddress(c.text, &error);
    ASSERT_TRUE(a.has_value()) << c.text << ": " << error;
    EXPECT_EQ(a->host, c.host) << c.text;
    EXPECT_EQ(a->port, c.port) << c.text;
    EXPECT_EQ(a->ipv6(), c.ipv6) << c.text;
    EXPECT_EQ(a->ToString(), c.bind) << c.text;
  }
}

TEST(ParseListenAddress, SaysWhatIsWrong) {
  const std::string kShape = "must be HOST:PORT, e.g. 0.0.0.0:18090";
  struct Case {
    const char* text;
    std::string error;
  };
  const Case cases[] = {
      {"18090", kShape},
      {"", kShape},
      {"::1:80", kShape},  // IPv6 only in brackets
      {"[::1]18090", kShape},
      {"[::1:80", kShape},
      {"[]:80", kShape},
      {"a]:80", kShape},
      {"host:", "has a bad port '' (0 to 65535)"},
      {"host:65536", "has a bad port '65536' (0 to 65535)"},
      {"host:99999", "has a bad port '99999' (0 to 65535)"},
      {"host:100000", "has a bad port '100000' (0 to 65535)"},
      {"host:8x", "has a bad port '8x' (0 to 65535)"},
      {"host:-1", "has a bad port '-1' (0 to 65535)"},
      {"host:+1", "has a bad port '+1' (0 to 65535)"},
  };
  for (const Case& c : cases) {
    std::string error;
    EXPECT_FALSE(ParseListenAddress(c.text, &error).has_value()) << c.text;
    EXPECT_EQ(error, c.error) << c.text;
  }
}

}  // namespace
}  // namespace infercost
