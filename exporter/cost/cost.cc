// The cost model: which prices apply to a target (Resolve) and what a window of traffic cost
// (ComputeCost). Formulas and the approximations they make are in docs/cost-model.md.
#include "cost/cost.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <iterator>
#include <map>
#include <string>
#include <string_view>
#include <system_error>

#include "cost/line_items.h"

namespace infercost {
namespace {

constexpr double kSecondsPerHour = 3600;
constexpr double kPerMillion = 1e6;
constexpr double kMsPerSecond = 1000;
using cost_internal::kBytesPerGb;
using cost_internal::kMbPerGb;
using cost_internal::Number;

bool IsPrice(double v) { return std::isfinite(v) && v >= 0; }

constexpr std::string_view kSageMakerPrefix = "ml.";

// SageMaker names its instance types after the EC2 ones with "ml." in front.
bool IsSageMakerType(const std::string& type) { return type.starts_with(kSageMakerPrefix); }

std::string KnownTypes(const std::map<std::string, InstancePrice>& types) {
  std::string out;
  for (const auto& [type, price] : types) {
    if (!out.empty()) {
      out += ", ";
    }
    out += type;
  }
  return out.empty() ? "(none)" : out;
}

ResolveResult Fail(std::string message) {
  ResolveResult r;
  r.error = "pricing: " + std::move(message);
  return r;
}

// Catalog prices are for one region; using them for another would be a silent, wrong figure.
std::string RegionMismatch(const PricingSpec& spec, const Catalog& catalog, std::string_view what,
                           std::string_view own_price_hint) {
  return "no " + std::string(what) + " prices for region '" + spec.region +
         "': the catalog holds " + catalog.region +
         " prices; give a prices file with region: " + spec.region + std::string(own_price_hint);
}

// Checks of keys that make no sense for the model: a mistake the user should hear about.
std::string MisplacedKey(const PricingSpec& spec) {
  const PricingModel m = spec.model;
  const bool lambda = m == PricingModel::kLambda;
  const bool memory = lambda || m == PricingModel::kSageMakerServerless;
  const bool hours =
      m == PricingModel::kInstance || m == PricingModel::kHourly || m == PricingModel::kSageMaker;
  const bool per_request = lambda || m == PricingModel::kPerRequest;
  const std::string model(Name(m));
  if (!memory && spec.memory_mb != 0) {
    return "memory_mb applies to lambda and sagemaker_serverless targets only, not to model " +
           model;
  }
  if (!lambda && spec.provisioned_concurrency != 0) {
    return "provisioned_concurrency applies to lambda targets only, not to model " + model;
  }
  if (!hours && !spec.instance_type.empty()) {
    return "instance_type applies to instance, hourly and sagemaker targets, not to model " + model;
  }
  if (!hours && spec.count != 1) {
    return "count applies to instance, hourly and sagemaker targets, not to model " + model;
  }
  if (!hours && spec.usd_per_hour) {
    return "usd_per_hour applies to instance, hourly and sagemaker targets; for model " + model +
           " add hourly costs with fixed_usd_per_hour" +
           (memory ? " and give your own rates in a prices file" : "");
  }
  if (!per_request && spec.usd_per_request) {
    return "usd_per_request applies to per_request and lambda targets, not to model " + model;
  }
  return "";
}

std::optional<std::string> CheckNumbers(const PricingSpec& spec) {
  if (!IsPrice(spec.fixed_usd_per_hour)) {
    return "fixed_usd_per_hour must be a non-negative number of US dollars per hour, got " +
           Number(spec.fixed_usd_per_hour);
  }
  if (spec.usd_per_hour && !IsPrice(*spec.usd_per_hour)) {
    return "usd_per_hour must be a non-negative number of US dollars per hour, got " +
           Number(*spec.usd_per_hour);
  }
  if (spec.usd_per_request && !IsPrice(*spec.usd_per_request)) {
    return "usd_per_request must be a non-negative number of US dollars per request, got " +
           Number(*spec.usd_per_request);
  }
  if (spec.count < 1) {
    return "count must be at least 1, got " + std::to_string(spec.count);
  }
  return std::nullopt;
}

}  // namespace

std::string_view Name(PricingModel v) {
  switch (v) {
    case PricingModel::kInstance:
      return "instance";
    case PricingModel::kHourly:
      return "hourly";
    case PricingModel::kLambda:
      return "lambda";
    case PricingModel::kPerRequest:
      return "per_request";
    case PricingModel::kSageMaker:
      return "sagemaker";
    case PricingModel::kSageMakerServerless:
      return "sagemaker_serverless";
  }
  return "unknown";
}

std::string_view Name(PriceBasis v) {
  switch (v) {
    case PriceBasis::kOnDemand:
      return "on_demand";
    case PriceBasis::kReserved:
      return "reserved";
    case PriceBasis::kSpot:
      return "spot";
    case PriceBasis::kSavingsPlan:
      return "savings_plan";
  }
  return "unknown";
}

std::string_view Name(CpuCredits v) {
  switch (v) {
    case CpuCredits::kUnlimited:
      return "unlimited";
    case CpuCredits::kStandard:
      return "standard";
  }
  return "unknown";
}

std::string_view Name(ApiGateway v) {
  switch (v) {
    case ApiGateway::kNone:
      return "none";
    case ApiGateway::kHttp:
      return "http";
    case ApiGateway::kRest:
      return "rest";
  }
  return "unknown";
}

std::string_view Name(Architecture v) {
  switch (v) {
    case Architecture::kX86_64:
      return "x86_64";
    case Architecture::kArm64:
      return "arm64";
  }
  return "unknown";
}

namespace {
// The inverse of Name() over every value of an enum.
template <typename Enum, size_t N>
std::optional<Enum> ParseByName(std::string_view text, const Enum (&values)[N]) {
  for (Enum v : values) {
    if (Name(v) == text) {
      return v;
    }
  }
  return std::nullopt;
}
}  // namespace

std::optional<PricingModel> ParsePricingModel(std::string_view text) {
  return ParseByName(text, kPricingModels);
}

std::optional<PriceBasis> ParsePriceBasis(std::string_view text) {
  return ParseByName(text, kPriceBases);
}

std::optional<CpuCredits> ParseCpuCredits(std::string_view text) {
  return ParseByName(text, kCpuCredits);
}

std::optional<ApiGateway> ParseApiGateway(std::string_view text) {
  return ParseByName(text, kApiGateways);
}

std::optional<Architecture> ParseArchitecture(std::string_view text) {
  return ParseByName(text, kArchitectures);
}

namespace {

// Each step of Resolve fills in `r` and returns the error to report, or nothing.
using ResolveError = std::optional<std::string>;

bool OwnBasis(const PricingSpec& spec) { return spec.price_basis != PriceBasis::kOnDemand; }

// The price of one instance-hour of a type the catalog knows: pricing.usd_per_hour when given,
// else the catalog's, which must be for the spec's region and (unless from a prices file)
// on-demand.
ResolveError CatalogInstancePrice(const PricingSpec& spec, const Catalog& catalog,
                                  const InstancePrice& p, double& usd_per_instance_hour) {
  if (spec.usd_per_hour) {
    usd_per_instance_hour = *spec.usd_per_hour;
    return std::nullopt;
  }
  if (spec.region != catalog.region) {
    return RegionMismatch(spec, catalog, spec.instance_type, ", or give pricing.usd_per_hour");
  }
  if (OwnBasis(spec) && !p.from_prices_file) {
    return "price_basis " + std::string(Name(spec.price_basis)) +
           " needs your own price: the catalog's " + spec.instance_type +
           " price is on-demand; give pricing.usd_per_hour (per instance-hour)";
  }
  usd_per_instance_hour = p.usd_per_hour;
  return std::nullopt;
}

// `count` instances of a type in `types` (EC2's or SageMaker's): usd_per_hour, vCPUs and
// architecture into `r`, and the catalog entry into `*found` (nullptr for a type the catalog
// lacks, which then needs pricing.usd_per_hour; `unknown` says so).
ResolveError PriceInstances(const PricingSpec& spec, const Catalog& catalog,
                            const std::map<std::string, InstancePrice>& types,
                            const std::string& unknown, ResolvedPricing& r,
                            const InstancePrice** found) {
  auto it = types.find(spec.instance_type);
  double usd_per_instance_hour = 0;
  *found = nullptr;
  if (it == types.end()) {
    if (!spec.usd_per_hour) return unknown;
    usd_per_instance_hour = *spec.usd_per_hour;  // vCPUs and architecture stay unknown
  } else {
    const InstancePrice& p = it->second;
    if (ResolveError error = CatalogInstancePrice(spec, catalog, p, usd_per_instance_hour)) {
      return error;
    }
    r.architecture = p.architecture;
    r.vcpus = p.vcpus * spec.count;
    *found = &p;
  }
  r.usd_per_hour = usd_per_instance_hour * spec.count;
  return std::nullopt;
}

// model instance: `count` EC2 instances of `instance_type`; an unknown type needs its price.
ResolveError ResolveInstance(const PricingSpec& spec, const Catalog& catalog, ResolvedPricing& r) {
  if (spec.instance_type.empty()) {
    return "instance_type is required for model instance (e.g. g4dn.xlarge)";
  }
  if (IsSageMakerType(spec.instance_type)) {
    return "instance_type '" + spec.instance_type +
           "' is a SageMaker instance type: for a SageMaker endpoint use model sagemaker; for an "
           "EC2 instance give its EC2 type ('" +
           spec.instance_type.substr(kSageMakerPrefix.size()) + "')";
  }
  const InstancePrice* p = nullptr;
  if (ResolveError error =
          PriceInstances(spec, catalog, catalog.instances,
                         "unknown instance type '" + spec.instance_type + "'; the catalog knows " +
                             KnownTypes(catalog.instances) +
                             "; give its price as pricing.usd_per_hour, or add it to a prices file",
                         r, &p)) {
    return error;
  }
  if (p != nullptr) {
    r.baseline_per_vcpu = p->baseline_per_vcpu;
    // Standard mode throttles at the baseline instead of charging: nothing to price.
    r.surplus_usd_per_vcpu_hour =
        spec.cpu_credits == CpuCredits::kUnlimited ? p->surplus_usd_per_vcpu_hour : 0;
  }
  r.platform = "ec2";
  return std::nullopt;
}

// model hourly: anything billed by the hour, at pricing.usd_per_hour per unit.
ResolveError ResolveHourly(const PricingSpec& spec, ResolvedPricing& r) {
  if (!spec.usd_per_hour) {
    return "usd_per_hour is required for model hourly (US dollars per hour)";
  }
  r.platform = "other";
  r.usd_per_hour = *spec.usd_per_hour * spec.count;
  return std::nullopt;
}

// What a Lambda spec needs before it can be priced: memory and provisioned concurrency in
// range, and the catalog's Lambda rates for its region and price basis.
ResolveError CheckLambda(const PricingSpec& spec, const Catalog& catalog) {
  if (spec.memory_mb < kLambdaMinMemoryMb || spec.memory_mb > kLambdaMaxMemoryMb) {
    return "memory_mb must be between " + std::to_string(kLambdaMinMemoryMb) + " and " +
           std::to_string(kLambdaMaxMemoryMb) + " (MB, as configured on the function), got " +
           std::to_string(spec.memory_mb);
  }
  if (spec.provisioned_concurrency < 0) {
    return "provisioned_concurrency must be 0 or more, got " +
           std::to_string(spec.provisioned_concurrency);
  }
  if (spec.region != catalog.region) return RegionMismatch(spec, catalog, "Lambda", "");
  if (!catalog.serverless.has_lambda) {
    return "the prices file for " + catalog.region +
           " has no lambda block; add the Lambda prices to it";
  }
  if (OwnBasis(spec) && !catalog.serverless.lambda_from_prices_file) {
    return "price_basis " + std::string(Name(spec.price_basis)) +
           " needs your own Lambda rates: the catalog's are on-demand; give them in a prices file";
  }
  return std::nullopt;
}

// model lambda: requests and GB-seconds at the architecture's rates; provisioned concurrency
// adds an hourly charge and lowers the duration price of what it serves.
ResolveError ResolveLambda(const PricingSpec& spec, const Catalog& catalog, ResolvedPricing& r) {
  if (ResolveError error = CheckLambda(spec, catalog)) return error;
  const ServerlessPrices& s = catalog.serverless;
  const bool arm = spec.architecture == Architecture::kArm64;
  const double on_demand = arm ? s.lambda_gb_second_arm64 : s.lambda_gb_second_x86_64;
  const double provisioned =
      arm ? s.lambda_provisioned_gb_second_arm64 : s.lambda_provisioned_gb_second_x86_64;
  const double pc_duration = arm ? s.lambda_provisioned_duration_gb_second_arm64
                                 : s.lambda_provisioned_duration_gb_second_x86_64;
  r.platform = "lambda";
  r.architecture = std::string(Name(spec.architecture));
  r.memory_gb = spec.memory_mb / kMbPerGb;
  r.function_usd_per_request = spec.usd_per_request.value_or(s.lambda_request_usd);
  r.on_demand_usd_per_gb_second = on_demand;
  const bool has_pc = spec.provisioned_concurrency > 0;
  r.usd_per_gb_second = has_pc ? pc_duration : on_demand;
  r.provisioned_usd_per_hour =
      spec.provisioned_concurrency * r.memory_gb * provisioned * kSecondsPerHour;
  r.usd_per_hour = r.provisioned_usd_per_hour;
  return std::nullopt;
}

// model per_request: anything billed by the request, at pricing.usd_per_request.
ResolveError ResolvePerRequest(const PricingSpec& spec, ResolvedPricing& r) {
  if (!spec.usd_per_request) {
    return "usd_per_request is required for model per_request (US dollars per request)";
  }
  r.platform = "other";
  r.function_usd_per_request = *spec.usd_per_request;
  return std::nullopt;
}

// model sagemaker: a real-time endpoint of `count` ml.* instances, at SageMaker's own hourly
// price for the type (not the EC2 price of the same hardware).
ResolveError ResolveSageMaker(const PricingSpec& spec, const Catalog& catalog, ResolvedPricing& r) {
  if (spec.instance_type.empty()) {
    return "instance_type is required for model sagemaker (e.g. ml.g4dn.xlarge)";
  }
  if (!IsSageMakerType(spec.instance_type)) {
    return "instance_type '" + spec.instance_type +
           "' is an EC2 instance type: model sagemaker takes SageMaker types, e.g. 'ml." +
           spec.instance_type + "'; for an EC2 instance use model instance";
  }
  const InstancePrice* p = nullptr;
  if (ResolveError error = PriceInstances(
          spec, catalog, catalog.sagemaker_instances,
          "unknown SageMaker instance type '" + spec.instance_type + "'; the catalog for " +
              catalog.region + " knows " + KnownTypes(catalog.sagemaker_instances) +
              "; give its price as pricing.usd_per_hour, or add it to a prices file under "
              "sagemaker_instances",
          r, &p)) {
    return error;
  }
  r.platform = "sagemaker";
  return std::nullopt;
}

// model sagemaker_serverless: compute per GB-second of the endpoint's memory over the billed
// duration, and data processed in and out; no request price, nothing by the hour.
ResolveError ResolveSageMakerServerless(const PricingSpec& spec, const Catalog& catalog,
                                        ResolvedPricing& r) {
  const auto& sizes = kSageMakerServerlessMemoryMb;
  if (std::find(std::begin(sizes), std::end(sizes), spec.memory_mb) == std::end(sizes)) {
    return "memory_mb must be one of 1024, 2048, 3072, 4096, 5120, 6144 for model "
           "sagemaker_serverless (MB, as MemorySizeInMB on the endpoint), got " +
           std::to_string(spec.memory_mb);
  }
  if (spec.region != catalog.region) {
    return RegionMismatch(spec, catalog, "SageMaker Serverless", "");
  }
  const SageMakerServerlessPrices& s = catalog.sagemaker_serverless;
  if (!s.has_prices) {
    return "the prices file for " + catalog.region +
           " has no sagemaker_serverless block; add the SageMaker Serverless prices to it";
  }
  if (OwnBasis(spec) && !s.from_prices_file) {
    return "price_basis " + std::string(Name(spec.price_basis)) +
           " needs your own SageMaker Serverless rates: the catalog's are on-demand; give them in "
           "a prices file";
  }
  r.platform = "sagemaker";
  r.memory_gb = spec.memory_mb / kMbPerGb;
  r.usd_per_gb_second = s.usd_per_gb_second;
  r.on_demand_usd_per_gb_second = s.usd_per_gb_second;
  r.data_in_usd_per_gb = s.data_in_usd_per_gb;
  r.data_out_usd_per_gb = s.data_out_usd_per_gb;
  return std::nullopt;
}

ResolveError ResolveModel(const PricingSpec& spec, const Catalog& catalog, ResolvedPricing& r) {
  switch (spec.model) {
    case PricingModel::kInstance:
      return ResolveInstance(spec, catalog, r);
    case PricingModel::kHourly:
      return ResolveHourly(spec, r);
    case PricingModel::kLambda:
      return ResolveLambda(spec, catalog, r);
    case PricingModel::kPerRequest:
      return ResolvePerRequest(spec, r);
    case PricingModel::kSageMaker:
      return ResolveSageMaker(spec, catalog, r);
    case PricingModel::kSageMakerServerless:
      return ResolveSageMakerServerless(spec, catalog, r);
  }
  return std::nullopt;
}

// An API Gateway in front of any model adds its price per request.
ResolveError ResolveApiGateway(const PricingSpec& spec, const Catalog& catalog,
                               ResolvedPricing& r) {
  if (spec.api_gateway == ApiGateway::kNone) return std::nullopt;
  if (spec.region != catalog.region) return RegionMismatch(spec, catalog, "API Gateway", "");
  const ServerlessPrices& s = catalog.serverless;
  if (!s.has_api_gateway) {
    return "the prices file for " + catalog.region +
           " has no api_gateway block; add the API Gateway prices to it";
  }
  r.gateway_usd_per_request = spec.api_gateway == ApiGateway::kRest
                                  ? s.api_gateway_rest_request_usd
                                  : s.api_gateway_http_request_usd;
  return std::nullopt;
}

}  // namespace

ResolveResult Resolve(const PricingSpec& spec, const Catalog& catalog) {
  if (std::string misplaced = MisplacedKey(spec); !misplaced.empty()) {
    return Fail(misplaced);
  }
  if (auto bad = CheckNumbers(spec)) {
    return Fail(*bad);
  }
  ResolvedPricing r;
  r.spec = spec;
  if (ResolveError error = ResolveModel(spec, catalog, r)) return Fail(std::move(*error));
  if (ResolveError error = ResolveApiGateway(spec, catalog, r)) return Fail(std::move(*error));
  if (ResolveError error = cost_internal::ResolveLineItems(spec, catalog, r)) {
    return Fail(std::move(*error));
  }
  r.usd_per_hour += spec.fixed_usd_per_hour;
  r.usd_per_request = r.function_usd_per_request + r.gateway_usd_per_request;

  ResolveResult result;
  result.pricing = std::move(r);
  return result;
}

namespace {

bool IsBurstable(const ResolvedPricing& p) {
  return p.baseline_per_vcpu > 0 && p.surplus_usd_per_vcpu_hour > 0 && p.vcpus > 0;
}

// Surplus credits per hour at utilisation u: what runs above the baseline is bought by the
// vCPU-hour (unlimited mode).
double SurplusUsdPerHour(const ResolvedPricing& p, double utilisation) {
  return std::max(0.0, utilisation - p.baseline_per_vcpu) * p.vcpus * p.surplus_usd_per_vcpu_hour;
}

// Duration spend for `gb_seconds` of Lambda execution when provisioned concurrency could have
// served at most `pc_gb_seconds` of them. AWS charges the lower duration price only for
// invocations that ran on provisioned environments; those serve first, so the share is at most
// PC x window. Treating it as exactly that is the approximation (an upper bound on the savings
// when bursts overflow PC while it sits idle at other times in the same window).
double DurationUsd(const ResolvedPricing& p, double gb_seconds, double pc_gb_seconds) {
  const double at_pc = std::clamp(pc_gb_seconds, 0.0, gb_seconds);
  return at_pc * p.usd_per_gb_second + (gb_seconds - at_pc) * p.on_demand_usd_per_gb_second;
}

// A gauge must never carry inf or NaN: extreme inputs (a capacity of 1e-310 IPS) leave the
// figure absent instead.
void SetFigure(double usd_per_million, std::optional<double>* figure, std::string* reason) {
  if (std::isfinite(usd_per_million)) {
    *figure = usd_per_million;
  } else {
    *reason = "the figure is not a finite number for these inputs";
  }
}

}  // namespace

Cost ComputeCost(const ResolvedPricing& pricing, const Usage& usage) {
  Cost cost;
  double elapsed_seconds = usage.elapsed_seconds;
  if (!std::isfinite(elapsed_seconds) || elapsed_seconds < 0) {
    cost.caveats.push_back("the window length was not a non-negative number; counted as 0 s");
    elapsed_seconds = 0;
  }
  double capacity_ips = usage.capacity_ips;
  if (!std::isfinite(capacity_ips) || capacity_ips < 0) {
    capacity_ips = 0;
  }
  const double hours = elapsed_seconds / kSecondsPerHour;
  // Counts as doubles once: exact below 2^53, far beyond any window.
  const double ok = static_cast<double>(usage.ok);
  const double gateway_requests = static_cast<double>(usage.gateway_requests);
  const double billable = static_cast<double>(usage.billable_requests);
  const double billed_seconds = static_cast<double>(usage.billed_ms) / kMsPerSecond;
  const double observed_ips = elapsed_seconds > 0 ? ok / elapsed_seconds : 0;
  const bool lambda = pricing.memory_gb > 0;  // billed by duration: Lambda, SageMaker Serverless
  // SageMaker Serverless: the window's bodies in and out, at the data-processed prices.
  const double data_usd =
      static_cast<double>(usage.data_in_bytes) / kBytesPerGb * pricing.data_in_usd_per_gb +
      static_cast<double>(usage.data_out_bytes) / kBytesPerGb * pricing.data_out_usd_per_gb;

  // Time: instance hours, provisioned concurrency, fixed costs, and burstable surplus credits.
  cost.time_usd = pricing.usd_per_hour * hours;
  if (pricing.baseline_per_vcpu > 0 && capacity_ips > 0) {
    cost.utilisation = std::clamp(observed_ips / capacity_ips, 0.0, 1.0);
  }
  if (IsBurstable(pricing)) {
    if (capacity_ips > 0) {
      cost.surplus_credit_usd = SurplusUsdPerHour(pricing, cost.utilisation) * hours;
      cost.time_usd += cost.surplus_credit_usd;
    } else if (usage.ok > 0) {
      cost.caveats.push_back(
          "burstable surplus credits not estimated yet: capacity (for utilisation) not known");
    }
  }

  // Requests: the function's price on the requests it bills, the gateway's on those it bills
  // (the billability table decides both), and Lambda duration.
  cost.request_usd = pricing.function_usd_per_request * billable +
                     pricing.gateway_usd_per_request * gateway_requests + data_usd;
  if (lambda) {
    const double gb_seconds = billed_seconds * pricing.memory_gb;
    const double pc_gb_seconds =
        pricing.spec.provisioned_concurrency * elapsed_seconds * pricing.memory_gb;
    cost.request_usd += DurationUsd(pricing, gb_seconds, pc_gb_seconds);
    if (usage.billed_estimated) {
      cost.caveats.push_back(
          "some billed durations are measured latencies (no billed-duration header): an upper "
          "bound");
    }
    if (usage.billed_lower_bound) {
      cost.caveats.push_back(
          "some functions ran on after a timeout: AWS bills their whole run, of which the "
          "measured latency is a lower bound");
    }
  }

  // The optional line items, each its own component.
  cost_internal::AddLineItemCosts(pricing, hours, billable, billed_seconds, cost);

  // Observed basis: what this window's traffic cost per successful inference.
  if (usage.ok == 0) {
    cost.observed_absent_reason = "no successful inferences in the window";
  } else {
    SetFigure(cost.TotalUsd() / ok * kPerMillion, &cost.observed_usd_per_million,
              &cost.observed_absent_reason);
  }

  // Capacity basis: the cost per inference when the target runs at its highest healthy IPS,
  // one request per inference.
  if (capacity_ips <= 0) {
    cost.capacity_absent_reason =
        "capacity not known yet: it needs a valid full window with under 1 % errors (and p95 "
        "within the SLO when one is set)";
    return cost;
  }
  // Unlimited burstable at capacity runs flat out: utilisation 1.
  const double usd_per_hour = pricing.usd_per_hour + FullLoadSurplusUsdPerHour(pricing) +
                              cost_internal::LineItemsUsdPerHour(pricing);
  double per_inference = usd_per_hour / (capacity_ips * kSecondsPerHour);
  if (usage.billable_requests == 0) {
    if (lambda) {
      cost.capacity_absent_reason = "no billed Lambda durations in the window yet";
      return cost;
    }
    // Nothing billed per request in the window: the prices in force.
    per_inference += pricing.usd_per_request + cost_internal::LineItemsUsdPerRequest(pricing);
  } else {
    // One billed request per inference at capacity (the billability table's `ok` row): the
    // window's per-request charges per billed request. The function's fee is then its price; a
    // throttled request, billed nothing, is no inference. The gateway's fee, the data processed
    // and the per-request line items are their window's spend over the billed requests.
    double per_request_usd = pricing.function_usd_per_request * billable +
                             pricing.gateway_usd_per_request * gateway_requests + data_usd;
    for (LineItem item : kLineItems) {
      if (!IsHourly(item)) per_request_usd += cost.line_item_usd[static_cast<std::size_t>(item)];
    }
    per_inference += per_request_usd / billable;
  }
  if (lambda) {
    // Duration per billed request at capacity. The function then holds capacity x mean duration
    // environments at once (Little's law), of which provisioned concurrency covers up to PC: per
    // request, min(mean duration, PC / capacity) seconds at the lower price.
    const double mean_seconds = billed_seconds / billable;
    const double gb_seconds = mean_seconds * pricing.memory_gb;
    const double at_pc_seconds =
        std::min(mean_seconds, pricing.spec.provisioned_concurrency / capacity_ips);
    per_inference += DurationUsd(pricing, gb_seconds, at_pc_seconds * pricing.memory_gb);
  }
  SetFigure(per_inference * kPerMillion, &cost.capacity_usd_per_million,
            &cost.capacity_absent_reason);
  return cost;
}

double FullLoadSurplusUsdPerHour(const ResolvedPricing& pricing) {
  return IsBurstable(pricing) ? SurplusUsdPerHour(pricing, 1.0) : 0.0;
}

std::string FormatUsd(double usd) {
  if (!std::isfinite(usd)) {
    return "n/a";
  }
  const char* sign = usd < 0 ? "-" : "";
  const double amount = std::fabs(usd);
  int decimals = 2;
  if (amount > 0 && amount < 0.01) {
    // Two significant digits below one cent: $0.0042, $0.00000020.
    decimals = std::min(15, 1 - static_cast<int>(std::floor(std::log10(amount))));
  }
  char buf[64];
  std::snprintf(buf, sizeof buf, "%s$%.*f", sign, decimals, amount);
  return buf;
}

}  // namespace infercost
