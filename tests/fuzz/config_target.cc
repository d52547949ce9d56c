// The fuzz target of config files: the strict YAML reader and the whole validation.
#include <optional>
#include <string>

#include "config/config.h"
#include "targets.h"

namespace infercost::fuzz {
namespace {

// A fixed environment: ${API_TOKEN} and ${REGION} are set, every other variable is unset.
std::optional<std::string> FixedEnv(const std::string& name) {
  if (name == "API_TOKEN") return std::string("tok\"en\\1");
  if (name == "REGION") return std::string("us-east-1");
  return std::nullopt;
}

// Relative body, image and prices paths resolve below a directory that does not exist.
constexpr const char* kConfigName = "/nonexistent-infercost-fuzz/config.yaml";

}  // namespace

void FuzzConfig(std::string_view text) {
  const ConfigResult result = ParseConfig(std::string(text), kConfigName, FixedEnv);
  Require(result.config.has_value() != !result.errors.empty(),
          "a config both accepted and refused, or neither");
  for (const ConfigError& e : result.errors) {
    Require(!e.message.empty(), "an error without a message");
  }
  if (!result.config.has_value()) return;
  for (const TargetConfig& t : result.config->targets) {
    Require(!t.name.empty(), "a target without a name");
    (void)ShardPlan(t.load, result.config->shard, 0);
  }
}

}  // namespace infercost::fuzz
