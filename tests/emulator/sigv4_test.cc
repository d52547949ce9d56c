// SHA-256, HMAC-SHA256 and SigV4 verification against published vectors (FIPS 180-2, RFC 4231,
// AWS's SigV4 test suite "get-vanilla") and a Lambda request signed by botocore.
#include "emulator/src/sigv4.h"

#include <gtest/gtest.h>

#include <optional>
#include <string>

#include "emulator/src/digest.h"

namespace emulator {
namespace {

std::string Sha256Hex(std::string_view data) { return HexLower(AsBytes(Sha256Of(data))); }
std::string HmacHex(std::string_view key, std::string_view data) {
  return HexLower(AsBytes(HmacSha256(key, data)));
}

TEST(Sha256Test, Fips180Vectors) {
  struct Case {
    std::string input;
    const char* digest;
  };
  const Case cases[] = {
      {"", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"},
      {"abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"},
      {"abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
       "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"},
      {std::string(1000000, 'a'),
       "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0"},
      // Padding edges: 55 bytes fit one block with the length, 64 need a second.
      {std::string(55, 'a'), "9f4390f8d30c2dd92ec9f095b65e2b9ae9b0a925a5258e241c9f1e910f734318"},
      {std::string(64, 'a'), "ffe054fe7ae0cb6dc65c3af9b61d5209f439851db43d0ba5997337df154668eb"},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(Sha256Hex(c.input), c.digest) << c.input.size() << " bytes";
  }
}

TEST(Sha256Test, UpdatesInPiecesEqualOneUpdate) {
  const std::string text(1000, 'x');
  Sha256 hash;
  for (size_t i = 0; i < text.size(); i += 7) hash.Update(std::string_view(text).substr(i, 7));
  EXPECT_EQ(HexLower(AsBytes(hash.Finish())), Sha256Hex(text));
}

TEST(HmacSha256Test, Rfc4231Vectors) {
  EXPECT_EQ(HmacHex(std::string(20, '\x0b'), "Hi There"),
            "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7");
  EXPECT_EQ(HmacHex("Jefe", "what do ya want for nothing?"),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
  EXPECT_EQ(HmacHex(std::string(20, '\xaa'), std::string(50, '\xdd')),
            "773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe");
  EXPECT_EQ(
      HmacHex(std::string(131, '\xaa'), "Test Using Larger Than Block-Size Key - Hash Key First"),
      "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54");
}

TEST(EncodingTest, Base64AndConstantTimeEquals) {
  EXPECT_EQ(Base64(""), "");
  EXPECT_EQ(Base64("f"), "Zg==");
  EXPECT_EQ(Base64("fo"), "Zm8=");
  EXPECT_EQ(Base64("foo"), "Zm9v");
  EXPECT_EQ(Base64("foobar"), "Zm9vYmFy");
  EXPECT_TRUE(ConstantTimeEquals("abc", "abc"));
  EXPECT_FALSE(ConstantTimeEquals("abc", "abd"));
  EXPECT_FALSE(ConstantTimeEquals("abc", "abcd"));
}

TEST(EncodingTest, Base64UrlDecodeRfc4648Vectors) {
  struct Case {
    const char* text;
    std::optional<std::string> bytes;
  };
  const Case cases[] = {
      {"", ""},
      {"Zg", "f"},
      {"Zg==", "f"},
      {"Zm8", "fo"},
      {"Zm9v", "foo"},
      {"Zm9vYmFy", "foobar"},
      {"-_-_", "\xfb\xff\xbf"},  // the URL alphabet's 62 and 63
      {"+/+/", std::nullopt},    // standard base64's are not
      {"Zm9vY", std::nullopt},   // 4n+1 characters encode nothing
      {"Zm.v", std::nullopt},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(Base64UrlDecode(c.text), c.bytes) << c.text;
  }
}

constexpr const char* kSecret = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";

SystemClock::time_point At(int hour, int minute, int second = 0) {
  // 2015-08-30 as in AWS's test suite.
  return SystemClock::from_time_t(1440892800 + hour * 3600 + minute * 60 + second);
}

HttpRequest GetVanilla() {
  HttpRequest r;
  r.method = "GET";
  r.path = "/";
  r.headers = {{"Host", "example.amazonaws.com"},
               {"X-Amz-Date", "20150830T123600Z"},
               {"Authorization",
                "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, "
                "SignedHeaders=host;x-amz-date, "
                "Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31"}};
  return r;
}

AwsKey LongTermKey(std::string id, std::string secret) {
  AwsKey key;
  key.access_key_id = std::move(id);
  key.secret_access_key = std::move(secret);
  return key;
}

// AWS's example key, known to a new store.
class ExampleKeys : public KeyStore {
 public:
  ExampleKeys() { Add(LongTermKey("AKIDEXAMPLE", kSecret)); }
};

TEST(SigV4Test, AwsSuiteGetVanilla) {
  const HttpRequest r = GetVanilla();
  EXPECT_EQ(CanonicalRequest(r, "host;x-amz-date"),
            "GET\n/\n\nhost:example.amazonaws.com\nx-amz-date:20150830T123600Z\n\n"
            "host;x-amz-date\n"
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  const ExampleKeys keys;
  const SigV4Verdict v = VerifySigV4(r, keys, "us-east-1", "service", At(12, 36));
  EXPECT_EQ(v.failure, SigV4Failure::kNone) << v.message;
  EXPECT_EQ(v.access_key_id, "AKIDEXAMPLE");
}

// Signed by botocore 1.29 (SigV4Auth at 2015-08-30T12:36:00Z): an ARN in the path (encoded
// twice in the canonical request), a query to sort, a header value to trim.
TEST(SigV4Test, BotocoreSignedLambdaRequest) {
  HttpRequest r;
  r.method = "POST";
  r.path = "/2015-03-31/functions/arn%3Aaws%3Alambda%3Aus-east-1%3A1%3Afunction%3Af/invocations";
  r.query = "Qualifier=%24LATEST&a=b%20c";
  r.body = R"({"x":1})";
  r.headers = {{"Content-Type", "application/json"},
               {"X-Amz-Foo", "  a   b  "},
               {"Host", "example.amazonaws.com"},
               {"X-Amz-Date", "20150830T123600Z"},
               {"Authorization",
                "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/lambda/aws4_request, "
                "SignedHeaders=content-type;host;x-amz-date;x-amz-foo, "
                "Signature=1acbbc5f9e6c0bbe364687f420e0caf0ac46978f1481262c71a43473d6920cae"}};
  const ExampleKeys keys;
  SigV4Verdict v = VerifySigV4(r, keys, "us-east-1", "lambda", At(12, 36));
  EXPECT_EQ(v.failure, SigV4Failure::kNone) << v.message;
  r.body = R"({"x":2})";
  EXPECT_EQ(VerifySigV4(r, keys, "us-east-1", "lambda", At(12, 36)).failure,
            SigV4Failure::kBadSignature);
}

TEST(SigV4Test, EachFailureHasItsVerdict) {
  const ExampleKeys keys;
  struct Case {
    const char* name;
    std::string region, service;
    SystemClock::time_point now;
    SigV4Failure failure;
  };
  const Case cases[] = {
      {"right", "us-east-1", "service", At(12, 40), SigV4Failure::kNone},
      {"wrong region", "eu-west-1", "service", At(12, 36), SigV4Failure::kWrongRegion},
      {"wrong service", "us-east-1", "lambda", At(12, 36), SigV4Failure::kWrongService},
      {"6 min late", "us-east-1", "service", At(12, 42), SigV4Failure::kSkew},
      {"6 min early", "us-east-1", "service", At(12, 30), SigV4Failure::kSkew},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(VerifySigV4(GetVanilla(), keys, c.region, c.service, c.now).failure, c.failure)
        << c.name;
  }
  EXPECT_EQ(VerifySigV4(GetVanilla(), keys, "us-east-1", "service", At(12, 42)).message,
            "Signature expired: 20150830T123600Z is now earlier than 20150830T123700Z "
            "(20150830T124200Z - 5 min.)");
  KeyStore other;
  other.Add(LongTermKey("AKIDEXAMPLE", "another secret"));
  EXPECT_EQ(VerifySigV4(GetVanilla(), other, "us-east-1", "service", At(12, 36)).failure,
            SigV4Failure::kBadSignature);
  EXPECT_EQ(VerifySigV4(GetVanilla(), KeyStore(), "us-east-1", "service", At(12, 36)).failure,
            SigV4Failure::kUnknownKey);
  HttpRequest unsigned_request = GetVanilla();
  unsigned_request.headers.pop_back();
  EXPECT_EQ(VerifySigV4(unsigned_request, keys, "us-east-1", "service", At(12, 36)).failure,
            SigV4Failure::kMissing);
}

TEST(SigV4Test, IssuedKeysNeedTheirTokenAndExpire) {
  KeyStore keys;
  const AwsKey issued = keys.Issue(At(13, 0));
  EXPECT_TRUE(issued.access_key_id.starts_with("ASIA"));
  EXPECT_EQ(issued.access_key_id.size(), 20u);
  EXPECT_EQ(issued.secret_access_key.size(), 40u);
  HttpRequest r = GetVanilla();
  r.headers.pop_back();
  r.headers.emplace_back("X-Amz-Security-Token", issued.session_token);
  const std::string scope = "20150830/us-east-1/service/aws4_request";
  const std::string signed_headers = "host;x-amz-date;x-amz-security-token";
  const std::string signature =
      SignatureHex(issued.secret_access_key, "20150830", "us-east-1", "service",
                   StringToSign("20150830T123600Z", scope, CanonicalRequest(r, signed_headers)));
  r.headers.emplace_back("Authorization", "AWS4-HMAC-SHA256 Credential=" + issued.access_key_id +
                                              "/" + scope + ", SignedHeaders=" + signed_headers +
                                              ", Signature=" + signature);
  EXPECT_EQ(VerifySigV4(r, keys, "us-east-1", "service", At(12, 36)).failure, SigV4Failure::kNone);
  EXPECT_EQ(VerifySigV4(r, keys, "us-east-1", "service", At(13, 0)).failure,
            SigV4Failure::kExpiredToken);
  r.headers[2].second = "another token";
  EXPECT_EQ(VerifySigV4(r, keys, "us-east-1", "service", At(12, 36)).failure,
            SigV4Failure::kUnknownKey);
}

TEST(ApiHttpTest, PercentCodingAndFormValues) {
  EXPECT_EQ(PercentDecode("arn%3Aaws%3a%ZZ+x"), "arn:aws:%ZZ+x");
  EXPECT_EQ(PercentEncode("a b/c:~", false), "a%20b%2Fc%3A~");
  EXPECT_EQ(PercentEncode("a b/c:~", true), "a%20b/c%3A~");
  EXPECT_EQ(FormValue("Action=AssumeRole&RoleArn=arn%3Aaws%3Aiam&X=a+b", "RoleArn"), "arn:aws:iam");
  EXPECT_EQ(FormValue("Action=AssumeRole&RoleArn=arn%3Aaws%3Aiam&X=a+b", "X"), "a b");
  EXPECT_EQ(FormValue("Action=AssumeRole", "Missing"), "");
}

}  // namespace
}  // namespace emulator
