// `infercost check-config FILE`: validate a config the way `serve` would load it, and say what
// it would do. Exit 0 with a summary on stdout; exit 2 with every error on stderr.
#include <CLI/CLI.hpp>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <string>

#include "cli/commands.h"
#include "cli/flags.h"
#include "common/duration.h"
#include "config/config.h"
#include "cost/cost.h"
#include "cost/spend.h"
#include "loadgen/billed_duration.h"

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
    if (!stages.empty()) {
      stages += ", ";
    }
    stages += DescribeStage(stage);
  }
  return FormatDuration(cycle) + (plan.repeat ? " cycle" : " plan") + " (" + stages + ")";
}

// The spend of one target's schedule per hour, averaged over its stage cycle: each stage priced
// as if every request took `latency` and succeeded. Latency decides how many requests a closed
// loop sends and how long Lambda bills each; instance hours do not depend on it.
SpendEstimate SpendPerHour(const ResolvedPricing& pricing, const loadgen::LoadPlan& plan,
                           std::chrono::nanoseconds latency) {
  SpendEstimate estimate;
  double cycle_seconds = 0;
  for (const loadgen::Stage& stage : plan.stages) {
    // An endless stage (the default load) is priced over one hour.
    const double seconds =
        stage.duration.count() > 0 ? std::chrono::duration<double>(stage.duration).count() : 3600;
    cycle_seconds += seconds;
    PlannedLoad load{.seconds = seconds};
    const std::chrono::milliseconds billed(loadgen::RoundBilledMs(latency));
    switch (stage.kind) {
      case loadgen::Stage::Kind::kClosed:
        load = ClosedLoopLoad(stage.concurrency, seconds, billed);
        break;
      case loadgen::Stage::Kind::kOpen:
        load = OpenLoopLoad(stage.rate, seconds, billed);
        break;
      case loadgen::Stage::Kind::kIdle:
        break;
    }
    estimate += EstimateSpend(pricing, load);
  }
  const double cycle_hours = cycle_seconds / 3600;
  if (cycle_hours > 0) {
    estimate.time_usd /= cycle_hours;
    estimate.request_usd /= cycle_hours;
    estimate.surplus_max_usd /= cycle_hours;
    for (double& item : estimate.line_item_usd) item /= cycle_hours;
  }
  return estimate;
}

std::string DescribeSpend(const TargetConfig& target, const SpendEstimate& spend,
                          std::chrono::nanoseconds latency) {
  const double total = spend.TotalUsd() - spend.surplus_max_usd;
  std::string out = "spend about " + FormatUsd(total) + "/h (time " + FormatUsd(spend.time_usd) +
                    "/h + requests " + FormatUsd(spend.request_usd) + "/h";
  for (LineItem item : kLineItems) {
    if (Configures(target.pricing, item)) {
      out += " + " + std::string(Name(item)) + " " +
             FormatUsd(spend.line_item_usd[static_cast<std::size_t>(item)]) + "/h";
    }
  }
  if (spend.depends_on_latency) {
    out += ", assuming " + FormatDuration(latency) + " per request";
  }
  out += ")";
  if (spend.surplus_max_usd > 0) {
    out += ", up to " + FormatUsd(spend.surplus_max_usd) +
           "/h more in surplus CPU credits at full load";
  }
  if (target.spend_limit_usd) {
    // The guardrail counts what the test's own requests cost (instance hours are paid anyway).
    out += "; spend_limit_usd " + FormatUsd(*target.spend_limit_usd);
    if (spend.PerRequestUsd() > 0) {
      const auto minutes =
          static_cast<int64_t>(std::llround(*target.spend_limit_usd / spend.PerRequestUsd() * 60));
      out += " reached after about " +
             FormatDuration(std::chrono::minutes(std::max<int64_t>(minutes, 1)));
    } else {
      out += " never reached: the requests cost nothing beyond the hourly price";
    }
  }
  return out;
}

}  // namespace

int RunCheckConfig(int argc, char** argv) {
  CLI::App app(
      "Validate a config file. Exit 0 with a summary when it is valid; exit 2 with every error "
      "as FILE:LINE:COL: message when it is not.",
      argv[0]);
  std::string file;
  app.add_option("FILE", file, "the YAML config")->required();
  std::string latency_text = "500ms";
  app.add_option("--latency", latency_text,
                 "latency assumed for the spend estimate: it sets how many requests a closed loop "
                 "sends and how long Lambda bills each")
      ->capture_default_str();
  if (const std::optional<int> code = ParseFlags(app, argc, argv)) return *code;
  std::string latency_error;
  const std::optional<std::chrono::nanoseconds> latency =
      ParseDurationFlag("--latency", latency_text, DurationBound::kPositive, &latency_error);
  if (!latency) return UsageError(argv[0], latency_error);

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
    for (const std::string& line : result.ErrorLines()) std::fprintf(stderr, "%s\n", line.c_str());
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
  // The config is valid, so its prices file loads and every pricing resolves.
  CatalogResult catalog = config.prices_file.empty() ? CatalogResult{BuiltinCatalog(), ""}
                                                     : LoadCatalogOverrides(config.prices_file);
  double total_usd_per_hour = 0;
  for (const TargetConfig& target : config.targets) {
    std::printf("  %s: %s\n", target.name.c_str(), DescribeLoad(target.load).c_str());
    const ResolveResult resolved = catalog.catalog ? Resolve(target.pricing, *catalog.catalog)
                                                   : ResolveResult{std::nullopt, catalog.error};
    if (!resolved.pricing) {
      std::printf("    spend unknown: %s\n", resolved.error.c_str());
      continue;
    }
    const SpendEstimate spend = SpendPerHour(*resolved.pricing, target.load, *latency);
    total_usd_per_hour += spend.TotalUsd() - spend.surplus_max_usd;
    std::printf("    %s\n", DescribeSpend(target, spend, *latency).c_str());
    std::printf("    exclusions: %s\n", ExclusionsLine(*resolved.pricing).c_str());
  }
  std::printf("  all targets: about %s/h\n", FormatUsd(total_usd_per_hour).c_str());
  std::printf("  metrics: %s\n", Describe(config.metrics).c_str());
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
