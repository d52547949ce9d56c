// The optional line items of a target's bill: an Application Load Balancer, public IPv4
// addresses, EBS volumes, CloudWatch Logs ingestion and Lambda ephemeral storage. Each is priced
// from the catalog only when the target's pricing configures it; what a pricing leaves out is
// listed by Exclusions(). Formulas: docs/cost-model.md.
#include "cost/line_items.h"

#include <cmath>
#include <cstdio>
#include <string>
#include <vector>

#include "cost/cost.h"

namespace infercost {
namespace {

using cost_internal::kBytesPerGb;
using cost_internal::kMbPerGb;
using cost_internal::Number;

bool OnInstances(PricingModel m) {
  return m == PricingModel::kInstance || m == PricingModel::kHourly;
}

std::string RegionError(const PricingSpec& spec, const Catalog& catalog, std::string_view what) {
  return "no " + std::string(what) + " prices for region '" + spec.region +
         "': the catalog holds " + catalog.region +
         " prices; give a prices file with region: " + spec.region;
}

std::string NoBlock(const Catalog& catalog, std::string_view block) {
  return "the prices file for " + catalog.region + " has no " + std::string(block) +
         " block; add those prices to it";
}

using Error = std::optional<std::string>;

Error ResolveLoadBalancer(const PricingSpec& spec, const Catalog& catalog, ResolvedPricing& r) {
  if (!spec.load_balancer) return std::nullopt;
  const PricingModel m = spec.model;
  if (!OnInstances(m) && m != PricingModel::kPerRequest) {
    return "load_balancer applies to instance, hourly and per_request targets, not to model " +
           std::string(Name(m)) + "; remove it (a " + std::string(Name(m)) +
           " target is not priced behind an ALB)";
  }
  const double bytes = spec.load_balancer->bytes_per_request;
  if (!std::isfinite(bytes) || bytes < 0) {
    return "load_balancer.bytes_per_request must be a number of bytes, 0 or more, got " +
           Number(bytes);
  }
  if (spec.region != catalog.region) return RegionError(spec, catalog, "load balancer");
  const LineItemPrices& p = catalog.line_items;
  if (!p.has_alb) return NoBlock(catalog, "alb");
  r.load_balancer_usd_per_hour = p.alb_usd_per_hour;
  // The processed-bytes dimension: GB processed in an hour / GB per LCU = LCU-hours.
  if (p.alb_processed_gb_per_lcu_hour > 0) {
    r.load_balancer_lcu_usd_per_request =
        bytes / kBytesPerGb / p.alb_processed_gb_per_lcu_hour * p.alb_usd_per_lcu_hour;
  }
  return std::nullopt;
}

Error ResolveIpv4AndEbs(const PricingSpec& spec, const Catalog& catalog, ResolvedPricing& r) {
  const std::string model(Name(spec.model));
  const LineItemPrices& p = catalog.line_items;
  if (spec.public_ipv4 != 0) {
    if (!OnInstances(spec.model)) {
      return "public_ipv4 applies to instance and hourly targets, not to model " + model;
    }
    if (spec.public_ipv4 < 0) {
      return "public_ipv4 must be a number of addresses, 0 or more, got " +
             std::to_string(spec.public_ipv4);
    }
    if (spec.region != catalog.region) return RegionError(spec, catalog, "public IPv4");
    if (!p.has_public_ipv4) return NoBlock(catalog, "public_ipv4");
    r.public_ipv4_usd_per_hour = spec.public_ipv4 * p.public_ipv4_usd_per_hour;
  }
  if (spec.ebs_gb == 0 && spec.ebs_type.empty()) return std::nullopt;
  if (!OnInstances(spec.model)) {
    return "ebs_gb and ebs_type apply to instance and hourly targets, not to model " + model;
  }
  if (!std::isfinite(spec.ebs_gb) || spec.ebs_gb <= 0) {
    return "ebs_gb must be the size of each instance's volumes in GB, more than 0, got " +
           Number(spec.ebs_gb);
  }
  if (spec.region != catalog.region) return RegionError(spec, catalog, "EBS");
  if (!p.has_ebs) return NoBlock(catalog, "ebs");
  std::string known;
  for (const auto& [type, price] : p.ebs_usd_per_gb_month) {
    known += (known.empty() ? "" : ", ") + type;
  }
  if (spec.ebs_type.empty()) return "ebs_gb needs ebs_type, one of " + known;
  auto it = p.ebs_usd_per_gb_month.find(spec.ebs_type);
  if (it == p.ebs_usd_per_gb_month.end()) {
    return "unknown ebs_type '" + spec.ebs_type + "'; the catalog knows " + known +
           " (or add it to a prices file under ebs)";
  }
  // GB-month prorated by the hour, for each of `count` instances.
  r.ebs_usd_per_hour = spec.ebs_gb * it->second / kHoursPerMonth * spec.count;
  return std::nullopt;
}

Error ResolveLogsAndStorage(const PricingSpec& spec, const Catalog& catalog, ResolvedPricing& r) {
  const LineItemPrices& p = catalog.line_items;
  if (spec.cloudwatch_logs_bytes_per_request) {
    const double bytes = *spec.cloudwatch_logs_bytes_per_request;
    if (!std::isfinite(bytes) || bytes < 0) {
      return "cloudwatch_logs_bytes_per_request must be a number of bytes, 0 or more, got " +
             Number(bytes);
    }
    if (spec.region != catalog.region) return RegionError(spec, catalog, "CloudWatch Logs");
    if (!p.has_cloudwatch_logs) return NoBlock(catalog, "cloudwatch_logs");
    r.logs_usd_per_request = bytes / kBytesPerGb * p.cloudwatch_logs_usd_per_gb;
  }
  if (spec.ephemeral_storage_mb == 0) return std::nullopt;
  if (spec.model != PricingModel::kLambda) {
    return "ephemeral_storage_mb applies to lambda targets only, not to model " +
           std::string(Name(spec.model));
  }
  if (spec.ephemeral_storage_mb < kLambdaMinEphemeralMb ||
      spec.ephemeral_storage_mb > kLambdaMaxEphemeralMb) {
    return "ephemeral_storage_mb must be between " + std::to_string(kLambdaMinEphemeralMb) +
           " and " + std::to_string(kLambdaMaxEphemeralMb) +
           " (MB, as configured on the function), got " + std::to_string(spec.ephemeral_storage_mb);
  }
  if (spec.region != catalog.region) return RegionError(spec, catalog, "Lambda ephemeral storage");
  if (!p.has_lambda_ephemeral) return NoBlock(catalog, "lambda_ephemeral_storage");
  // Only what is configured over the free 512 MB is billed, per GB-second of billed duration.
  const double extra_gb = (spec.ephemeral_storage_mb - kLambdaMinEphemeralMb) / kMbPerGb;
  r.ephemeral_storage_usd_per_second = extra_gb * p.lambda_ephemeral_usd_per_gb_second;
  return std::nullopt;
}

}  // namespace

bool IsHourly(LineItem item) {
  return item == LineItem::kLoadBalancer || item == LineItem::kPublicIpv4 || item == LineItem::kEbs;
}

std::string_view Name(LoadBalancerType v) {
  switch (v) {
    case LoadBalancerType::kAlb:
      return "alb";
  }
  return "unknown";
}

std::string_view Name(LineItem v) {
  switch (v) {
    case LineItem::kLoadBalancer:
      return "load_balancer";
    case LineItem::kLoadBalancerLcu:
      return "load_balancer_lcu";
    case LineItem::kPublicIpv4:
      return "public_ipv4";
    case LineItem::kEbs:
      return "ebs";
    case LineItem::kLogs:
      return "logs";
    case LineItem::kEphemeralStorage:
      return "ephemeral_storage";
  }
  return "unknown";
}

std::optional<LoadBalancerType> ParseLoadBalancerType(std::string_view text) {
  for (LoadBalancerType v : kLoadBalancerTypes) {
    if (Name(v) == text) return v;
  }
  return std::nullopt;
}

double Cost::LineItemsUsd() const {
  double total = 0;
  for (double usd : line_item_usd) total += usd;
  return total;
}

bool Configures(const PricingSpec& spec, LineItem item) {
  switch (item) {
    case LineItem::kLoadBalancer:
    case LineItem::kLoadBalancerLcu:
      return spec.load_balancer.has_value();
    case LineItem::kPublicIpv4:
      return spec.public_ipv4 > 0;
    case LineItem::kEbs:
      return spec.ebs_gb > 0;
    case LineItem::kLogs:
      return spec.cloudwatch_logs_bytes_per_request.has_value();
    case LineItem::kEphemeralStorage:
      return spec.ephemeral_storage_mb > 0;
  }
  return false;
}

std::vector<std::string> Exclusions(const ResolvedPricing& pricing) {
  const PricingSpec& spec = pricing.spec;
  std::vector<std::string> out;
  if (OnInstances(spec.model)) {
    if (!spec.load_balancer) out.push_back("load balancer (ALB hours and LCUs) not included");
    if (spec.public_ipv4 == 0) out.push_back("public IPv4 addresses not included");
    if (spec.ebs_gb == 0) out.push_back("EBS volumes not included");
  }
  if (spec.load_balancer) {
    out.push_back(
        "ALB LCUs for new connections, active connections and rule evaluations not included "
        "(LCUs priced on processed bytes)");
  }
  if (spec.model == PricingModel::kLambda && !spec.cloudwatch_logs_bytes_per_request) {
    out.push_back("CloudWatch Logs ingestion not included");
  }
  if (spec.api_gateway == ApiGateway::kHttp) {
    out.push_back("HTTP API metering in 512 KB steps not included (each request counted once)");
  }
  out.push_back("data transfer not included");
  out.push_back("free tier and volume discounts not included");
  return out;
}

std::string ExclusionsLine(const ResolvedPricing& pricing) {
  std::string line;
  for (const std::string& e : Exclusions(pricing)) {
    line += (line.empty() ? "" : "; ") + e;
  }
  return line;
}

namespace cost_internal {

std::optional<std::string> ResolveLineItems(const PricingSpec& spec, const Catalog& catalog,
                                            ResolvedPricing& r) {
  if (Error e = ResolveLoadBalancer(spec, catalog, r)) return e;
  if (Error e = ResolveIpv4AndEbs(spec, catalog, r)) return e;
  return ResolveLogsAndStorage(spec, catalog, r);
}

double LineItemsUsdPerHour(const ResolvedPricing& p) {
  return p.load_balancer_usd_per_hour + p.public_ipv4_usd_per_hour + p.ebs_usd_per_hour;
}

double LineItemsUsdPerRequest(const ResolvedPricing& p) {
  return p.load_balancer_lcu_usd_per_request + p.logs_usd_per_request;
}

void AddLineItemCosts(const ResolvedPricing& p, double hours, double billable,
                      double billed_seconds, Cost& cost) {
  auto set = [&cost](LineItem item, double usd) {
    cost.line_item_usd[static_cast<std::size_t>(item)] = usd;
  };
  set(LineItem::kLoadBalancer, p.load_balancer_usd_per_hour * hours);
  set(LineItem::kPublicIpv4, p.public_ipv4_usd_per_hour * hours);
  set(LineItem::kEbs, p.ebs_usd_per_hour * hours);
  // Per request that reached the target: the ALB forwarded it, the function logged it.
  set(LineItem::kLoadBalancerLcu, p.load_balancer_lcu_usd_per_request * billable);
  set(LineItem::kLogs, p.logs_usd_per_request * billable);
  set(LineItem::kEphemeralStorage, p.ephemeral_storage_usd_per_second * billed_seconds);
}

std::string Number(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%g", v);
  return buf;
}

}  // namespace cost_internal
}  // namespace infercost
