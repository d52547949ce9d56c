// bench's pricing flags (--instance-type, --lambda-memory-mb, --usd-per-hour, --usd-per-request,
// --capacity, --line-items, ...): the cost model's PricingSpec they stand for, and the summary's
// line of optional line items. --line-items is read by the config's own reader (config.h:
// ParseLineItems), so its keys, checks and messages are a config file's.
#ifndef INFERCOST_CLI_BENCH_PRICING_H_
#define INFERCOST_CLI_BENCH_PRICING_H_

#include <CLI/CLI.hpp>
#include <optional>
#include <string>

#include "cli/bench_aws.h"
#include "cost/cost.h"

namespace infercost {

struct BenchPricingFlags {
  std::string instance_type;
  std::optional<int> instances;
  std::optional<double> usd_per_hour;
  std::optional<int> lambda_memory_mb;
  std::string lambda_arch;
  std::string api_gateway;
  std::optional<double> usd_per_request;
  std::optional<double> capacity;  // IPS at saturation, for burstable surplus credits
  std::string line_items;          // YAML map of pricing's optional line items
};

void AddBenchPricingFlags(CLI::App& app, BenchPricingFlags& f);

// Whether any flag asks for a price (--region alone does, for a URL target: it then needs one).
bool HasPricingFlags(const BenchPricingFlags& f, const BenchAwsFlags& aws);

// The flags' pricing (in `region`, the catalog's when empty) resolved against the built-in
// catalog; the error names the flags to fix.
ResolveResult ResolveBenchPricing(const BenchPricingFlags& f, const std::string& region);

// "Line Items: load_balancer $0.0023, public_ipv4 $0.0001" for the items `spec` configures (the
// component names of infercost_cost_usd_total); nothing when it configures none.
void PrintLineItems(const PricingSpec& spec, const Cost& cost);

}  // namespace infercost

#endif  // INFERCOST_CLI_BENCH_PRICING_H_
