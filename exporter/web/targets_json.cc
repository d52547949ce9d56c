#include "web/targets_json.h"

#include <nlohmann/json.hpp>
#include <optional>

namespace infercost {
namespace {

using nlohmann::json;

json Optional(const std::optional<double>& v) { return v ? json(*v) : json(nullptr); }

// The prices in force, as the landing page describes a target ("t4g.medium, $0.0336/h").
json PricingJson(const ResolvedPricing& p) {
  const PricingSpec& spec = p.spec;
  json out = {
      {"model", Name(spec.model)},      {"price_basis", Name(spec.price_basis)},
      {"region", spec.region},          {"architecture", p.architecture},
      {"usd_per_hour", p.usd_per_hour}, {"usd_per_request", p.usd_per_request},
  };
  if (spec.model == PricingModel::kInstance || spec.model == PricingModel::kSageMaker) {
    out["instance_type"] = spec.instance_type;
    out["count"] = spec.count;
  }
  if (spec.model == PricingModel::kLambda || spec.model == PricingModel::kSageMakerServerless) {
    out["memory_mb"] = spec.memory_mb;
    out["usd_per_gb_second"] = p.usd_per_gb_second;
    out["provisioned_concurrency"] = spec.provisioned_concurrency;
  }
  out["api_gateway"] = Name(spec.api_gateway);
  // The optional line items the target configures, at their resolved rates.
  json items = json::object();
  if (spec.load_balancer) {
    items["load_balancer"] = {{"type", Name(spec.load_balancer->type)},
                              {"bytes_per_request", spec.load_balancer->bytes_per_request},
                              {"usd_per_hour", p.load_balancer_usd_per_hour},
                              {"lcu_usd_per_request", p.load_balancer_lcu_usd_per_request}};
  }
  if (spec.public_ipv4 > 0) {
    items["public_ipv4"] = {{"count", spec.public_ipv4},
                            {"usd_per_hour", p.public_ipv4_usd_per_hour}};
  }
  if (spec.ebs_gb > 0) {
    items["ebs"] = {
        {"gb", spec.ebs_gb}, {"type", spec.ebs_type}, {"usd_per_hour", p.ebs_usd_per_hour}};
  }
  if (spec.cloudwatch_logs_bytes_per_request) {
    items["logs"] = {{"bytes_per_request", *spec.cloudwatch_logs_bytes_per_request},
                     {"usd_per_request", p.logs_usd_per_request}};
  }
  if (spec.ephemeral_storage_mb > 0) {
    items["ephemeral_storage"] = {{"mb", spec.ephemeral_storage_mb},
                                  {"usd_per_second", p.ephemeral_storage_usd_per_second}};
  }
  out["line_items"] = items;
  return out;
}

json TargetJson(const TargetView& v) {
  const TargetFigures& f = v.figures;
  json outcomes = json::object();
  for (const auto& [name, n] : f.outcomes) outcomes[name] = n;
  json aws = {
      {"billing", f.billing.empty() ? json(nullptr) : json(f.billing)},
      {"billed_by_aws", f.billed_by_aws},
      {"billed_estimated", f.billed_estimated},
      {"client_overhead_seconds", Optional(f.client_overhead_seconds)},
      {"max_memory_used_bytes", Optional(f.max_memory_used_bytes)},
      {"memory_size_mb", f.memory_size_mb > 0 ? json(f.memory_size_mb) : json(nullptr)},
  };
  return {
      {"name", v.name},
      {"kind", v.kind},
      {"url", v.url},
      {"aws", aws},
      {"platform", v.platform},
      {"pricing_model", v.pricing_model},
      {"instance_type", v.instance_type},
      {"window_seconds", f.window_seconds},
      {"window_length_seconds", f.window_length_seconds},
      {"inferences_per_second", f.ips},
      {"requests_per_second", f.requests_per_second},
      {"error_ratio", f.error_ratio},
      {"window_outcomes", outcomes},
      {"latency_seconds",
       {{"p50", Optional(f.p50_seconds())},
        {"p90", Optional(f.p90_seconds())},
        {"p95", Optional(f.p95_seconds())},
        {"p99", Optional(f.p99_seconds())},
        {"mean", f.mean_latency_seconds}}},
      {"effective_concurrency", f.effective_concurrency},
      {"offered_concurrency", f.offered_concurrency},
      {"offered_rate", f.offered_rate},
      {"in_flight", f.in_flight},
      {"cost_per_million_inferences_usd",
       {{"observed", Optional(f.usd_per_million_observed)},
        {"capacity", Optional(f.usd_per_million_capacity)}}},
      {"cost_note", f.cost_note},
      {"capacity_cost_note", f.capacity_cost_note},
      {"cost_caveats", f.cost_caveats},
      // What both $/1M figures leave out (cost/cost.h Exclusions()).
      {"cost_exclusions", Exclusions(v.pricing)},
      {"pricing", PricingJson(v.pricing)},
      {"capacity_inferences_per_second", Optional(f.capacity_ips)},
      {"capacity",
       {{"inferences_per_second", Optional(f.capacity_ips)},
        {"method", f.capacity_method},
        {"top_windows_inferences_per_second", f.capacity_top_windows_ips},
        {"windows_counted", f.capacity_windows_counted},
        {"windows_rejected", f.capacity_windows_rejected},
        {"last_rejected_reason", f.capacity_last_rejected_reason},
        {"relearned_down", f.capacity_relearned_down}}},
      {"budget_usd_per_million", Optional(v.budget_usd_per_million)},
      {"spend_usd", f.spend_usd},
      {"test_spend_usd", f.test_spend_usd},
      {"spend_limit_usd", Optional(v.spend_limit_usd)},
      {"load_active", f.load_active},
      {"load_state", f.load_state},
      {"measurement_valid", f.valid},
      {"invalid_reasons", f.invalid_reasons},
      {"requests_total", f.requests_total},
      {"inferences_total", f.inferences_total},
      {"cold_starts_total", f.cold_starts_total},
      {"dropped_total", f.dropped_total},
  };
}

}  // namespace

std::string TargetsJson(const std::vector<TargetView>& views) {
  json targets = json::array();
  for (const TargetView& v : views) targets.push_back(TargetJson(v));
  // Config strings are UTF-8 (the YAML reader refuses anything else), but a writer that throws on
  // a bad byte would abort the server from inside its callback: replace it instead (U+FFFD).
  return json{{"targets", targets}}.dump(2, ' ', false, json::error_handler_t::replace);
}

}  // namespace infercost
