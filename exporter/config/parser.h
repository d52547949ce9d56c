// The config's reader (internal to config/): the schema of DESIGN.md's "Config (YAML)" section on
// top of common/yaml.h's strict reader, one file per part of the schema (parser.cc: the top level
// and the helpers, target.cc, load.cc, pricing.cc). Not thread-safe; one Parser per parse.
//
// Messages never print a value that came from ${VAR}: they quote the value as written in the
// file, where the variable appears by name only.
#ifndef INFERCOST_CONFIG_PARSER_H_
#define INFERCOST_CONFIG_PARSER_H_

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/yaml.h"
#include "config/config.h"

namespace infercost::config_internal {

namespace fs = std::filesystem;
using std::chrono::nanoseconds;
using yaml::Closest;
using yaml::Describe;
using yaml::Join;
using yaml::Quote;

// ---- the config's shape --------------------------------------------------------------------

inline constexpr std::string_view kTopKeys[] = {"listen",  "window",      "threads", "shard",
                                                "metrics", "prices_file", "targets", "credentials"};
inline constexpr std::string_view kMetricsKeys[] = {"latency_buckets", "quantiles"};
// `quantiles:`'s spellings, on first.
inline constexpr std::string_view kOnOff[] = {"on", "off"};
inline constexpr std::string_view kShardKeys[] = {"index", "count"};
inline constexpr std::string_view kTargetKeys[] = {"name",
                                                   "kind",
                                                   "url",
                                                   "function",
                                                   "qualifier",
                                                   "endpoint",
                                                   "variant",
                                                   "region",
                                                   "endpoint_url",
                                                   "credentials",
                                                   "method",
                                                   "headers",
                                                   "body",
                                                   "expect",
                                                   "timeout",
                                                   "cold_start",
                                                   "billed_duration_header",
                                                   "load",
                                                   "pricing",
                                                   "budget_usd_per_million",
                                                   "spend_limit_usd",
                                                   "slo_p95",
                                                   "csv",
                                                   "auth",
                                                   "tls"};
inline constexpr std::string_view kBodyKeys[] = {"file",     "image_dir", "inline",
                                                 "encoding", "field",     "content_type"};
inline constexpr std::string_view kExpectKeys[] = {"status", "body_contains", "max_body_bytes"};
inline constexpr std::string_view kColdStartKeys[] = {"header", "latency_above"};
inline constexpr std::string_view kLoadKeys[] = {"stages", "seed", "max_in_flight"};
inline constexpr std::string_view kStageKeys[] = {"duration", "concurrency", "rate", "arrival",
                                                  "idle"};
inline constexpr std::string_view kPricingKeys[] = {"model",
                                                    "region",
                                                    "price_basis",
                                                    "fixed_usd_per_hour",
                                                    "instance_type",
                                                    "count",
                                                    "usd_per_hour",
                                                    "cpu_credits",
                                                    "memory_mb",
                                                    "architecture",
                                                    "api_gateway",
                                                    "provisioned_concurrency",
                                                    "usd_per_request",
                                                    "load_balancer",
                                                    "public_ipv4",
                                                    "ebs_gb",
                                                    "ebs_type",
                                                    "cloudwatch_logs_bytes_per_request",
                                                    "ephemeral_storage_mb"};
// The optional line items of `pricing:` (bench's --line-items takes these alone).
inline constexpr std::string_view kLineItemKeys[] = {
    "load_balancer",       "public_ipv4", "ebs_gb", "ebs_type", "cloudwatch_logs_bytes_per_request",
    "ephemeral_storage_mb"};
inline constexpr std::string_view kLoadBalancerKeys[] = {"type", "bytes_per_request"};
inline constexpr std::string_view kAuthKeys[] = {"aws_sigv4"};
inline constexpr std::string_view kSigV4Keys[] = {"provider", "access_key", "secret_key",
                                                  "session_token"};
inline constexpr std::string_view kTlsKeys[] = {"insecure_skip_verify"};
inline constexpr std::string_view kCredentialsKeys[] = {
    "source",  "access_key", "secret_key", "session_token",    "profile",
    "command", "role_arn",   "token_file", "role_session_name"};

inline constexpr YamlSection kSections[] = {
    {"the top level", kTopKeys},
    {"shard", kShardKeys},
    {"metrics", kMetricsKeys},
    {"target", kTargetKeys},
    {"body", kBodyKeys},
    {"expect", kExpectKeys},
    {"cold_start", kColdStartKeys},
    {"load", kLoadKeys},
    {"stage", kStageKeys},
    {"pricing", kPricingKeys},
    {"load_balancer", kLoadBalancerKeys},
    {"auth", kAuthKeys},
    {"aws_sigv4", kSigV4Keys},
    {"tls", kTlsKeys},
    {"credentials", kCredentialsKeys},
};

// Limits. Upper bounds catch typos (an extra zero) rather than encode policy.
inline constexpr nanoseconds kMinWindow = std::chrono::seconds(5);
inline constexpr nanoseconds kMaxWindow = std::chrono::hours(1);
inline constexpr nanoseconds kMaxTimeout = std::chrono::hours(1);
inline constexpr int kMaxThreads = 64;
inline constexpr int kMaxShards = 1024;
inline constexpr int kMaxConcurrency = 10'000;
inline constexpr double kMaxRate = 1e6;  // requests per second
// A stage is a phase of a load profile, not a pulse: shorter ones made a closed loop restart (and
// pile up requests) thousands of times a second.
inline constexpr nanoseconds kMinStageDuration = std::chrono::seconds(1);
// A stage, and a whole cycle of stages, at most ten years (8760 h each): far beyond any test,
// far below where a cycle's nanoseconds overflow (~292 years).
inline constexpr nanoseconds kMaxCycle = std::chrono::hours(87'600);
inline constexpr int kMaxInFlight = 1'000'000;
inline constexpr int kMaxInstances = 10'000;
inline constexpr int kMaxProvisionedConcurrency = 100'000;
inline constexpr int64_t kMaxBodyBytes = int64_t{1} << 30;
inline constexpr std::size_t kMaxNameLength = 64;
// Request headers a target sends: how many, and the bytes of each (name and value).
inline constexpr std::size_t kMaxHeaders = 100;
inline constexpr std::size_t kMaxHeaderBytes = 8192;

// What a path is for.
enum class PathKind { kFile, kDirectory, kOutputFile };

char Lower(char c);
bool IsHeaderName(std::string_view name);
bool HasLineBreak(std::string_view text);
// FNV-1a of the target's name: its default seed.
uint64_t NameSeed(std::string_view name);

// Reads one config. Not thread-safe; one per parse.
class Parser : public YamlReader {
 public:
  Parser(std::string file, fs::path base_dir, const EnvLookup& env)
      : YamlReader(std::move(file), kSections), base_dir_(std::move(base_dir)), env_(env) {}

  ConfigResult Run(const std::string& yaml);
  // The line items of a pricing block alone (a YAML map of kLineItemKeys) into `spec`, whose
  // model is set: ParseLineItems (config.h).
  std::vector<YamlError> RunLineItems(const std::string& yaml, PricingSpec* spec);

 private:
  std::optional<std::string> Expand(const std::string& written, const YamlMark& mark,
                                    std::string_view key,
                                    std::vector<std::string>* substituted) override;
  // Numbers, durations, switches and enumerations are not secret (they end up in metrics
  // anyway), so only string values and paths feed the redaction list.
  void OnStringRead(const std::vector<std::string>& substituted) override;
  void AddSecret(const std::string& value);

  std::optional<std::string> HeaderName(const YamlField& f);
  std::optional<std::string> Path(const YamlField& f, PathKind kind);

  // parser.cc: the top level.
  void ReadTop(const YamlNode& root, Config* config);
  void ReadTargets(const YamlField& targets, Config* config);
  void ReadShard(const YamlField& f, Shard* shard);
  void ReadMetrics(const YamlField& f, MetricsConfig* metrics);
  // target.cc. Sets `name` and `name_mark` when the target has a valid name, even if other keys
  // are wrong.
  std::optional<TargetConfig> ReadTarget(const YamlNode& node, std::string* name,
                                         YamlMark* name_mark);
  bool ReadName(const YamlFields& fields, TargetConfig* target, YamlMark* name_mark);
  void ReadRequest(const YamlFields& fields, TargetConfig* target);
  void ReadHeaders(const YamlField& f, std::vector<std::string>* headers);
  void ReadBody(const YamlField& f, loadgen::PayloadSpec* body);
  void ReadBodyFormat(const YamlFields& fields, loadgen::PayloadSpec* body);
  void ReadExpect(const YamlField& f, loadgen::Expect* expect);
  void ReadColdStart(const YamlField& f, loadgen::ColdStartDetection* cold_start);
  void ReadTls(const YamlField& f, bool* verify_tls);
  // load.cc
  void ReadLoad(const YamlField& f, loadgen::LoadPlan* plan, bool* seeded);
  std::optional<loadgen::Stage> ReadStage(const YamlNode& node);
  // pricing.cc
  void ReadPricing(const YamlField& f, PricingSpec* pricing);
  void CheckPricingModel(const YamlFields& fields, PricingModel model);
  void CheckKeysApply(const YamlFields& fields, PricingModel model);
  void ReadPricingValues(const YamlFields& fields, PricingSpec* pricing);
  void ReadLineItems(const YamlFields& fields, PricingSpec* pricing);
  void CheckAgainstCatalog(const YamlFields& fields, const PricingSpec& pricing);
  // aws_target.cc
  void ReadKind(const YamlFields& fields, TargetConfig* target);
  void ReadLambda(const YamlFields& fields, AwsTargetConfig* aws);
  void ReadSageMaker(const YamlFields& fields, AwsTargetConfig* aws);
  void SettleAws(const YamlFields& fields, TargetConfig* target, bool pricing_region);
  void ReadAuth(const YamlField& f, TargetConfig* target);
  void ReadCredentials(const YamlField& f, CredentialsConfig* credentials);
  void ReadTargetCredentials(const YamlFields& fields, TargetConfig* target);

  fs::path base_dir_;
  const EnvLookup& env_;
  std::vector<std::string> secrets_;
  CredentialsConfig default_credentials_;  // the top level's `credentials:`
  // The built-in prices, with the config's prices_file laid over them once it is read.
  Catalog catalog_ = BuiltinCatalog();
};

}  // namespace infercost::config_internal

#endif  // INFERCOST_CONFIG_PARSER_H_
