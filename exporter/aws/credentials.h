// AWS credentials and where they come from: the sources of the AWS SDKs' default chain, each as a
// blocking provider function, and the chain itself.
//
// Chain order (AWS SDK for Java 2.x and C++, and the brief of issue 10): environment, web identity
// (environment), shared config and credentials files (the profile: role_arn + source_profile,
// web_identity_token_file, static keys, credential_process), the ECS container endpoint, IMDSv2.
// botocore differs in placing a profile's role_arn before the environment's web identity; the
// two only disagree when both are configured at once.
//
// Every endpoint honours the SDKs' overrides so that tests (and VPC endpoints) can move it:
// AWS_ENDPOINT_URL_STS, then AWS_ENDPOINT_URL, for STS; AWS_EC2_METADATA_SERVICE_ENDPOINT for
// IMDS; AWS_CONTAINER_CREDENTIALS_FULL_URI for the container endpoint.
//
// Threads: every function here blocks on files, processes or HTTP (seconds at worst) and is
// thread-safe; call them from start-up or the refresher's thread, never from an engine worker.
// Messages never contain a secret: they name files, variables, endpoints and AWS error codes.
#ifndef INFERCOST_AWS_CREDENTIALS_H_
#define INFERCOST_AWS_CREDENTIALS_H_

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

namespace infercost::aws {

struct Credentials {
  std::string access_key_id;
  std::string secret_access_key;
  std::string session_token;  // empty for long-term keys
  // When the keys stop working; nullopt for long-term keys, which never expire.
  std::optional<std::chrono::system_clock::time_point> expiration;
};

// Reads an environment variable: nullopt when unset. Injected so that tests never setenv().
using Environment = std::function<std::optional<std::string>(std::string_view name)>;
// The process's environment (getenv).
Environment ProcessEnvironment();

// What one source answered.
struct Lookup {
  enum class Status {
    kFound,          // `credentials` holds the keys
    kNotConfigured,  // the source is not set up here; the chain moves on
    kError,          // the source is set up but failed; the chain stops with `message`
  };
  Status status = Status::kNotConfigured;
  std::optional<Credentials> credentials;
  std::string message;  // why not found (both other statuses); names no secret

  static Lookup Found(Credentials credentials);
  static Lookup NotConfigured(std::string why);
  static Lookup Error(std::string why);
  bool found() const { return status == Status::kFound; }
};

// The `source` of a target's `credentials:` block.
enum class Source { kDefault, kStatic, kProfile, kWebIdentity, kContainer, kInstance, kProcess };
// The config's spelling: default, static, profile, web_identity, container, instance, process.
std::string_view SourceName(Source source);
std::optional<Source> ParseSource(std::string_view text);

// A target's credentials settings: the source and what it needs. Empty strings take the SDKs'
// environment defaults (AWS_PROFILE, AWS_ROLE_ARN, AWS_WEB_IDENTITY_TOKEN_FILE, ...).
struct CredentialsSpec {
  Source source = Source::kDefault;
  Credentials static_keys;        // static
  std::string profile;            // profile (also process, when `command` is empty)
  std::string command;            // process: the credential_process command line
  std::string role_arn;           // web_identity
  std::string token_file;         // web_identity
  std::string role_session_name;  // web_identity
};

// AWS_ACCESS_KEY_ID + AWS_SECRET_ACCESS_KEY (+ AWS_SESSION_TOKEN). One key without the other is
// an error, as in the SDKs.
Lookup FromEnvironment(const Environment& env);

// STS AssumeRoleWithWebIdentity (unsigned) with the token read from `token_file`; empty
// arguments fall back to AWS_ROLE_ARN, AWS_WEB_IDENTITY_TOKEN_FILE, AWS_ROLE_SESSION_NAME.
Lookup FromWebIdentity(const Environment& env, std::string role_arn, std::string token_file,
                       std::string session_name);

// The profile `name` (empty: AWS_PROFILE, else "default") of the shared files: AWS_CONFIG_FILE
// (default ~/.aws/config, sections [profile x] and [default]) merged with
// AWS_SHARED_CREDENTIALS_FILE (default ~/.aws/credentials, sections [x]; it wins on conflicts).
// A profile with role_arn assumes the role (source_profile, or credential_source Environment |
// Ec2InstanceMetadata | EcsContainer, gives the keys that sign AssumeRole); else
// web_identity_token_file + role_arn; else static keys; else credential_process.
// `explicit_profile` (the user named it) turns a missing profile into an error instead of
// "not configured".
Lookup FromProfile(const Environment& env, std::string name, bool explicit_profile);

// Runs `command` (split on blanks, '…' and "…" quote; no shell) and reads the JSON it prints:
// {"Version": 1, "AccessKeyId", "SecretAccessKey", "SessionToken"?, "Expiration"?}.
Lookup FromProcess(const std::string& command);

// The ECS/EKS container endpoint: http://169.254.170.2 + AWS_CONTAINER_CREDENTIALS_RELATIVE_URI,
// or AWS_CONTAINER_CREDENTIALS_FULL_URI (http only to loopback or the ECS/EKS link-local hosts;
// https anywhere) with the Authorization header from AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE or
// AWS_CONTAINER_AUTHORIZATION_TOKEN.
Lookup FromContainer(const Environment& env);

// IMDSv2: PUT /latest/api/token (X-aws-ec2-metadata-token-ttl-seconds), then the role named by
// /latest/meta-data/iam/security-credentials/ and its JSON, both with the token. There is no
// IMDSv1 fallback: an instance that refuses the token PUT gives no credentials. Off with
// AWS_EC2_METADATA_DISABLED=true. Endpoint: AWS_EC2_METADATA_SERVICE_ENDPOINT.
Lookup FromInstanceMetadata(const Environment& env);

// The default chain (order at the top of this file): the first source that is configured answers,
// found or failed; when none is, an error listing why each was skipped.
Lookup FromDefaultChain(const Environment& env);

// The source `spec` names.
Lookup Resolve(const CredentialsSpec& spec, const Environment& env);

// ISO 8601 / RFC 3339 UTC times as AWS writes them: 2026-12-02T01:00:00Z, with optional
// fractional seconds and a Z or ±hh:mm offset.
std::optional<std::chrono::system_clock::time_point> ParseTimestamp(std::string_view text);

namespace internal {
// The credentials in a flat JSON answer (credential_process, container, IMDS): AccessKeyId,
// SecretAccessKey, the token under `token_key` (SessionToken or Token), Expiration. `what` names
// the source in messages.
Lookup CredentialsFromJson(std::string_view json, std::string_view token_key,
                           std::string_view what);
}  // namespace internal

}  // namespace infercost::aws

#endif  // INFERCOST_AWS_CREDENTIALS_H_
