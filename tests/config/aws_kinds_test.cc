// The config's AWS target kinds: function names and ARNs, Function URL regions, how region,
// pricing region and credentials settle, and the top-level credentials default.
#include <gtest/gtest.h>

#include <algorithm>
#include <map>

#include "config/config.h"

namespace infercost {
namespace {

EnvLookup NoEnv() {
  return [](const std::string&) -> std::optional<std::string> { return std::nullopt; };
}

Config Parse(const std::string& yaml) {
  ConfigResult result = ParseConfig(yaml, "inline.yaml", NoEnv());
  std::string errors;
  for (const ConfigError& e : result.errors) errors += e.ToString() + "\n";
  EXPECT_TRUE(result.config.has_value()) << errors;
  return result.config.value_or(Config{});
}

TEST(FunctionNameTest, TakesEveryFormInvokeTakes) {
  struct Case {
    std::string text;
    std::optional<FunctionName> want;
  };
  const Case cases[] = {
      {"mobilenet", FunctionName{"mobilenet", "", ""}},
      {"mobilenet:live", FunctionName{"mobilenet", "", "live"}},
      {"mobilenet:$LATEST", FunctionName{"mobilenet", "", "$LATEST"}},
      {"123456789012:function:mobilenet", FunctionName{"mobilenet", "", ""}},
      {"123456789012:function:mobilenet:7", FunctionName{"mobilenet", "", "7"}},
      {"arn:aws:lambda:eu-west-1:123456789012:function:mobilenet",
       FunctionName{"mobilenet", "eu-west-1", ""}},
      {"arn:aws-cn:lambda:cn-north-1:123456789012:function:m_1:live",
       FunctionName{"m_1", "cn-north-1", "live"}},
      {"", std::nullopt},
      {"my function", std::nullopt},
      {"mobilenet:", std::nullopt},
      {"a:b:c", std::nullopt},
      {std::string(65, 'a'), std::nullopt},
      {"arn:aws:s3:eu-west-1:123456789012:function:x", std::nullopt},
      {"arn:aws:lambda:eu-west-1:1234:function:x", std::nullopt},
      {"arn:aws:lambda:eu-west-1:123456789012:layer:x", std::nullopt},
      {"arn:aws:lambda:EU:123456789012:function:x", std::nullopt},
      {"arn:aws:lambda:eu-west-1:123456789012:function:x:1:2", std::nullopt},
      {"12345678901x:function:x", std::nullopt},
  };
  for (const Case& c : cases) {
    const std::optional<FunctionName> got = ParseFunctionName(c.text);
    ASSERT_EQ(got.has_value(), c.want.has_value()) << c.text;
    if (!got) continue;
    EXPECT_EQ(got->name, c.want->name) << c.text;
    EXPECT_EQ(got->region, c.want->region) << c.text;
    EXPECT_EQ(got->qualifier, c.want->qualifier) << c.text;
  }
}

TEST(FunctionUrlRegionTest, ReadsTheHost) {
  const std::map<std::string, std::string> cases = {
      {"https://abcdefg.lambda-url.eu-west-1.on.aws/", "eu-west-1"},
      {"https://abcdefg.lambda-url.us-east-1.on.aws", "us-east-1"},
      {"https://abcdefg.lambda-url.us-east-1.on.aws:443/x?y", "us-east-1"},
      {"http://127.0.0.1:9000/lambda-url/mobilenet/", ""},
      {"https://x.execute-api.us-east-1.amazonaws.com/prod", ""},
      {"https://lambda-url..on.aws/", ""},
      {"not a url", ""},
  };
  for (const auto& [url, region] : cases) EXPECT_EQ(RegionOfFunctionUrl(url), region) << url;
}

TEST(AwsKindsTest, LambdaTakesItsRegionFromTheArnAndPricesThere) {
  const Config config = Parse(R"(
targets:
  - name: l
    kind: lambda
    function: arn:aws:lambda:us-east-1:123456789012:function:mobilenet:live
    pricing: { model: lambda, memory_mb: 1024 }
)");
  ASSERT_EQ(config.targets.size(), 1u);
  const TargetConfig& t = config.targets[0];
  EXPECT_EQ(t.kind, TargetKind::kLambda);
  EXPECT_EQ(t.aws.function, "arn:aws:lambda:us-east-1:123456789012:function:mobilenet:live");
  EXPECT_EQ(t.aws.region, "us-east-1");
  EXPECT_EQ(t.aws.qualifier, "");  // part of the name; Invoke takes it there
  EXPECT_TRUE(t.aws.sign);
  EXPECT_EQ(t.aws.credentials.source, CredentialsSource::kDefault);
  EXPECT_EQ(t.pricing.region, "us-east-1");
  EXPECT_TRUE(t.request.url.empty());  // derived when the target starts
}

TEST(AwsKindsTest, TopLevelCredentialsAreTheDefaultOfSignedTargets) {
  const Config config = Parse(R"(
credentials: { source: profile, profile: bench }
targets:
  - name: sm
    kind: sagemaker
    endpoint: mobilenet-v2
    variant: AllTraffic
    endpoint_url: http://127.0.0.1:9/
    pricing: { model: hourly, usd_per_hour: 0.7364 }
  - name: own
    kind: lambda
    function: mobilenet
    qualifier: '3'
    credentials: { source: web_identity, role_arn: 'arn:aws:iam::123456789012:role/r',
                   token_file: /var/run/token }
    pricing: { model: lambda, memory_mb: 2048, architecture: arm64 }
  - name: public-url
    kind: lambda_url
    url: https://abc.lambda-url.us-east-1.on.aws/
    auth: none
    pricing: { model: lambda, memory_mb: 1024 }
  - name: iam-url
    kind: lambda_url
    url: https://abc.lambda-url.us-east-1.on.aws/
    pricing: { model: lambda, memory_mb: 1024 }
  - name: plain
    url: http://127.0.0.1:8080/predict
    pricing: { model: hourly, usd_per_hour: 1 }
)");
  ASSERT_EQ(config.targets.size(), 5u);
  EXPECT_EQ(config.credentials.source, CredentialsSource::kProfile);
  const TargetConfig& sm = config.targets[0];
  EXPECT_EQ(sm.kind, TargetKind::kSageMaker);
  EXPECT_EQ(sm.aws.endpoint, "mobilenet-v2");
  EXPECT_EQ(sm.aws.variant, "AllTraffic");
  EXPECT_EQ(sm.aws.endpoint_url, "http://127.0.0.1:9/");
  EXPECT_EQ(sm.aws.region, "us-east-1");
  EXPECT_EQ(sm.aws.credentials.source, CredentialsSource::kProfile);
  EXPECT_EQ(sm.aws.credentials.profile, "bench");
  const TargetConfig& own = config.targets[1];
  EXPECT_EQ(own.aws.qualifier, "3");
  EXPECT_EQ(own.aws.credentials.source, CredentialsSource::kWebIdentity);
  EXPECT_EQ(own.aws.credentials.role_arn, "arn:aws:iam::123456789012:role/r");
  EXPECT_EQ(own.aws.credentials.token_file, "/var/run/token");
  EXPECT_EQ(own.aws.credentials.profile, "");
  EXPECT_FALSE(config.targets[2].aws.sign);
  EXPECT_TRUE(config.targets[3].aws.sign);
  EXPECT_EQ(config.targets[3].aws.region, "us-east-1");
  EXPECT_FALSE(config.targets[4].aws.sign);
  EXPECT_EQ(config.targets[4].kind, TargetKind::kHttp);
}

TEST(AwsKindsTest, ARegionMovesThePricesWithIt) {
  // No catalog prices for eu-west-1 are built in, so an hourly price (the user's own figure)
  // is what prices it; the pricing region follows the target's.
  const Config config = Parse(R"(
targets:
  - name: sm
    kind: sagemaker
    endpoint: mobilenet
    region: eu-west-1
    pricing: { model: hourly, usd_per_hour: 0.8 }
)");
  ASSERT_EQ(config.targets.size(), 1u);
  EXPECT_EQ(config.targets[0].aws.region, "eu-west-1");
  EXPECT_EQ(config.targets[0].pricing.region, "eu-west-1");
}

TEST(AwsKindsTest, StaticKeysAreSecrets) {
  const Config config = Parse(R"(
targets:
  - name: l
    kind: lambda
    function: mobilenet
    credentials: { source: static, access_key: AKIDSTATIC, secret_key: s3cr3t-value,
                   session_token: t0ken-value }
    pricing: { model: lambda, memory_mb: 1024 }
)");
  ASSERT_EQ(config.targets.size(), 1u);
  EXPECT_EQ(config.targets[0].aws.credentials.secret_key, "s3cr3t-value");
  for (const char* secret : {"AKIDSTATIC", "s3cr3t-value", "t0ken-value"}) {
    EXPECT_NE(std::find(config.secrets.begin(), config.secrets.end(), secret), config.secrets.end())
        << secret;
  }
}

TEST(AwsKindsTest, SigV4WithoutKeysSignsWithTheCredentialsSource) {
  const Config config = Parse(R"(
targets:
  - name: apigw
    url: https://abc.execute-api.us-east-1.amazonaws.com/prod/predict
    auth: { aws_sigv4: { provider: 'aws:amz:us-east-1:execute-api' } }
    credentials: { source: container }
    pricing: { model: lambda, memory_mb: 1024, api_gateway: rest }
)");
  ASSERT_EQ(config.targets.size(), 1u);
  const TargetConfig& t = config.targets[0];
  ASSERT_TRUE(t.request.sigv4.has_value());
  EXPECT_EQ(t.request.sigv4->provider, "aws:amz:us-east-1:execute-api");
  EXPECT_TRUE(t.request.sigv4->access_key.empty());
  EXPECT_TRUE(t.aws.sign);
  EXPECT_EQ(t.aws.credentials.source, CredentialsSource::kContainer);
}

}  // namespace
}  // namespace infercost
