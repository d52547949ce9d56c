// The small readers of the aws module, table-driven: the flat JSON object, ISO 8601 times, the
// shared files' INI form and profile merge, credential_process command lines, STS's XML answers.
#include <gtest/gtest.h>

#include "aws/credentials.h"
#include "aws/flat_json.h"
#include "aws/profile.h"
#include "aws/sts.h"

namespace infercost::aws {
namespace {

using std::chrono::system_clock;

TEST(FlatJsonTest, ReadsFlatObjects) {
  struct Case {
    std::string text;
    std::map<std::string, std::string, std::less<>> members;
  };
  const Case cases[] = {
      {"{}", {}},
      {R"( {"a":"b"} )", {{"a", "b"}}},
      {R"({"Version": 1, "x": -1.5e3, "t": true, "f": false, "n": null})",
       {{"Version", "1"}, {"x", "-1.5e3"}, {"t", "true"}, {"f", "false"}, {"n", "null"}}},
      {R"({"e":"a\"b\\c\/d\n\u00e9\ud83d\ude00"})", {{"e", "a\"b\\c/d\n\xc3\xa9\xf0\x9f\x98\x80"}}},
      {"{\n  \"AccessKeyId\" : \"AKID\" ,\n  \"Token\":\"t\"\n}\n",
       {{"AccessKeyId", "AKID"}, {"Token", "t"}}},
  };
  for (const Case& c : cases) {
    std::string error;
    const auto object = ParseFlatJsonObject(c.text, &error);
    ASSERT_TRUE(object.has_value()) << c.text << ": " << error;
    EXPECT_EQ(object->members, c.members) << c.text;
  }
}

TEST(FlatJsonTest, RefusesAnythingElse) {
  const std::pair<std::string, std::string> cases[] = {
      {"", "expected '{' at offset 0"},
      {"[1]", "expected '{' at offset 0"},
      {R"({"a":{"b":1}})", "expected a string, number, true, false or null at offset 5"},
      {R"({"a":[1]})", "expected a string, number, true, false or null at offset 5"},
      {R"({"a":1,})", "expected a quoted member name at offset 7"},
      {R"({"a":1,"a":2})", "duplicate member name at offset 12"},
      {R"({"a":1} x)", "unexpected text after the object at offset 8"},
      {R"({"a":01})", "expected ',' or '}' at offset 6"},
      {R"({"a":"\x"})", "expected a string, number, true, false or null at offset 8"},
      {"{\"a\":\"line\nbreak\"}", "expected a string, number, true, false or null at offset 11"},
      {R"({"a":"\udc00"})", "expected a string, number, true, false or null at offset 12"},
      {R"({a:1})", "expected a quoted member name at offset 1"},
      {R"({"a" 1})", "expected ':' at offset 5"},
      {R"({"a":tru})", "expected a string, number, true, false or null at offset 5"},
  };
  for (const auto& [text, message] : cases) {
    std::string error;
    EXPECT_FALSE(ParseFlatJsonObject(text, &error).has_value()) << text;
    EXPECT_EQ(error, message) << text;
  }
}

TEST(TimestampTest, ReadsAwsTimes) {
  const auto base = system_clock::from_time_t(1764637200);  // 2025-12-02T01:00:00Z
  const std::pair<std::string, system_clock::time_point> cases[] = {
      {"2025-12-02T01:00:00Z", base},
      {"2025-12-02T01:00:00.500Z", base + std::chrono::milliseconds(500)},
      {"2025-12-02T02:30:00+01:30", base},
      {"2025-12-01T23:00:00-02:00", base},
      {"2025-12-02t01:00:00z", base},
  };
  for (const auto& [text, want] : cases) {
    EXPECT_EQ(ParseTimestamp(text), want) << text;
  }
  for (const char* bad : {"", "2025-12-02", "2025-12-02T01:00:00", "2025-13-02T01:00:00Z",
                          "2025-02-30T01:00:00Z", "2025-12-02T24:00:00Z", "2025-12-02T01:00:00.Z",
                          "2025-12-02T01:00:00Zjunk", "1764637200"}) {
    EXPECT_FALSE(ParseTimestamp(bad).has_value()) << bad;
  }
}

TEST(ProfileFilesTest, ParsesIniAsTheSdksDo) {
  const IniSections sections = ParseIni(
      "# comment\n"
      "[default]\n"
      "region = eu-west-1\n"
      "; another\n"
      "s3 =\n"
      "  max_concurrent_requests = 10\n"
      "[profile dev]\r\n"
      "Role_Arn=arn:aws:iam::1:role/r # not a comment\r\n"
      "  source_profile = skipped\n"
      "[ spaced ]\n"
      "key = a = b\n");
  ASSERT_EQ(sections.size(), 3u);
  EXPECT_EQ(sections.at("default"), (ProfileProperties{{"region", "eu-west-1"}, {"s3", ""}}));
  EXPECT_EQ(sections.at("profile dev"),
            (ProfileProperties{{"role_arn", "arn:aws:iam::1:role/r # not a comment"}}));
  EXPECT_EQ(sections.at("spaced"), (ProfileProperties{{"key", "a = b"}}));
}

TEST(ProfileFilesTest, MergesConfigAndCredentialsFiles) {
  const IniSections config = ParseIni(
      "[default]\nregion = us-west-2\naws_access_key_id = FROMCONFIG\n"
      "[profile dev]\nregion = eu-west-1\n"
      "[bare]\nregion = ap-south-1\n");
  const IniSections credentials = ParseIni(
      "[default]\naws_access_key_id = FROMCREDS\n"
      "[dev]\naws_access_key_id = DEV\n"
      "[only-creds]\naws_access_key_id = OC\n");
  EXPECT_EQ(FindProfile(config, credentials, "default"),
            (ProfileProperties{{"region", "us-west-2"}, {"aws_access_key_id", "FROMCREDS"}}));
  EXPECT_EQ(FindProfile(config, credentials, "dev"),
            (ProfileProperties{{"region", "eu-west-1"}, {"aws_access_key_id", "DEV"}}));
  EXPECT_EQ(FindProfile(config, credentials, "only-creds"),
            (ProfileProperties{{"aws_access_key_id", "OC"}}));
  // In the config file a section without "profile " is not a profile (except [default]).
  EXPECT_FALSE(FindProfile(config, credentials, "bare").has_value());
  EXPECT_FALSE(FindProfile(config, credentials, "missing").has_value());
}

TEST(ProfileFilesTest, SplitsCommandLinesWithoutAShell) {
  const std::pair<std::string, std::vector<std::string>> cases[] = {
      {"/bin/helper", {"/bin/helper"}},
      {"  helper  --profile   x ", {"helper", "--profile", "x"}},
      {R"(helper "a b" 'c "d"' e\ f)", {"helper", "a b", "c \"d\"", "e f"}},
      {R"(helper "" '' "q\"x")", {"helper", "", "", "q\"x"}},
      {"helper $HOME;rm", {"helper", "$HOME;rm"}},
      {"", {}},
  };
  for (const auto& [line, args] : cases) EXPECT_EQ(SplitCommandLine(line), args) << line;
}

TEST(StsAnswerTest, ReadsCredentialsAndErrors) {
  const std::string ok =
      "<AssumeRoleResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\">"
      "<AssumeRoleResult><AssumedRoleUser><Arn>arn</Arn></AssumedRoleUser><Credentials>"
      "<AccessKeyId>ASIA1</AccessKeyId><SecretAccessKey>s&amp;k</SecretAccessKey>"
      "<SessionToken>tok&lt;en</SessionToken><Expiration>2025-12-02T01:00:00Z</Expiration>"
      "</Credentials></AssumeRoleResult></AssumeRoleResponse>";
  const Lookup found = internal::ParseStsAnswer(200, ok, "AssumeRole");
  ASSERT_TRUE(found.found()) << found.message;
  EXPECT_EQ(found.credentials->access_key_id, "ASIA1");
  EXPECT_EQ(found.credentials->secret_access_key, "s&k");
  EXPECT_EQ(found.credentials->session_token, "tok<en");
  EXPECT_EQ(found.credentials->expiration, system_clock::from_time_t(1764637200));

  const std::pair<std::pair<long, std::string>, std::string> errors[] = {
      {{403,
        "<ErrorResponse><Error><Type>Sender</Type><Code>AccessDenied</Code><Message>not "
        "authorized to perform sts:AssumeRole</Message></Error></ErrorResponse>"},
       "AssumeRole answered HTTP 403: AccessDenied: not authorized to perform sts:AssumeRole"},
      {{500, "oops"}, "AssumeRole answered HTTP 500: no error code: no message"},
      {{200, "<AssumeRoleResponse/>"}, "AssumeRole answered without <Credentials>"},
      {{200, "<Credentials><AccessKeyId>A</AccessKeyId></Credentials>"},
       "AssumeRole answered without AccessKeyId, SecretAccessKey, SessionToken or Expiration"},
      {{200,
        "<Credentials><AccessKeyId>A</AccessKeyId><SecretAccessKey>S</SecretAccessKey>"
        "<SessionToken>T</SessionToken><Expiration>soon</Expiration></Credentials>"},
       "AssumeRole answered an Expiration that is not ISO 8601"},
  };
  for (const auto& [answer, message] : errors) {
    const Lookup l = internal::ParseStsAnswer(answer.first, answer.second, "AssumeRole");
    EXPECT_EQ(l.status, Lookup::Status::kError);
    EXPECT_EQ(l.message, message);
  }
}

TEST(StsEndpointTest, HonoursTheSdkOverrides) {
  struct Case {
    std::map<std::string, std::string> env;
    std::string region;
    std::string endpoint;
    std::string signing_region;
  };
  const Case cases[] = {
      {{}, "", "https://sts.amazonaws.com", "us-east-1"},
      {{{"AWS_REGION", "eu-west-1"}}, "", "https://sts.eu-west-1.amazonaws.com", "eu-west-1"},
      {{{"AWS_DEFAULT_REGION", "cn-north-1"}},
       "",
       "https://sts.cn-north-1.amazonaws.com.cn",
       "cn-north-1"},
      {{{"AWS_REGION", "eu-west-1"}},
       "us-west-2",
       "https://sts.us-west-2.amazonaws.com",
       "us-west-2"},
      {{{"AWS_ENDPOINT_URL", "http://127.0.0.1:1"}}, "", "http://127.0.0.1:1", "us-east-1"},
      {{{"AWS_ENDPOINT_URL", "http://127.0.0.1:1"}, {"AWS_ENDPOINT_URL_STS", "http://127.0.0.1:2"}},
       "eu-west-1",
       "http://127.0.0.1:2",
       "eu-west-1"},
  };
  for (const Case& c : cases) {
    const Environment env = [&c](std::string_view name) -> std::optional<std::string> {
      const auto it = c.env.find(std::string(name));
      if (it == c.env.end()) return std::nullopt;
      return it->second;
    };
    std::string signing_region;
    EXPECT_EQ(StsEndpoint(env, c.region, &signing_region), c.endpoint);
    EXPECT_EQ(signing_region, c.signing_region);
  }
}

TEST(SourceTest, NamesRoundTrip) {
  for (const char* name :
       {"default", "static", "profile", "web_identity", "container", "instance", "process"}) {
    const std::optional<Source> s = ParseSource(name);
    ASSERT_TRUE(s.has_value()) << name;
    EXPECT_EQ(SourceName(*s), name);
  }
  EXPECT_FALSE(ParseSource("env").has_value());
}

}  // namespace
}  // namespace infercost::aws
