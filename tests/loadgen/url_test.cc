#include "loadgen/url.h"

#include <gtest/gtest.h>

namespace loadgen {
namespace {

TEST(UrlError, AcceptsAbsoluteHttpUrls) {
  for (const char* url :
       {"http://127.0.0.1:8080/predict", "https://abc.execute-api.us-east-1.amazonaws.com/default",
        "HTTP://Example.COM", "http://[::1]:9000/x?y=%20#z", "http://user:pw@host/",
        "http://host./", "http://my_host:1/", "https://host:65535"}) {
    EXPECT_EQ(UrlError(url), "") << url;
  }
}

TEST(UrlError, SaysWhatIsWrong) {
  const std::pair<const char*, const char*> cases[] = {
      {"", "is empty"},
      {"127.0.0.1:8080/predict", "must start with http:// or https://"},
      {"ws://host/", "has scheme 'ws'; use http or https"},
      {"ftp://127.0.0.1/predict", "has scheme 'ftp'; use http or https"},
      {"http://", "has no host"},
      {"http:///predict", "has no host"},
      {"http://:80/", "has no host"},
      {"http://host:0/", "has a bad port '0' (1 to 65535)"},
      {"http://host:/", "has a bad port '' (1 to 65535)"},
      {"http://host:80a/", "has a bad port '80a' (1 to 65535)"},
      {"http://127.0.0.1:99999/predict", "has a bad port '99999' (1 to 65535)"},
      {"http://ho st/", "contains a space or control character"},
      {"http://host/\x7f", "contains a space or control character"},
      {"http://a..b/", "has a bad host 'a..b'"},
      {"http://-a/", "has a bad host '-a'"},
      {"http://[::1/", "has a bad host"},
      {"http://[zz]/", "has a bad IPv6 host '[zz]'"},
      {"http://host/%zz", "has a bad %-escape"},
      {"http://host/%4", "has a bad %-escape"},
  };
  for (const auto& [url, error] : cases) EXPECT_EQ(UrlError(url), error) << url;
}

TEST(HostError, NamesAddressesAndIpv6) {
  for (const char* ok : {"localhost", "127.0.0.1", "[::1]", "[::ffff:1.2.3.4]", "a-b.c_d.", "x"}) {
    EXPECT_EQ(HostError(ok), "") << ok;
  }
  EXPECT_EQ(HostError(""), "has no host");
  EXPECT_EQ(HostError("a..b"), "has a bad host 'a..b'");
  EXPECT_EQ(HostError(std::string(64, 'a')), "has a bad host '" + std::string(64, 'a') + "'");
  EXPECT_EQ(HostError("[]"), "has a bad IPv6 host '[]'");
}

TEST(ParsePort, DigitsWithinRange) {
  EXPECT_EQ(ParsePort("0", 0), 0);
  EXPECT_EQ(ParsePort("0", 1), std::nullopt);
  EXPECT_EQ(ParsePort("65535", 1), 65535);
  EXPECT_EQ(ParsePort("65536", 1), std::nullopt);
  EXPECT_EQ(ParsePort("", 0), std::nullopt);
  EXPECT_EQ(ParsePort("+80", 0), std::nullopt);
  EXPECT_EQ(ParsePort("000080", 0), std::nullopt);
}

TEST(SplitHostPort, BracketedAndPlain) {
  std::string_view host, port;
  bool has_port = false;
  ASSERT_TRUE(SplitHostPort("[::1]:80", &host, &port, &has_port));
  EXPECT_EQ(host, "[::1]");
  EXPECT_EQ(port, "80");
  EXPECT_TRUE(has_port);
  ASSERT_TRUE(SplitHostPort("h", &host, &port, &has_port));
  EXPECT_EQ(host, "h");
  EXPECT_FALSE(has_port);
  EXPECT_FALSE(SplitHostPort("[::1]80", &host, &port, &has_port));
  EXPECT_FALSE(SplitHostPort("[::1", &host, &port, &has_port));
}

}  // namespace
}  // namespace loadgen
