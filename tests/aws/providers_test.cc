// Every credential source end to end against loopback fakes: environment, profile files (static
// keys, role_arn + source_profile through a signed STS AssumeRole, credential_process), web
// identity, the ECS container endpoint (relative and full URI), IMDSv2, and the chain's order.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <fstream>

#include "aws/credentials.h"
#include "aws/env_map.h"
#include "aws/fake_aws.h"
#include "aws/http.h"
#include "aws/metadata.h"
#include "support/temp_dir.h"

namespace infercost::aws {
namespace {

using test::EnvFrom;
using test::FakeAws;
using test::FakeReply;
using test::FakeRequest;
using test::StsXml;

constexpr const char* kExpiration = "2030-01-01T00:00:00Z";

void WriteFile(const std::filesystem::path& path, const std::string& text) {
  std::ofstream(path) << text;
}

// An STS that answers AssumeRole only when signed with SigV4 by `source_key` (with
// `source_token` as x-amz-security-token when given), and AssumeRoleWithWebIdentity only
// unsigned with `web_token`. It issues keys named after the role.
FakeAws::Handler Sts(std::string source_key, std::string source_token, std::string web_token) {
  return [=](const FakeRequest& r) -> FakeReply {
    const std::string auth = r.Header("authorization");
    if (r.method != "POST" || r.path != "/") return {404, "", "text/plain"};
    if (r.body.starts_with("Action=AssumeRole&")) {
      const bool signed_by_source =
          auth.starts_with("AWS4-HMAC-SHA256 Credential=" + source_key + "/") &&
          auth.find("/sts/aws4_request") != std::string::npos &&
          r.Header("x-amz-security-token") == source_token;
      if (!signed_by_source) {
        return {403,
                "<ErrorResponse><Error><Code>SignatureDoesNotMatch</Code><Message>bad "
                "signature</Message></Error></ErrorResponse>",
                "text/xml"};
      }
      return {200, StsXml("AssumeRole", "ASIAROLE", kExpiration), "text/xml"};
    }
    if (r.body.starts_with("Action=AssumeRoleWithWebIdentity&") && auth.empty() &&
        r.body.find("&WebIdentityToken=" + web_token) != std::string::npos &&
        r.body.find("RoleArn=arn%3Aaws%3Aiam%3A%3A1%3Arole%2Fweb") != std::string::npos) {
      return {200, StsXml("AssumeRoleWithWebIdentity", "ASIAWEB", kExpiration), "text/xml"};
    }
    return {400, "<ErrorResponse><Error><Code>InvalidAction</Code></Error></ErrorResponse>",
            "text/xml"};
  };
}

std::string CredentialsJson(const std::string& key, const std::string& token_key) {
  return R"({"Code":"Success","Type":"AWS-HMAC","AccessKeyId":")" + key +
         R"(","SecretAccessKey":"secret-of-)" + key + R"(",")" + token_key + R"(":"token-of-)" +
         key + R"(","Expiration":")" + kExpiration + R"("})";
}

// IMDSv2: the token PUT (with its TTL header) is required; a GET without the token is refused.
FakeReply Imds(const FakeRequest& r) {
  if (r.method == "PUT" && r.path == "/latest/api/token") {
    if (r.Header("x-aws-ec2-metadata-token-ttl-seconds").empty()) return {400, "", "text/plain"};
    return {200, "imds-session-token", "text/plain"};
  }
  if (r.Header("x-aws-ec2-metadata-token") != "imds-session-token") {
    return {401, "", "text/plain"};
  }
  if (r.path == "/latest/meta-data/iam/security-credentials/") {
    return {200, "instance-role", "text/plain"};
  }
  if (r.path == "/latest/meta-data/iam/security-credentials/instance-role") {
    return {200, CredentialsJson("ASIAIMDS", "Token"), "application/json"};
  }
  return {404, "", "text/plain"};
}

// The ECS endpoint: answers on /creds, with the Authorization header equal to `token` if given.
FakeAws::Handler Container(std::string token) {
  return [token](const FakeRequest& r) -> FakeReply {
    if (r.path != "/creds") return {404, "", "text/plain"};
    if (r.Header("authorization") != token) return {401, "", "text/plain"};
    return {200, CredentialsJson("ASIAECS", "Token"), "application/json"};
  };
}

std::string KeyOf(const Lookup& l) {
  return l.found() ? l.credentials->access_key_id : "error: " + l.message;
}

TEST(ProvidersTest, Environment) {
  const Lookup l = FromEnvironment(EnvFrom({{"AWS_ACCESS_KEY_ID", "AKIDENV"},
                                            {"AWS_SECRET_ACCESS_KEY", "env-secret"},
                                            {"AWS_SESSION_TOKEN", "env-token"}}));
  ASSERT_TRUE(l.found());
  EXPECT_EQ(l.credentials->access_key_id, "AKIDENV");
  EXPECT_EQ(l.credentials->secret_access_key, "env-secret");
  EXPECT_EQ(l.credentials->session_token, "env-token");
  EXPECT_FALSE(l.credentials->expiration.has_value());
  EXPECT_EQ(FromEnvironment(EnvFrom({})).status, Lookup::Status::kNotConfigured);
  const Lookup partial = FromEnvironment(EnvFrom({{"AWS_ACCESS_KEY_ID", "AKIDENV"}}));
  EXPECT_EQ(partial.status, Lookup::Status::kError);
  EXPECT_EQ(partial.message, "AWS_SECRET_ACCESS_KEY is not set while AWS_ACCESS_KEY_ID is");
}

TEST(ProvidersTest, ProfileWithStaticKeys) {
  test::TempDir dir("aws_profile_static");
  WriteFile(dir / "credentials",
            "[default]\naws_access_key_id = AKIDDEFAULT\naws_secret_access_key = d\n"
            "[dev]\naws_access_key_id = AKIDDEV\naws_secret_access_key = dev-secret\n"
            "aws_session_token = dev-token\n");
  WriteFile(dir / "config", "[profile dev]\nregion = eu-west-1\n");
  const std::map<std::string, std::string> files = {
      {"AWS_SHARED_CREDENTIALS_FILE", (dir / "credentials").string()},
      {"AWS_CONFIG_FILE", (dir / "config").string()}};
  EXPECT_EQ(KeyOf(FromProfile(EnvFrom(files), "", false)), "AKIDDEFAULT");
  auto with_profile = files;
  with_profile["AWS_PROFILE"] = "dev";
  const Lookup dev = FromProfile(EnvFrom(with_profile), "", false);
  ASSERT_TRUE(dev.found()) << dev.message;
  EXPECT_EQ(dev.credentials->secret_access_key, "dev-secret");
  EXPECT_EQ(dev.credentials->session_token, "dev-token");
  // A named profile that does not exist is an error, whether named in config or AWS_PROFILE.
  with_profile["AWS_PROFILE"] = "nope";
  EXPECT_EQ(FromProfile(EnvFrom(with_profile), "", false).status, Lookup::Status::kError);
  const Lookup missing = FromProfile(EnvFrom(files), "nope", true);
  EXPECT_EQ(missing.message, "profile nope is in neither " + (dir / "config").string() + " nor " +
                                 (dir / "credentials").string());
  // HOME locates the default files.
  std::filesystem::create_directories(dir / "home/.aws");
  std::filesystem::copy_file(dir / "credentials", dir / "home/.aws/credentials");
  EXPECT_EQ(KeyOf(FromProfile(EnvFrom({{"HOME", (dir / "home").string()}}), "dev", true)),
            "AKIDDEV");
}

TEST(ProvidersTest, ProfileAssumesRoleSignedBySourceProfile) {
  FakeAws sts(Sts("AKIDSOURCE", "source-token", ""));
  test::TempDir dir("aws_profile_role");
  WriteFile(dir / "credentials",
            "[base]\naws_access_key_id = AKIDSOURCE\naws_secret_access_key = source-secret\n"
            "aws_session_token = source-token\n"
            "[wrong]\naws_access_key_id = AKIDWRONG\naws_secret_access_key = w\n");
  WriteFile(dir / "config",
            "[profile app]\nrole_arn = arn:aws:iam::1:role/app\nsource_profile = base\n"
            "role_session_name = infercost-test\nregion = eu-west-1\n"
            "[profile bad]\nrole_arn = arn:aws:iam::1:role/app\nsource_profile = wrong\n"
            "[profile loop]\nrole_arn = arn:aws:iam::1:role/app\nsource_profile = loop2\n"
            "[profile loop2]\nrole_arn = arn:aws:iam::1:role/app\nsource_profile = loop\n");
  const auto env = EnvFrom({{"AWS_SHARED_CREDENTIALS_FILE", (dir / "credentials").string()},
                            {"AWS_CONFIG_FILE", (dir / "config").string()},
                            {"AWS_ENDPOINT_URL_STS", sts.Url()}});
  const Lookup l = FromProfile(env, "app", true);
  ASSERT_TRUE(l.found()) << l.message;
  EXPECT_EQ(l.credentials->access_key_id, "ASIAROLE");
  EXPECT_EQ(l.credentials->session_token, "token-of-ASIAROLE");
  EXPECT_EQ(l.credentials->expiration, ParseTimestamp(kExpiration));
  const FakeRequest request = sts.Requests().back();
  EXPECT_NE(request.Header("authorization").find("/eu-west-1/sts/aws4_request"), std::string::npos);
  EXPECT_NE(request.body.find("RoleSessionName=infercost-test"), std::string::npos);
  EXPECT_NE(request.body.find("Version=2011-06-15"), std::string::npos);

  const Lookup bad = FromProfile(env, "bad", true);
  EXPECT_EQ(bad.status, Lookup::Status::kError);
  EXPECT_EQ(bad.message, "AssumeRole answered HTTP 403: SignatureDoesNotMatch: bad signature");
  EXPECT_EQ(FromProfile(env, "loop", true).message,
            "profile loop2: source_profile loop forms a loop or a chain longer than 5");
}

TEST(ProvidersTest, CredentialProcessRunsWithoutAShell) {
  test::TempDir dir("aws_process");
  const std::filesystem::path script = dir / "creds helper.sh";
  // The script prints its first argument as the key id: proof that the quoted argument with a
  // blank arrived whole (no shell split it).
  WriteFile(script,
            "#!/bin/sh\n"
            "printf '{\"Version\": 1, \"AccessKeyId\": \"%s\", \"SecretAccessKey\": \"p-secret\", "
            "\"SessionToken\": \"p-token\", \"Expiration\": \"2030-01-01T00:00:00Z\"}' \"$1\"\n");
  chmod(script.c_str(), 0700);
  const std::string command = "'" + script.string() + "' \"AKID PROCESS\"";
  const Lookup l = FromProcess(command);
  ASSERT_TRUE(l.found()) << l.message;
  EXPECT_EQ(l.credentials->access_key_id, "AKID PROCESS");
  EXPECT_EQ(l.credentials->session_token, "p-token");
  EXPECT_EQ(l.credentials->expiration, ParseTimestamp(kExpiration));

  // Through a profile, as credential_process.
  WriteFile(dir / "config", "[profile proc]\ncredential_process = " + command + "\n");
  EXPECT_EQ(KeyOf(FromProfile(EnvFrom({{"AWS_CONFIG_FILE", (dir / "config").string()},
                                       {"AWS_SHARED_CREDENTIALS_FILE", "/nonexistent"}}),
                              "proc", true)),
            "AKID PROCESS");

  const std::filesystem::path failing = dir / "fail.sh";
  WriteFile(failing, "#!/bin/sh\necho '{\"Version\": 1}'\nexit 3\n");
  chmod(failing.c_str(), 0700);
  EXPECT_EQ(FromProcess(failing.string()).message,
            "credential_process " + failing.string() + " failed (exit status 3)");
  const std::filesystem::path v2 = dir / "v2.sh";
  WriteFile(v2, "#!/bin/sh\necho '{\"Version\": 2, \"AccessKeyId\": \"A\"}'\n");
  chmod(v2.c_str(), 0700);
  EXPECT_EQ(FromProcess(v2.string()).message,
            "credential_process " + v2.string() + " printed no \"Version\": 1");
  EXPECT_EQ(FromProcess("/nonexistent/helper").message,
            "cannot run credential_process /nonexistent/helper");
}

TEST(ProvidersTest, WebIdentityIsUnsigned) {
  FakeAws sts(Sts("", "", "jwt.token.value"));
  test::TempDir dir("aws_web_identity");
  WriteFile(dir / "token", "jwt.token.value\n");
  const auto env = EnvFrom({{"AWS_WEB_IDENTITY_TOKEN_FILE", (dir / "token").string()},
                            {"AWS_ROLE_ARN", "arn:aws:iam::1:role/web"},
                            {"AWS_ROLE_SESSION_NAME", "pod-1"},
                            {"AWS_ENDPOINT_URL", sts.Url()}});
  const Lookup l = FromWebIdentity(env, "", "", "");
  ASSERT_TRUE(l.found()) << l.message;
  EXPECT_EQ(l.credentials->access_key_id, "ASIAWEB");
  EXPECT_NE(sts.Requests().back().body.find("RoleSessionName=pod-1"), std::string::npos);
  EXPECT_EQ(FromWebIdentity(EnvFrom({}), "", "", "").status, Lookup::Status::kNotConfigured);
  EXPECT_EQ(
      FromWebIdentity(EnvFrom({{"AWS_ROLE_ARN", "arn:aws:iam::1:role/web"}}), "", "", "").status,
      Lookup::Status::kError);
}

TEST(ProvidersTest, ContainerRelativeAndFullUri) {
  FakeAws relative(Container(""));
  const Lookup rel = internal::FromContainer(
      EnvFrom({{"AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "/creds"}}), relative.Url());
  ASSERT_TRUE(rel.found()) << rel.message;
  EXPECT_EQ(rel.credentials->access_key_id, "ASIAECS");
  EXPECT_EQ(rel.credentials->session_token, "token-of-ASIAECS");

  FakeAws full(Container("Bearer pod-token"));
  const Lookup with_token =
      FromContainer(EnvFrom({{"AWS_CONTAINER_CREDENTIALS_FULL_URI", full.Url() + "/creds"},
                             {"AWS_CONTAINER_AUTHORIZATION_TOKEN", "Bearer pod-token"}}));
  EXPECT_EQ(KeyOf(with_token), "ASIAECS");
  // The token file wins over the variable (EKS Pod Identity).
  test::TempDir dir("aws_container");
  WriteFile(dir / "token", "Bearer pod-token\n");
  EXPECT_EQ(KeyOf(FromContainer(
                EnvFrom({{"AWS_CONTAINER_CREDENTIALS_FULL_URI", full.Url() + "/creds"},
                         {"AWS_CONTAINER_AUTHORIZATION_TOKEN", "wrong"},
                         {"AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE", (dir / "token").string()}}))),
            "ASIAECS");
  const Lookup refused =
      FromContainer(EnvFrom({{"AWS_CONTAINER_CREDENTIALS_FULL_URI", full.Url() + "/creds"},
                             {"AWS_CONTAINER_AUTHORIZATION_TOKEN", "wrong"}}));
  EXPECT_EQ(refused.message,
            "the container credentials endpoint " + full.Url() + "/creds answered HTTP 401");
  // Plain http to a host that is neither loopback nor the ECS/EKS agent is refused unsent.
  EXPECT_EQ(
      FromContainer(EnvFrom({{"AWS_CONTAINER_CREDENTIALS_FULL_URI", "http://example.com/creds"}}))
          .status,
      Lookup::Status::kError);
}

TEST(ProvidersTest, InstanceMetadataNeedsTheTokenPut) {
  FakeAws imds(&Imds);
  const auto env = EnvFrom({{"AWS_EC2_METADATA_SERVICE_ENDPOINT", imds.Url() + "/"}});
  const Lookup l = FromInstanceMetadata(env);
  ASSERT_TRUE(l.found()) << l.message;
  EXPECT_EQ(l.credentials->access_key_id, "ASIAIMDS");
  EXPECT_EQ(l.credentials->session_token, "token-of-ASIAIMDS");
  const std::vector<FakeRequest> requests = imds.Requests();
  ASSERT_EQ(requests.size(), 3u);
  EXPECT_EQ(requests[0].method, "PUT");
  EXPECT_EQ(requests[0].Header("x-aws-ec2-metadata-token-ttl-seconds"), "21600");
  // The fake refuses a GET without the token (as IMDSv2-only instances do).
  HttpCall v1;
  v1.url = imds.Url() + "/latest/meta-data/iam/security-credentials/";
  EXPECT_EQ(Send(v1).status, 401);
  EXPECT_EQ(FromInstanceMetadata(EnvFrom({{"AWS_EC2_METADATA_DISABLED", "TRUE"}})).status,
            Lookup::Status::kNotConfigured);
}

TEST(ProvidersTest, DefaultChainOrder) {
  FakeAws sts(Sts("AKIDPROFILE", "", "jwt"));
  FakeAws imds(&Imds);
  FakeAws container(Container(""));
  test::TempDir dir("aws_chain");
  WriteFile(dir / "token", "jwt");
  WriteFile(dir / "credentials",
            "[default]\naws_access_key_id = AKIDPROFILE\naws_secret_access_key = p\n");
  std::map<std::string, std::string> env = {
      {"AWS_ACCESS_KEY_ID", "AKIDENV"},
      {"AWS_SECRET_ACCESS_KEY", "e"},
      {"AWS_WEB_IDENTITY_TOKEN_FILE", (dir / "token").string()},
      {"AWS_ROLE_ARN", "arn:aws:iam::1:role/web"},
      {"AWS_ENDPOINT_URL_STS", sts.Url()},
      {"AWS_SHARED_CREDENTIALS_FILE", (dir / "credentials").string()},
      {"AWS_CONFIG_FILE", (dir / "none").string()},
      {"AWS_CONTAINER_CREDENTIALS_FULL_URI", container.Url() + "/creds"},
      {"AWS_EC2_METADATA_SERVICE_ENDPOINT", imds.Url()},
  };
  // Remove one source at a time: the next in the SDKs' order answers.
  const std::pair<std::vector<std::string>, std::string> steps[] = {
      {{}, "AKIDENV"},
      {{"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"}, "ASIAWEB"},
      {{"AWS_WEB_IDENTITY_TOKEN_FILE", "AWS_ROLE_ARN"}, "AKIDPROFILE"},
      {{"AWS_SHARED_CREDENTIALS_FILE"}, "ASIAECS"},
      {{"AWS_CONTAINER_CREDENTIALS_FULL_URI"}, "ASIAIMDS"},
  };
  env["AWS_SHARED_CREDENTIALS_FILE"] = (dir / "credentials").string();
  for (const auto& [remove, key] : steps) {
    for (const std::string& name : remove) {
      env[name] = name == "AWS_SHARED_CREDENTIALS_FILE" ? (dir / "none").string() : "";
    }
    EXPECT_EQ(KeyOf(FromDefaultChain(EnvFrom(env))), key);
  }
  env["AWS_EC2_METADATA_DISABLED"] = "true";
  env["HOME"] = dir.path().string();
  const Lookup none = FromDefaultChain(EnvFrom(env));
  EXPECT_EQ(none.status, Lookup::Status::kError);
  EXPECT_EQ(none.message,
            "no AWS credentials found (environment: AWS_ACCESS_KEY_ID is not set; web identity: "
            "AWS_WEB_IDENTITY_TOKEN_FILE is not set; profile: profile default is in neither " +
                (dir / "none").string() + " nor " + (dir / "none").string() +
                "; container: AWS_CONTAINER_CREDENTIALS_RELATIVE_URI is not set; instance "
                "metadata: AWS_EC2_METADATA_DISABLED is true)");
}

}  // namespace
}  // namespace infercost::aws
