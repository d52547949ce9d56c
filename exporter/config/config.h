// The YAML config of `infercost serve`, `sweep` and `check-config`, read with common/yaml.h's
// strict reader. Thread contract: values; parse on any thread.
#ifndef INFERCOST_CONFIG_CONFIG_H_
#define INFERCOST_CONFIG_CONFIG_H_

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/log.h"
#include "common/yaml.h"
#include "cost/cost.h"
#include "loadgen/load.h"
#include "loadgen/request.h"

namespace infercost {

// What a target is (`kind:`): a plain HTTP endpoint (API Gateway, an instance, anything), or one
// of AWS's own APIs, named rather than addressed.
enum class TargetKind {
  kHttp,       // `url`; `auth: aws_sigv4` for API Gateway with IAM
  kLambda,     // Lambda's Invoke API: `function` (+ `qualifier`), with the REPORT log tail
  kLambdaUrl,  // a Lambda Function URL: `url`, AWS_IAM (default) or NONE auth
  kSageMaker,  // SageMaker Runtime's InvokeEndpoint: `endpoint` (+ `variant`)
};
inline constexpr TargetKind kTargetKinds[] = {TargetKind::kHttp, TargetKind::kLambda,
                                              TargetKind::kLambdaUrl, TargetKind::kSageMaker};
// The config's spelling: http, lambda, lambda_url, sagemaker.
std::string_view Name(TargetKind kind);

// Where a signed target's AWS credentials come from (`credentials: { source: ... }`). Plain
// values: `serve` hands them to the aws module, which fetches and refreshes the keys.
enum class CredentialsSource {
  kDefault,
  kStatic,
  kProfile,
  kWebIdentity,
  kContainer,
  kInstance,
  kProcess
};
inline constexpr CredentialsSource kCredentialsSources[] = {
    CredentialsSource::kDefault,     CredentialsSource::kStatic,    CredentialsSource::kProfile,
    CredentialsSource::kWebIdentity, CredentialsSource::kContainer, CredentialsSource::kInstance,
    CredentialsSource::kProcess};
// default, static, profile, web_identity, container, instance, process.
std::string_view Name(CredentialsSource source);

struct CredentialsConfig {
  CredentialsSource source = CredentialsSource::kDefault;  // the SDKs' default chain
  std::string access_key;                                  // static
  std::string secret_key;                                  // static
  std::string session_token;                               // static, optional
  std::string profile;            // profile, process: the shared-config profile ("" = AWS_PROFILE)
  std::string command;            // process: the credential_process command line
  std::string role_arn;           // web_identity ("" = AWS_ROLE_ARN)
  std::string token_file;         // web_identity ("" = AWS_WEB_IDENTITY_TOKEN_FILE)
  std::string role_session_name;  // web_identity, optional
};

// The AWS side of a target of kind lambda, lambda_url or sagemaker (and of a signed http one).
struct AwsTargetConfig {
  std::string region;        // resolved: `region`, else the function ARN's, else pricing.region
  std::string function;      // lambda: name, partial or full ARN, as written
  std::string qualifier;     // lambda: version or alias, optional
  std::string endpoint;      // sagemaker: the endpoint's name
  std::string variant;       // sagemaker: X-Amzn-SageMaker-Target-Variant, optional
  std::string endpoint_url;  // overrides the service endpoint (VPC endpoints, the emulator)
  bool sign = false;         // SigV4-signed: lambda, sagemaker, lambda_url with aws_iam
  // The credentials of a signed target without static keys: its own block or the top level's.
  CredentialsConfig credentials;
};

struct TargetConfig {
  std::string name;  // [a-z0-9_-]+, the `target` label
  TargetKind kind = TargetKind::kHttp;
  AwsTargetConfig aws;
  // url, method, headers, timeout, checks, sigv4 (payloads loaded). For lambda and sagemaker the
  // url and SigV4 provider are derived later from `aws` (serve/aws_targets.h), not here.
  loadgen::RequestSpec request;
  loadgen::PayloadSpec body;
  // This generator's share of the stages (see Shard). repeat = true for a staged plan; the
  // default when a target has no `load:` is one endless closed-loop stage of concurrency 1.
  loadgen::LoadPlan load;
  PricingSpec pricing;
  std::optional<double> budget_usd_per_million;
  std::optional<double> spend_limit_usd;  // this generator's share: the config's / shard.count
  std::optional<std::chrono::nanoseconds> slo_p95;  // latency objective, for capacity and sweep
  std::string csv;                                  // per-request CSV file; "" for none
};

// Spread the load of every target over `count` generators; this one is number `index`. Each
// closed-loop stage's concurrency C is split into floor(C / count) per shard plus one more for
// C mod count shards (starting at shard `target position mod count`, so the remainders of several
// targets land on different generators): the shards always sum to C, and a shard left with 0 runs
// that stage idle. Rates are divided exactly (rate / count; Poisson streams superpose to the full
// rate). Each shard gets a distinct seed and max_in_flight = ceil(max_in_flight / count).
struct Shard {
  int index = 0;
  int count = 1;
};

// `metrics:`: how many series each target exposes (docs/metrics.md). The same setting on every
// generator of a fleet: Prometheus sums their buckets by `le`.
enum class LatencyBuckets {
  kStandard,  // fine buckets for request duration, cold starts, schedule lag and AWS's durations
  kCoarse,    // a subset of them: every bound a rule, alert or dashboard reads, few others
};
inline constexpr LatencyBuckets kLatencyBucketSettings[] = {LatencyBuckets::kStandard,
                                                            LatencyBuckets::kCoarse};
// standard, coarse.
std::string_view Name(LatencyBuckets buckets);

struct MetricsConfig {
  LatencyBuckets latency_buckets = LatencyBuckets::kStandard;
  bool quantiles = true;  // `quantiles: on | off`: infercost_request_latency_seconds or not
  bool operator==(const MetricsConfig&) const = default;
};
// "latency_buckets standard, quantiles on": how check-config and reload messages show it.
std::string Describe(const MetricsConfig& metrics);

struct Config {
  std::string listen = "0.0.0.0:18090";
  std::chrono::nanoseconds window = std::chrono::seconds(60);
  int threads = 1;  // engine worker threads
  Shard shard;
  MetricsConfig metrics;
  std::string prices_file;  // catalog overrides; "" for the built-in catalog only
  std::vector<TargetConfig> targets;
  // The top-level `credentials:` block: the default of every signed target without its own.
  CredentialsConfig credentials;
  // Expanded ${VAR} values and credentials written literally (URL userinfo, query tokens, values
  // of headers such as X-Api-Key: common/log's IsSecretName), to redact from any output.
  std::vector<std::string> secrets;
  std::string source;  // the file it came from, for messages
};

// FILE:LINE:COL: message, as every reader of a YAML file reports.
using ConfigError = YamlError;

struct ConfigResult {
  std::optional<Config> config;     // set when there are no errors
  std::vector<ConfigError> errors;  // every error found, in file order
  // The secrets read, also when there are errors: the errors and logs about this config are
  // redacted with them before it is applied, or when it is refused.
  std::vector<std::string> secrets;

  // The errors as FILE:LINE:COL: message lines, the secrets above redacted (a message may quote a
  // URL that holds a password): what every command prints.
  std::vector<std::string> ErrorLines() const;
};

// Looks up an environment variable; nullopt when unset.
using EnvLookup = std::function<std::optional<std::string>(const std::string&)>;
EnvLookup ProcessEnv();

// The variable `serve` sets to the in-process emulator's base URL (http://127.0.0.1:PORT) for the
// embedded default. Values of infercost's own INFERCOST_* variables are not secrets.
inline constexpr std::string_view kEmulatorUrlVariable = "INFERCOST_EMULATOR_URL";

// examples/emulated-aws.yaml, compiled in: what `serve` and `sweep` run without --config. Parse
// it with kEmbeddedDefaultConfigName as the file name and an env that has kEmulatorUrlVariable.
std::string_view EmbeddedDefaultConfig();
inline constexpr std::string_view kEmbeddedDefaultConfigName = "examples/emulated-aws.yaml";

// Parses and validates a config; `file_name` is used in error messages and to resolve relative
// paths (body files, image dirs, prices file) against the config's own directory.
ConfigResult ParseConfig(const std::string& yaml, const std::string& file_name,
                         const EnvLookup& env);
ConfigResult LoadConfigFile(const std::string& path, const EnvLookup& env);

// The optional line items of a `pricing:` block (load_balancer, public_ipv4, ebs_gb + ebs_type,
// cloudwatch_logs_bytes_per_request, ephemeral_storage_mb) given alone as one YAML map, e.g.
// "{public_ipv4: 1, ebs_gb: 30, ebs_type: gp3}": bench's --line-items. Read by the config's own
// reader into `spec`, whose model is already set: the same keys, checks and messages as in a
// config file. Returns the errors ("<source>:LINE:COL: message"), none when all is well.
std::vector<std::string> ParseLineItems(const std::string& yaml, const std::string& source,
                                        PricingSpec* spec);

// This shard's part of a plan (see Shard); `target_position` is the target's index in the config.
// The identity for count 1.
loadgen::LoadPlan ShardPlan(const loadgen::LoadPlan& plan, const Shard& shard,
                            std::size_t target_position);

// A Lambda function as Invoke's FunctionName takes it: a name, a partial ARN
// (ACCOUNT:function:NAME) or a full ARN, each optionally ending in :QUALIFIER.
struct FunctionName {
  std::string name;
  std::string region;     // from a full ARN; "" otherwise
  std::string qualifier;  // "" when none is part of it
};
// nullopt when `text` matches none of AWS's forms.
std::optional<FunctionName> ParseFunctionName(std::string_view text);
// The region of a Function URL (https://ID.lambda-url.REGION.on.aws/); "" for other URLs.
std::string_view RegionOfFunctionUrl(std::string_view url);

// AWS's naming rules: a region (us-east-1), a Lambda version or alias ($LATEST, 3, live), a
// SageMaker endpoint or variant name (^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}$).
bool IsRegionName(std::string_view region);
bool IsLambdaQualifier(std::string_view qualifier);
bool IsSageMakerName(std::string_view name);

// "" when `address` is a valid HOST:PORT (port 0..65535; IPv6 hosts in brackets), else what is
// wrong. For --listen flags as well as the config's `listen`.
std::string ListenAddressError(std::string_view address);
// "" when `url` is an absolute http:// or https:// URL with a host, else what is wrong.
std::string UrlError(std::string_view url);

}  // namespace infercost

#endif  // INFERCOST_CONFIG_CONFIG_H_
