// The cost model: prices in force for a target, and spend and $ per 1M inferences over a window.
// Pure: no I/O, no clock (LoadCatalogOverrides alone reads the file it is given). Thread
// contract: free functions and immutable values; safe anywhere. The capacity tracker is in
// cost/capacity.h.
//
// Money is a double in US dollars everywhere inside the program. Nothing is rounded on the way;
// the one rounding point is presentation (reports, the bench summary, the landing page), which
// formats with FormatUsd(). Prometheus gets the unrounded double.
#ifndef INFERCOST_COST_COST_H_
#define INFERCOST_COST_COST_H_

#include <array>
#include <cstdint>
#include <iterator>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace infercost {

enum class PricingModel {
  kInstance,
  kHourly,
  kLambda,
  kPerRequest,
  kSageMaker,            // a SageMaker real-time endpoint: ml.* instances by the hour
  kSageMakerServerless,  // SageMaker Serverless Inference: GB-seconds and data processed
};
enum class PriceBasis { kOnDemand, kReserved, kSpot, kSavingsPlan };
enum class CpuCredits { kUnlimited, kStandard };
enum class ApiGateway { kNone, kHttp, kRest };
enum class Architecture { kX86_64, kArm64 };

// Every value of each enum, in the order messages list them (Name() below spells them).
inline constexpr PricingModel kPricingModels[] = {
    PricingModel::kInstance,   PricingModel::kHourly,    PricingModel::kLambda,
    PricingModel::kPerRequest, PricingModel::kSageMaker, PricingModel::kSageMakerServerless};
inline constexpr PriceBasis kPriceBases[] = {PriceBasis::kOnDemand, PriceBasis::kReserved,
                                             PriceBasis::kSpot, PriceBasis::kSavingsPlan};
inline constexpr CpuCredits kCpuCredits[] = {CpuCredits::kUnlimited, CpuCredits::kStandard};
inline constexpr ApiGateway kApiGateways[] = {ApiGateway::kRest, ApiGateway::kHttp,
                                              ApiGateway::kNone};
inline constexpr Architecture kArchitectures[] = {Architecture::kX86_64, Architecture::kArm64};

// A load balancer in front of a target (pricing.load_balancer.type): an Application Load Balancer.
enum class LoadBalancerType { kAlb };
inline constexpr LoadBalancerType kLoadBalancerTypes[] = {LoadBalancerType::kAlb};

// pricing.load_balancer: ALB hours, and LCUs priced on the processed-bytes dimension.
struct LoadBalancerSpec {
  LoadBalancerType type = LoadBalancerType::kAlb;
  double bytes_per_request = 0;  // request + response bytes the load balancer processes
};

// The optional line items of a bill, each its own `component` of infercost_cost_usd_total (Name()
// spells the label value). Hourly items accrue with the clock, once per target (like `time`);
// the others accrue per request and are summed over generators (like `request`).
enum class LineItem {
  kLoadBalancer,      // ALB hours (hourly)
  kLoadBalancerLcu,   // ALB LCUs for processed bytes (per request)
  kPublicIpv4,        // public IPv4 addresses (hourly)
  kEbs,               // EBS volumes, per instance in count (hourly)
  kLogs,              // CloudWatch Logs ingestion (per request)
  kEphemeralStorage,  // Lambda ephemeral storage over 512 MB (per billed second)
};
inline constexpr LineItem kLineItems[] = {LineItem::kLoadBalancer, LineItem::kLoadBalancerLcu,
                                          LineItem::kPublicIpv4,   LineItem::kEbs,
                                          LineItem::kLogs,         LineItem::kEphemeralStorage};
inline constexpr std::size_t kLineItemCount = std::size(kLineItems);
// Accrues with the clock (instance-like, taken once per target) rather than per request.
bool IsHourly(LineItem item);
// Lambda ephemeral storage (MB): what AWS allows, and what comes free with every function.
inline constexpr int kLambdaMinEphemeralMb = 512;
inline constexpr int kLambdaMaxEphemeralMb = 10240;

// What a user says about a target's price (config `pricing:` or bench's pricing flags).
struct PricingSpec {
  PricingModel model = PricingModel::kHourly;
  std::string region = "us-east-1";
  PriceBasis price_basis = PriceBasis::kOnDemand;
  double fixed_usd_per_hour = 0;  // storage, EFS, NAT... added to the time component

  // instance, sagemaker: price from the catalog (EC2 types for instance, ml.* types for
  // sagemaker) unless usd_per_hour overrides it (reserved, spot, ...); count is the number of
  // instances (of a SageMaker endpoint: its instance count).
  std::string instance_type;
  int count = 1;
  std::optional<double> usd_per_hour;  // hourly: required; instance, sagemaker: optional override
  CpuCredits cpu_credits = CpuCredits::kUnlimited;  // burstable types (t3, t4g) only

  // lambda, sagemaker_serverless (one of kSageMakerServerlessMemoryMb)
  int memory_mb = 0;
  Architecture architecture = Architecture::kX86_64;
  ApiGateway api_gateway = ApiGateway::kNone;  // also allowed in front of any other model
  int provisioned_concurrency = 0;

  // per_request (also an override of Lambda's request price when set on a lambda target)
  std::optional<double> usd_per_request;

  // Optional line items, none unless configured (cost/line_items.cc; docs/cost-model.md).
  std::optional<LoadBalancerSpec> load_balancer;  // instance, hourly, per_request
  int public_ipv4 = 0;                            // instance, hourly: addresses in all
  double ebs_gb = 0;                              // instance, hourly: per instance in count
  std::string ebs_type;                           // with ebs_gb: gp3, gp2, io1, ...
  std::optional<double> cloudwatch_logs_bytes_per_request;  // log bytes ingested per request
  int ephemeral_storage_mb = 0;  // lambda: 512..10240 as configured; 0 when not given (512)
};

// Hours in the month that monthly figures use (AWS's own convention: 365 × 24 / 12); also what
// turns a per-GB-month price (EBS) into a per-hour one.
inline constexpr double kHoursPerMonth = 730.0;

// Lambda memory bounds (MB) as AWS allows them.
inline constexpr int kLambdaMinMemoryMb = 128;
inline constexpr int kLambdaMaxMemoryMb = 10240;
// The memory sizes a SageMaker Serverless endpoint may have (MemorySizeInMB), in MB.
inline constexpr int kSageMakerServerlessMemoryMb[] = {1024, 2048, 3072, 4096, 5120, 6144};

// One row of the built-in catalog of EC2 instance prices (or of SageMaker ml.* instance prices:
// the same fields; SageMaker bills its own hourly price, not the EC2 one).
struct InstancePrice {
  std::string type;         // e.g. g4dn.xlarge, ml.g4dn.xlarge
  double usd_per_hour = 0;  // on-demand, Linux
  int vcpus = 0;
  std::string architecture;              // x86_64 | arm64
  std::string accelerator;               // e.g. "NVIDIA T4", "" for none
  double baseline_per_vcpu = 0;          // burstable: CPU baseline (0.2 = 20 %); 0 otherwise
  double surplus_usd_per_vcpu_hour = 0;  // burstable: unlimited-mode surplus credit price
  std::string taken;                     // date the price was read, YYYY-MM-DD
  std::string source;                    // where it was read
  bool from_prices_file = false;  // set by a user's prices file (then any price_basis is allowed)
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
  std::string taken;   // of the Lambda prices
  std::string source;  // of the Lambda prices
  std::string api_gateway_taken;
  std::string api_gateway_source;
  // False when the catalog's region has no such prices (a prices file for another region that
  // leaves the block out): a target that needs them is then a config error, never $0.
  bool has_lambda = false;
  bool has_api_gateway = false;
  bool lambda_from_prices_file = false;  // the Lambda prices are the user's own
};

// SageMaker Serverless Inference: compute per GB-second of memory x billed duration (AWS lists a
// price per second for each memory size, linear in memory), and data processed in and out.
struct SageMakerServerlessPrices {
  double usd_per_gb_second = 0;    // GB = memory_mb / 1024
  double data_in_usd_per_gb = 0;   // request bodies, GB = 2^30 bytes
  double data_out_usd_per_gb = 0;  // response bodies
  std::string taken;
  std::string source;
  // False when the catalog's region has none (see ServerlessPrices::has_lambda).
  bool has_prices = false;
  bool from_prices_file = false;
};

// When and where a catalog price was read (a prices file's block: taken "" and the file's name,
// unless it gives its own).
struct PriceProvenance {
  std::string taken;
  std::string source;
};

// The optional line items' prices (see LineItem). A block a prices file for another region
// leaves out is absent (has_*): a target that configures the item is then a config error.
struct LineItemPrices {
  double alb_usd_per_hour = 0;
  double alb_usd_per_lcu_hour = 0;
  double alb_processed_gb_per_lcu_hour = 0;            // the processed-bytes dimension of one LCU
  double public_ipv4_usd_per_hour = 0;                 // per address
  std::map<std::string, double> ebs_usd_per_gb_month;  // by volume type (gp3, gp2, io1, ...)
  double cloudwatch_logs_usd_per_gb = 0;               // ingestion, GB = 2^30 bytes
  double lambda_ephemeral_usd_per_gb_second = 0;       // over the free 512 MB
  PriceProvenance alb, public_ipv4, ebs, cloudwatch_logs, lambda_ephemeral;
  bool has_alb = false;
  bool has_public_ipv4 = false;
  bool has_ebs = false;
  bool has_cloudwatch_logs = false;
  bool has_lambda_ephemeral = false;
};

// Prices by region. Built-in data is us-east-1 on-demand; a prices file or the config overrides
// any entry.
struct Catalog {
  std::string region = "us-east-1";
  std::map<std::string, InstancePrice> instances;            // EC2, by type
  std::map<std::string, InstancePrice> sagemaker_instances;  // SageMaker real-time, ml.* types
  ServerlessPrices serverless;
  SageMakerServerlessPrices sagemaker_serverless;
  LineItemPrices line_items;
};

struct CatalogResult {
  std::optional<Catalog> catalog;
  std::string error;  // what to fix, with the file name
};

// The compiled-in catalog (exporter/cost/data/prices.yaml).
const Catalog& BuiltinCatalog();
// The built-in catalog with the entries of a prices file (same YAML shape as the built-in data)
// laid over it. Errors read "FILE:LINE:COL: message".
CatalogResult LoadCatalogOverrides(const std::string& path);
// The same for YAML text already in memory, laid over `base`; `file_name` is for messages.
// A file whose `region:` differs from base's replaces the base instead of laying over it, so no
// price of one region leaks into another.
CatalogResult OverlayCatalog(const Catalog& base, std::string_view yaml,
                             const std::string& file_name);

// The prices in force for one target: what infercost_price_* gauges export.
struct ResolvedPricing {
  PricingSpec spec;
  std::string platform;          // ec2 | lambda | sagemaker | other
  std::string architecture;      // x86_64 | arm64 | "" when unknown
  double usd_per_hour = 0;       // time-based: instances x count + fixed + provisioned concurrency
  double usd_per_request = 0;    // per request: Lambda request + API Gateway, or per_request
  double usd_per_gb_second = 0;  // duration price in force (Lambda: lower with PC; SageMaker
                                 // Serverless)
  double memory_gb = 0;  // Lambda or SageMaker Serverless memory, GB as AWS bills it (MB / 1024)
  int vcpus = 0;         // instance vCPUs x count (burstable surplus)
  double baseline_per_vcpu = 0;          // burstable baseline, 0 when not burstable
  double surplus_usd_per_vcpu_hour = 0;  // 0 in standard mode: no surplus is ever charged
  double provisioned_usd_per_hour = 0;   // the provisioned-concurrency part of usd_per_hour

  // The two halves of usd_per_request, which AWS counts on different requests: the function's
  // (Lambda request or per_request price) on billable requests, the gateway's on every request.
  double function_usd_per_request = 0;
  double gateway_usd_per_request = 0;
  // Duration price for what provisioned concurrency cannot cover (= usd_per_gb_second without PC).
  double on_demand_usd_per_gb_second = 0;
  // SageMaker Serverless: data processed, per GB (2^30 bytes) of request and response bodies.
  double data_in_usd_per_gb = 0;
  double data_out_usd_per_gb = 0;
  // The optional line items' rates (0 for an item not configured).
  double load_balancer_usd_per_hour = 0;
  double load_balancer_lcu_usd_per_request = 0;  // per request the load balancer forwards
  double public_ipv4_usd_per_hour = 0;
  double ebs_usd_per_hour = 0;                  // all instances' volumes
  double logs_usd_per_request = 0;              // per billable request
  double ephemeral_storage_usd_per_second = 0;  // per second of billed Lambda duration
};

struct ResolveResult {
  std::optional<ResolvedPricing> pricing;
  // What to fix, e.g. "unknown instance type 'p9.huge'; known: ...; or give pricing.usd_per_hour"
  std::string error;
};
ResolveResult Resolve(const PricingSpec& spec, const Catalog& catalog);

// What happened in a window, as the engine measured it.
struct Usage {
  double elapsed_seconds = 0;  // length of the window
  uint64_t ok = 0;             // successful inferences
  uint64_t requests = 0;       // every request sent and finished, failures included
  // The billed counts below come from the billability table (cost/billability.h: AddBilled), one
  // row per class of outcome; fill them for every model.
  // Requests the function bills: Lambda's request price and per_request prices apply to these.
  uint64_t billable_requests = 0;
  uint64_t gateway_requests = 0;  // requests API Gateway bills (its price applies to these)
  uint64_t billed_ms = 0;         // summed billed duration, each request rounded up to 1 ms
  bool billed_estimated = false;  // some durations were measured latency (an upper bound)
  // Some durations are of functions that ran on after the client or the gateway stopped waiting
  // (timeouts): their measured latency is a lower bound of what AWS bills.
  bool billed_lower_bound = false;
  // Bodies of the requests SageMaker Serverless processed: sent to the target (AWS's "data
  // processed in") and received from it ("out"). Every other model ignores them.
  uint64_t data_in_bytes = 0;
  uint64_t data_out_bytes = 0;
  double capacity_ips = 0;  // cost/capacity.h's capacity; 0 when not yet known
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
  // What makes the figures approximate in this window, e.g. billed durations taken from latency.
  std::vector<std::string> caveats;
  // The optional line items' spend over the window, by LineItem (outside time_usd and
  // request_usd: each is its own component).
  std::array<double, kLineItemCount> line_item_usd{};
  double LineItemsUsd() const;
  double TotalUsd() const { return time_usd + request_usd + LineItemsUsd(); }
};

Cost ComputeCost(const ResolvedPricing& pricing, const Usage& usage);

// Burstable instances in unlimited mode: the surplus-credit charge per hour at full load
// (utilisation 1), (1 - baseline) x vCPUs x the surplus price per vCPU-hour; 0 for every other
// target (standard mode included). The capacity basis adds it to the hourly price.
double FullLoadSurplusUsdPerHour(const ResolvedPricing& pricing);

// Presentation: "$10.71", "$0.29", "$0.0042" (two decimals, two significant digits below one
// cent), "-$1.50" for a negative amount, "n/a" for a value that is not finite.
std::string FormatUsd(double usd);

std::string_view Name(PricingModel v);
std::string_view Name(PriceBasis v);
std::string_view Name(CpuCredits v);
std::string_view Name(ApiGateway v);
std::string_view Name(Architecture v);
std::string_view Name(LoadBalancerType v);
std::string_view Name(LineItem v);  // the `component` label value

// The inverse of Name(): the config's and the flags' spellings ("per_request",
// "sagemaker_serverless", "savings_plan", "x86_64", ...); nullopt for anything else.
std::optional<PricingModel> ParsePricingModel(std::string_view text);
std::optional<PriceBasis> ParsePriceBasis(std::string_view text);
std::optional<CpuCredits> ParseCpuCredits(std::string_view text);
std::optional<ApiGateway> ParseApiGateway(std::string_view text);
std::optional<Architecture> ParseArchitecture(std::string_view text);
std::optional<LoadBalancerType> ParseLoadBalancerType(std::string_view text);

// cost/line_items.cc. Whether the target's pricing configures a line item (its series exist
// only then).
bool Configures(const PricingSpec& spec, LineItem item);
// What the figures leave out for this pricing, one phrase each ("CloudWatch Logs ingestion not
// included"): every output that shows a $ per 1M shows these. The one list.
std::vector<std::string> Exclusions(const ResolvedPricing& pricing);
// The same joined for one line of text: "Not included: a; b; c."
std::string ExclusionsLine(const ResolvedPricing& pricing);

}  // namespace infercost

#endif  // INFERCOST_COST_COST_H_
