// The YAML config of `infercost serve`, `sweep` and `check-config`. The only file that sees
// yaml-cpp is exporter/src/config.cc. Thread contract: values; parse on any thread.
#ifndef EXPORTER_CONFIG_H_
#define EXPORTER_CONFIG_H_

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "exporter/cost.h"
#include "loadgen/load.h"
#include "loadgen/request.h"

namespace infercost {

struct TargetConfig {
  std::string name;              // [a-z0-9_-]+, the `target` label
  loadgen::RequestSpec request;  // url, method, headers, timeout, checks, sigv4 (payloads loaded)
  loadgen::PayloadSpec body;
  loadgen::LoadPlan load;  // stages; repeat = true for serve
  PricingSpec pricing;
  std::optional<double> budget_usd_per_million;
  std::optional<double> spend_limit_usd;
  std::optional<std::chrono::nanoseconds> slo_p95;  // latency objective, for capacity and sweep
  std::string csv;                                  // per-request CSV file; "" for none
};

// Spread the load of every target over `count` generators; this one is number `index`.
struct Shard {
  int index = 0;
  int count = 1;
};

struct Config {
  std::string listen = "0.0.0.0:18090";
  std::chrono::nanoseconds window = std::chrono::seconds(60);
  int threads = 1;  // engine worker threads
  Shard shard;
  std::string prices_file;  // catalog overrides; "" for the built-in catalog only
  std::vector<TargetConfig> targets;
  std::vector<std::string> secrets;  // expanded ${VAR} values, to redact from any output
  std::string source;                // the file it came from, for messages
};

struct ConfigError {
  std::string file;
  int line = 0;    // 1-based; 0 when the error is not tied to a place
  int column = 0;  // 1-based
  std::string message;
  std::string ToString() const;  // FILE:LINE:COL: message
};

struct ConfigResult {
  std::optional<Config> config;     // set when there are no errors
  std::vector<ConfigError> errors;  // every error found, in file order
};

// Looks up an environment variable; nullopt when unset.
using EnvLookup = std::function<std::optional<std::string>(const std::string&)>;
EnvLookup ProcessEnv();

// Parses and validates a config; `file_name` is used in error messages and to resolve relative
// paths (body files, image dirs, prices file) against the config's own directory.
ConfigResult ParseConfig(const std::string& yaml, const std::string& file_name,
                         const EnvLookup& env);
ConfigResult LoadConfigFile(const std::string& path, const EnvLookup& env);

// Replaces every secret in `text` with "<redacted>".
std::string Redact(const std::string& text, const std::vector<std::string>& secrets);

}  // namespace infercost

#endif  // EXPORTER_CONFIG_H_
