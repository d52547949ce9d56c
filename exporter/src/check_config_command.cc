// `infercost check-config FILE`: validate a config the way `serve` would load it, and say what
// it would do. Exit 0 with a summary on stdout; exit 2 with every error on stderr.
#include <CLI/CLI.hpp>
#include <cstdio>
#include <string>

#include "exporter/commands.h"
#include "exporter/config.h"
#include "exporter/duration.h"

namespace infercost {
namespace {

// `serve` points INFERCOST_EMULATOR_URL at its in-process emulator; a file checked on its own
// gets this stand-in so that the embedded default's URLs can be validated.
constexpr const char* kEmulatorUrlStandIn = "http://127.0.0.1:18091";

std::string DescribeStage(const loadgen::Stage& stage) {
  std::string out = FormatDuration(stage.duration) + " ";
  switch (stage.kind) {
    case loadgen::Stage::Kind::kClosed:
      return out + "concurrency " + std::to_string(stage.concurrency);
    case loadgen::Stage::Kind::kOpen: {
      char rate[32];
      std::snprintf(rate, sizeof rate, "%g", stage.rate);
      return out + "rate " + rate + "/s" +
             (stage.arrival == loadgen::Arrival::kPoisson ? " poisson" : "");
    }
    case loadgen::Stage::Kind::kIdle:
      return out + "idle";
  }
  return out;
}

std::string DescribeLoad(const loadgen::LoadPlan& plan) {
  if (plan.stages.size() == 1 && plan.stages.front().duration.count() == 0) {
    return "concurrency " + std::to_string(plan.stages.front().concurrency) + " throughout";
  }
  std::chrono::nanoseconds cycle{0};
  std::string stages;
  for (const loadgen::Stage& stage : plan.stages) {
    cycle += stage.duration;
    if (!stages.empty()) stages += ", ";
    stages += DescribeStage(stage);
  }
  return FormatDuration(cycle) + (plan.repeat ? " cycle" : " plan") + " (" + stages + ")";
}

}  // namespace

int RunCheckConfig(int argc, char** argv) {
  CLI::App app(
      "Validate a config file. Exit 0 with a summary when it is valid; exit 2 with every error "
      "as FILE:LINE:COL: message when it is not.",
      argv[0]);
  std::string file;
  app.add_option("FILE", file, "the YAML config")->required();
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? kExitOk : kExitUsage;
  }

  bool stand_in_used = false;
  const EnvLookup process = ProcessEnv();
  const EnvLookup env = [&](const std::string& name) -> std::optional<std::string> {
    std::optional<std::string> value = process(name);
    if (!value && name == kEmulatorUrlVariable) {
      stand_in_used = true;
      return kEmulatorUrlStandIn;
    }
    return value;
  };
  const ConfigResult result = LoadConfigFile(file, env);
  if (!result.config) {
    for (const ConfigError& error : result.errors) {
      std::fprintf(stderr, "%s\n", error.ToString().c_str());
    }
    return kExitUsage;
  }
  const Config& config = *result.config;
  std::string names;
  for (const TargetConfig& target : config.targets) {
    names += (names.empty() ? "" : ", ") + target.name;
  }
  std::printf("%s: valid: %zu target%s (%s), window %s\n", file.c_str(), config.targets.size(),
              config.targets.size() == 1 ? "" : "s", names.c_str(),
              FormatDuration(config.window).c_str());
  for (const TargetConfig& target : config.targets) {
    std::printf("  %s: %s\n", target.name.c_str(), DescribeLoad(target.load).c_str());
  }
  if (config.shard.count > 1) {
    std::printf("  (shard %d of %d: loads above are this generator's share)\n", config.shard.index,
                config.shard.count);
  }
  if (stand_in_used) {
    std::printf("  (%s is unset: checked with %s; `serve` sets it to its emulator)\n",
                std::string(kEmulatorUrlVariable).c_str(), kEmulatorUrlStandIn);
  }
  return kExitOk;
}

}  // namespace infercost
