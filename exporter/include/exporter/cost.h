// The cost model: prices in force for a target, and spend and $ per 1M inferences over a window.
// Pure: no I/O, no clock. Thread contract: free functions and immutable values; safe anywhere.
//
// Money is a double in US dollars everywhere inside the program. Nothing is rounded on the way;
// the one rounding point is presentation (reports, the bench summary, the landing page), which
// formats with FormatUsd(). Prometheus gets the unrounded double.
#ifndef EXPORTER_COST_H_
#define EXPORTER_COST_H_

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace infercost {

enum class PricingModel { kInstance, kHourly, kLambda, kPerRequest };
enum class PriceBasis { kOnDemand, kReserved, kSpot, kSavingsPlan };
enum class CpuCredits { kUnlimited, kStandard };
enum class ApiGateway { kNone, kHttp, kRest };
enum class Architecture { kX86_64, kArm64 };

// What a user says about a target's price (config `pricing:` or bench's pricing flags).
struct PricingSpec {
  PricingModel model = PricingModel::kHourly;
  std::string region = "us-east-1";
  PriceBasis price_basis = PriceBasis::kOnDemand;
  double fixed_usd_per_hour = 0;  // storage, EFS, NAT... added to the time component

  // instance: price from the catalog unless usd_per_hour overrides it (reserved, spot, ...).
  std::string instance_type;
  int count = 1;
  std::optional<double> usd_per_hour;               // hourly: required; instance: optional override
  CpuCredits cpu_credits = CpuCredits::kUnlimited;  // burstable types (t3, t4g) only

  // lambda
  int memory_mb = 0;
  Architecture architecture = Architecture::kX86_64;
  ApiGateway api_gateway = ApiGateway::kNone;
  int provisioned_concurrency = 0;

  // per_request (also an override of Lambda's request price when set on a lambda target)
  std::optional<double> usd_per_request;
};

// One row of the built-in catalog of EC2 instance prices.
struct InstancePrice {
  std::string type;         // e.g. g4dn.xlarge
  double usd_per_hour = 0;  // on-demand, Linux
  int vcpus = 0;
  std::string architecture;              // x86_64 | arm64
  std::string accelerator;               // e.g. "NVIDIA T4", "" for none
  double baseline_per_vcpu = 0;          // burstable: CPU baseline (0.2 = 20 %); 0 otherwise
  double surplus_usd_per_vcpu_hour = 0;  // burstable: unlimited-mode surplus credit price
  std::string taken;                     // date the price was read, YYYY-MM-DD
  std::string source;                    // where it was read
};

struct ServerlessPrices {
  double lambda_request_usd = 0;  // per request
  double lambda_gb_second_x86_64 = 0;
  double lambda_gb_second_arm64 = 0;
  double lambda_provisioned_gb_second_x86_64 = 0;  // time-based, per GB-s provisioned
  double lambda_provisioned_gb_second_arm64 = 0;
  double lambda_provisioned_duration_gb_second_x86_64 = 0;  // duration price with PC
  double lambda_provisioned_duration_gb_second_arm64 = 0;
  double api_gateway_rest_request_usd = 0;
  double api_gateway_http_request_usd = 0;
  std::string taken;
  std::string source;
};

// Prices by region. Built-in data is us-east-1 on-demand; a prices file or the config overrides
// any entry.
struct Catalog {
  std::string region = "us-east-1";
  std::map<std::string, InstancePrice> instances;
  ServerlessPrices serverless;
};

struct CatalogResult {
  std::optional<Catalog> catalog;
  std::string error;  // what to fix, with the file name
};

// The compiled-in catalog.
const Catalog& BuiltinCatalog();
// The built-in catalog with the entries of a prices file (same YAML shape as the built-in data)
// laid over it.
CatalogResult LoadCatalogOverrides(const std::string& path);

// The prices in force for one target: what infercost_price_* gauges export.
struct ResolvedPricing {
  PricingSpec spec;
  std::string platform;          // ec2 | lambda | other
  std::string architecture;      // x86_64 | arm64 | "" when unknown
  double usd_per_hour = 0;       // time-based: instances x count + fixed + provisioned concurrency
  double usd_per_request = 0;    // per request: Lambda request + API Gateway, or per_request
  double usd_per_gb_second = 0;  // Lambda duration price in force (lower with PC)
  double memory_gb = 0;          // Lambda memory, GiB-as-AWS-bills-it (MB / 1024)
  int vcpus = 0;                 // instance vCPUs x count (burstable surplus)
  double baseline_per_vcpu = 0;  // burstable baseline, 0 when not burstable
  double surplus_usd_per_vcpu_hour = 0;
  double provisioned_usd_per_hour = 0;  // the provisioned-concurrency part of usd_per_hour
};

struct ResolveResult {
  std::optional<ResolvedPricing> pricing;
  // What to fix, e.g. "unknown instance type 'p9.huge'; known: ...; or give pricing.usd_per_hour"
  std::string error;
};
ResolveResult Resolve(const PricingSpec& spec, const Catalog& catalog);

// What happened in a window, as the engine measured it.
struct Usage {
  double elapsed_seconds = 0;      // length of the window
  uint64_t ok = 0;                 // successful inferences
  uint64_t requests = 0;           // every request sent and finished, failures included
  uint64_t billable_requests = 0;  // requests that reached the function (Lambda; not throttled)
  uint64_t billed_ms = 0;          // summed billed duration, each request rounded up to 1 ms
  bool billed_estimated = false;   // some durations were measured latency (an upper bound)
  double capacity_ips = 0;         // highest healthy sustained IPS; 0 when not yet known
};

struct Cost {
  double time_usd = 0;            // spend that accrues with the clock over the window
  double request_usd = 0;         // spend that accrues per request over the window
  double surplus_credit_usd = 0;  // part of time_usd: burstable surplus credits
  double utilisation = 0;         // burstable: observed / capacity IPS (0 when unknown)
  // $ per 1M successful inferences; absent (with a reason) when it cannot be computed.
  std::optional<double> observed_usd_per_million;
  std::optional<double> capacity_usd_per_million;
  std::string observed_absent_reason;
  std::string capacity_absent_reason;
  double TotalUsd() const { return time_usd + request_usd; }
};

Cost ComputeCost(const ResolvedPricing& pricing, const Usage& usage);

// Presentation: "$10.71", "$0.29", "$0.0042" (two decimals, more below one cent).
std::string FormatUsd(double usd);

std::string_view Name(PricingModel v);
std::string_view Name(PriceBasis v);
std::string_view Name(CpuCredits v);
std::string_view Name(ApiGateway v);
std::string_view Name(Architecture v);

}  // namespace infercost

#endif  // EXPORTER_COST_H_
