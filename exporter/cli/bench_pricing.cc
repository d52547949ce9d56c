// bench's pricing flags: what they mean in the cost model's terms (one PricingSpec, resolved
// against the built-in catalog), and the summary's line of line items.
#include "cli/bench_pricing.h"

#include <cmath>
#include <cstdio>
#include <string>
#include <utility>

#include "config/config.h"

namespace infercost {

bool HasPricingFlags(const BenchPricingFlags& f, const BenchAwsFlags& aws) {
  return !f.instance_type.empty() || f.instances || f.usd_per_hour || f.lambda_memory_mb ||
         !f.lambda_arch.empty() || !f.api_gateway.empty() || f.usd_per_request ||
         !f.line_items.empty() || (!aws.region.empty() && !aws.Any());
}

namespace {

// Pricing flags -> the cost model's spec. Returns an error message, or "" and fills `spec`.
std::string PricingFromFlags(const BenchPricingFlags& f, const std::string& region,
                             PricingSpec* spec) {
  const bool lambda = f.lambda_memory_mb.has_value();
  const bool instance = !f.instance_type.empty();
  if (lambda && instance) return "give --lambda-memory-mb or --instance-type, not both";
  if (f.instances && !instance) return "--instances needs --instance-type";
  if ((!f.lambda_arch.empty() || !f.api_gateway.empty()) && !lambda) {
    return "--lambda-arch and --api-gateway need --lambda-memory-mb";
  }
  if (!region.empty()) spec->region = region;
  if (lambda) {
    spec->model = PricingModel::kLambda;
    if (*f.lambda_memory_mb < 128 || *f.lambda_memory_mb > 10240) {
      return "--lambda-memory-mb must be between 128 and 10240 (Lambda's limits), got " +
             std::to_string(*f.lambda_memory_mb);
    }
    spec->memory_mb = *f.lambda_memory_mb;
    if (!f.lambda_arch.empty()) {
      const auto arch = ParseArchitecture(f.lambda_arch);
      if (!arch) return "--lambda-arch must be x86_64 or arm64, got '" + f.lambda_arch + "'";
      spec->architecture = *arch;
    }
    if (!f.api_gateway.empty()) {
      const auto gateway = ParseApiGateway(f.api_gateway);
      if (!gateway) return "--api-gateway must be rest, http or none, got '" + f.api_gateway + "'";
      spec->api_gateway = *gateway;
    }
    if (f.usd_per_hour) return "--usd-per-hour does not apply to --lambda-memory-mb";
    spec->usd_per_request = f.usd_per_request;
  } else if (instance) {
    spec->model = PricingModel::kInstance;
    spec->instance_type = f.instance_type;
    spec->count = f.instances.value_or(1);
    if (spec->count < 1) return "--instances must be at least 1";
    spec->usd_per_hour = f.usd_per_hour;
    if (f.usd_per_request) return "--usd-per-request does not apply to --instance-type";
  } else if (f.usd_per_hour) {
    spec->model = PricingModel::kHourly;
    spec->usd_per_hour = f.usd_per_hour;
    if (f.usd_per_request) return "give --usd-per-hour or --usd-per-request, not both";
  } else if (f.usd_per_request) {
    spec->model = PricingModel::kPerRequest;
    spec->usd_per_request = f.usd_per_request;
  } else {
    return std::string(f.line_items.empty() ? "--region" : "--line-items") +
           " needs a price: --instance-type, --usd-per-hour, --lambda-memory-mb or "
           "--usd-per-request";
  }
  if (f.usd_per_hour && !(*f.usd_per_hour >= 0 && std::isfinite(*f.usd_per_hour))) {
    return "--usd-per-hour must be a non-negative number";
  }
  if (f.usd_per_request && !(*f.usd_per_request >= 0 && std::isfinite(*f.usd_per_request))) {
    return "--usd-per-request must be a non-negative number";
  }
  if (f.capacity && !(*f.capacity > 0 && std::isfinite(*f.capacity))) {
    return "--capacity must be a positive number of inferences per second";
  }
  if (f.capacity && !instance)
    return "--capacity needs --instance-type (burstable surplus credits)";
  if (!f.line_items.empty()) {
    // The config's own reader: the keys, checks and messages of a `pricing:` block.
    std::string errors;
    for (const std::string& line : ParseLineItems(f.line_items, "--line-items", spec)) {
      errors += (errors.empty() ? "" : "\n") + line;
    }
    return errors;
  }
  return "";
}

}  // namespace

ResolveResult ResolveBenchPricing(const BenchPricingFlags& f, const std::string& region) {
  PricingSpec spec;
  if (std::string error = PricingFromFlags(f, region, &spec); !error.empty()) {
    ResolveResult failed;
    failed.error = std::move(error);
    return failed;
  }
  ResolveResult resolved = Resolve(spec, BuiltinCatalog());
  if (!resolved.pricing) {
    // The cost model speaks in config keys; here the same thing is a flag.
    for (const auto& [key, flag] :
         {std::pair<std::string, std::string>{"pricing.usd_per_hour", "--usd-per-hour"}}) {
      std::string& error = resolved.error;
      for (std::size_t at = error.find(key); at != std::string::npos; at = error.find(key)) {
        error.replace(at, key.size(), flag);
      }
    }
  }
  return resolved;
}

// The optional line items the pricing configures, each with its spend over the run (the
// component names of infercost_cost_usd_total).
void PrintLineItems(const PricingSpec& spec, const Cost& cost) {
  std::string line;
  for (LineItem item : kLineItems) {
    if (!Configures(spec, item)) continue;
    line += (line.empty() ? "" : ", ") + std::string(Name(item)) + " " +
            FormatUsd(cost.line_item_usd[static_cast<std::size_t>(item)]);
  }
  if (!line.empty()) std::printf("Line Items: %s\n", line.c_str());
}

void AddBenchPricingFlags(CLI::App& app, BenchPricingFlags& f) {
  app.add_option("--instance-type", f.instance_type, "price: EC2 type from the catalog");
  app.add_option("--instances", f.instances, "price: number of instances (default 1)");
  app.add_option("--usd-per-hour", f.usd_per_hour, "price: hourly (or instance override)");
  app.add_option("--lambda-memory-mb", f.lambda_memory_mb, "price: Lambda memory size");
  app.add_option("--lambda-arch", f.lambda_arch, "price: x86_64 | arm64 (default x86_64)");
  app.add_option("--api-gateway", f.api_gateway, "price: rest | http | none (default none)");
  app.add_option("--usd-per-request", f.usd_per_request, "price: flat per request");
  app.add_option("--capacity", f.capacity,
                 "price: the target's capacity (IPS at saturation) for burstable surplus credits "
                 "(default: a closed loop's own IPS; an open loop needs it)");
  app.add_option("--line-items", f.line_items,
                 "price: optional line items as in a config's pricing block, as a YAML map, e.g. "
                 "'{load_balancer: {type: alb, bytes_per_request: 102400}, public_ipv4: 1, "
                 "ebs_gb: 30, ebs_type: gp3}'");
}

}  // namespace infercost
