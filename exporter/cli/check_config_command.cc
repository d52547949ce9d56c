// `infercost check-config FILE`: validate a config the way `serve` would load it, and say what
// it would do. Exit 0 with a summary on stdout; exit 2 with every error on stderr.
#include <CLI/CLI.hpp>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <string>

#include "cli/commands.h"
#include "common/duration.h"
#include "config/config.h"
#include "cost/cost.h"
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

// The spend of one target's schedule per hour, averaged over its stage cycle, from the cost model
// itself: each stage becomes the Usage it would produce if every request took `latency` and
// succeeded. Latency decides how many requests a closed loop sends and how long Lambda bills
// each; instance hours do not depend on it.
struct SpendEstimate {
  double time_usd_per_hour = 0;
  double request_usd_per_hour = 0;
  double surplus_max_usd_per_hour = 0;  // burstable, unlimited: extra at full CPU when loaded
  bool depends_on_latency = false;
};

SpendEstimate EstimateSpend(const ResolvedPricing& pricing, const loadgen::LoadPlan& plan,
                            std::chrono::nanoseconds latency) {
  using Seconds = std::chrono::duration<double>;
  const double latency_seconds = Seconds(latency).count();
  SpendEstimate estimate;
  double cycle_seconds = 0;
  for (const loadgen::Stage& stage : plan.stages) {
    // An endless stage (the default load) is priced over one hour.
    const double seconds = stage.duration.count() > 0 ? Seconds(stage.duration).count() : 3600;
    cycle_seconds += seconds;
    double per_second = 0;
    switch (stage.kind) {
      case loadgen::Stage::Kind::kClosed:
        per_second = stage.concurrency / latency_seconds;
        break;
      case loadgen::Stage::Kind::kOpen:
        per_second = stage.rate;
        break;
      case loadgen::Stage::Kind::kIdle:
        break;
    }
    Usage usage;
    usage.elapsed_seconds = seconds;
    usage.requests = static_cast<uint64_t>(std::llround(per_second * seconds));
    usage.ok = usage.requests;
    usage.billable_requests = usage.requests;
    usage.billed_ms = usage.requests * loadgen::RoundBilledMs(latency);
    const Cost cost = ComputeCost(pricing, usage);
    estimate.time_usd_per_hour += cost.time_usd;
    estimate.request_usd_per_hour += cost.request_usd;
    if (usage.ok > 0) {
      // Capacity equal to the offered rate: utilisation 1, the most surplus this stage can buy.
      usage.capacity_ips = static_cast<double>(usage.ok) / seconds;
      estimate.surplus_max_usd_per_hour += ComputeCost(pricing, usage).surplus_credit_usd;
    }
    if (cost.request_usd > 0 &&
        (stage.kind == loadgen::Stage::Kind::kClosed || pricing.memory_gb > 0)) {
      estimate.depends_on_latency = true;
    }
  }
  const double cycle_hours = cycle_seconds / 3600;
  if (cycle_hours > 0) {
    estimate.time_usd_per_hour /= cycle_hours;
    estimate.request_usd_per_hour /= cycle_hours;
    estimate.surplus_max_usd_per_hour /= cycle_hours;
  }
  return estimate;
}

std::string DescribeSpend(const TargetConfig& target, const SpendEstimate& spend,
                          std::chrono::nanoseconds latency) {
  const double total = spend.time_usd_per_hour + spend.request_usd_per_hour;
  std::string out = "spend about " + FormatUsd(total) + "/h (time " +
                    FormatUsd(spend.time_usd_per_hour) + "/h + requests " +
                    FormatUsd(spend.request_usd_per_hour) + "/h";
  if (spend.depends_on_latency) {
    out += ", assuming " + FormatDuration(latency) + " per request";
  }
  out += ")";
  if (spend.surplus_max_usd_per_hour > 0) {
    out += ", up to " + FormatUsd(spend.surplus_max_usd_per_hour) +
           "/h more in surplus CPU credits at full load";
  }
  if (target.spend_limit_usd) {
    // The guardrail counts what the test's own requests cost (instance hours are paid anyway).
    out += "; spend_limit_usd " + FormatUsd(*target.spend_limit_usd);
    if (spend.request_usd_per_hour > 0) {
      const auto minutes = static_cast<int64_t>(
          std::llround(*target.spend_limit_usd / spend.request_usd_per_hour * 60));
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
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? kExitOk : kExitUsage;
  }

  const std::optional<std::chrono::nanoseconds> latency = ParseDuration(latency_text);
  if (!latency || latency->count() <= 0) {
    std::fprintf(stderr, "%s: --latency: '%s' is not a duration above 0 (e.g. 500ms)\n", argv[0],
                 latency_text.c_str());
    return kExitUsage;
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
    const SpendEstimate spend = EstimateSpend(*resolved.pricing, target.load, *latency);
    total_usd_per_hour += spend.time_usd_per_hour + spend.request_usd_per_hour;
    std::printf("    %s\n", DescribeSpend(target, spend, *latency).c_str());
  }
  std::printf("  all targets: about %s/h\n", FormatUsd(total_usd_per_hour).c_str());
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
