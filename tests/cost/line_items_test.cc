// The optional line items against bills worked by hand from the built-in us-east-1 prices:
//   ALB $0.0225 per ALB-hour and $0.008 per LCU-hour, one LCU = 1 GB (2^30 B) processed per
//   hour; public IPv4 $0.005 per address-hour; EBS gp3 $0.08 per GB-month (730 h); CloudWatch
//   Logs ingestion $0.50 per GB (2^30 B); Lambda ephemeral storage $0.0000000309 per GB-s over
//   512 MB; with g4dn.xlarge $0.526/h, c5.xlarge $0.17/h, Lambda $0.20 per 1M requests and
//   $0.0000166667 per GB-s (x86_64).
#include <gtest/gtest.h>

#include <algorithm>
#include <cstddef>
#include <string>
#include <vector>

#include "cost/cost.h"
#include "cost_test_util.h"

namespace infercost {
namespace {

using testing::HourlySpec;
using testing::InstanceSpec;
using testing::LambdaSpec;
using testing::MustResolve;

constexpr double kTolerance = 1e-9;

double Item(const Cost& cost, LineItem item) {
  return cost.line_item_usd[static_cast<std::size_t>(item)];
}

Usage Window(double seconds, uint64_t requests, double capacity_ips, uint64_t billed_ms = 0) {
  return Usage{.elapsed_seconds = seconds,
               .ok = requests,
               .requests = requests,
               .billable_requests = requests,
               .billed_ms = billed_ms,
               .capacity_ips = capacity_ips};
}

bool Has(const std::vector<std::string>& list, const std::string& text) {
  return std::find(list.begin(), list.end(), text) != list.end();
}

TEST(LineItemsTest, NothingConfiguredAddsNothing) {
  const ResolvedPricing p = MustResolve(InstanceSpec("g4dn.xlarge"));
  const Cost cost = ComputeCost(p, Window(3600, 1000, 10));
  for (LineItem item : kLineItems) {
    EXPECT_FALSE(Configures(p.spec, item)) << Name(item);
    EXPECT_EQ(Item(cost, item), 0.0) << Name(item);
  }
  // 0.526 $/h over 1 h for 1000 inferences: $526 per 1M, as without line items.
  EXPECT_NEAR(*cost.observed_usd_per_million, 526.0, kTolerance);
}

// g4dn.xlarge behind an ALB, 100 KB (102,400 B) processed per request, 478 IPS for one hour:
//   requests     = 478 x 3600 = 1,720,800
//   ALB hours    = 1 h x $0.0225 = $0.0225
//   processed    = 1,720,800 x 102,400 B / 2^30 = 164.1082763671875 GB = LCU-hours
//   LCUs         = 164.1082763671875 x $0.008 = $1.3128662109375
//   instance     = $0.526
//   per 1M       = (0.526 + 0.0225 + 1.3128662109375) / 1.7208 = $1.0816865474997
// At capacity (478 IPS) the same: 0.5485 / (478 x 3600) x 1e6 + 102,400 / 2^30 x 0.008 x 1e6.
TEST(LineItemsTest, LoadBalancerHoursAndProcessedBytes) {
  PricingSpec spec = InstanceSpec("g4dn.xlarge");
  spec.load_balancer = LoadBalancerSpec{LoadBalancerType::kAlb, 102400};
  const ResolvedPricing p = MustResolve(spec);
  const Cost cost = ComputeCost(p, Window(3600, 1'720'800, 478));
  EXPECT_NEAR(Item(cost, LineItem::kLoadBalancer), 0.0225, kTolerance);
  EXPECT_NEAR(Item(cost, LineItem::kLoadBalancerLcu), 1.3128662109375, kTolerance);
  EXPECT_NEAR(cost.time_usd, 0.526, kTolerance);  // the items are outside time and request
  EXPECT_NEAR(cost.TotalUsd(), 1.8613662109375, kTolerance);
  EXPECT_NEAR(*cost.observed_usd_per_million, 1.0816865474997, 1e-9);
  EXPECT_NEAR(*cost.capacity_usd_per_million, 1.0816865474997, 1e-9);
  EXPECT_TRUE(Configures(spec, LineItem::kLoadBalancer));
  EXPECT_TRUE(Configures(spec, LineItem::kLoadBalancerLcu));
}

// c5.xlarge with 2 public IPv4 addresses, 1000 requests in 30 min:
//   addresses = 2 x $0.005 x 0.5 h = $0.005; instance = $0.17 x 0.5 h = $0.085
//   per 1M    = (0.085 + 0.005) / 1000 x 1e6 = $90
TEST(LineItemsTest, PublicIpv4ByTheHour) {
  PricingSpec spec = InstanceSpec("c5.xlarge");
  spec.public_ipv4 = 2;
  const Cost cost = ComputeCost(MustResolve(spec), Window(1800, 1000, 0));
  EXPECT_NEAR(Item(cost, LineItem::kPublicIpv4), 0.005, kTolerance);
  EXPECT_NEAR(*cost.observed_usd_per_million, 90.0, 1e-6);
}

// 3 instances at $0.10/h, each with 100 GB of gp3, over a 730 h month, 1M requests:
//   EBS       = 100 GB x $0.08 / 730 h x 3 instances x 730 h = $24
//   instances = 3 x $0.10 x 730 = $219; per 1M = $243
TEST(LineItemsTest, EbsPerInstanceProratedByTheHour) {
  PricingSpec spec = HourlySpec(0.10, 3);
  spec.ebs_gb = 100;
  spec.ebs_type = "gp3";
  const Cost cost = ComputeCost(MustResolve(spec), Window(730 * 3600, 1'000'000, 0));
  EXPECT_NEAR(Item(cost, LineItem::kEbs), 24.0, 1e-9);
  EXPECT_NEAR(*cost.observed_usd_per_million, 243.0, 1e-6);
}

// Lambda 1024 MB with 365 B of log lines per request (START, END and REPORT), 1M requests of
// 100 ms in 1000 s:
//   logs     = 1,000,000 x 365 B / 2^30 x $0.50 = $0.16996636986732
//   requests = $0.20; duration = 100,000 s x 1 GB x $0.0000166667 = $1.66667
//   per 1M   = 0.16996636986732 + 0.2 + 1.66667 = $2.03663636986732
TEST(LineItemsTest, CloudWatchLogsPerRequest) {
  PricingSpec spec = LambdaSpec(1024);
  spec.cloudwatch_logs_bytes_per_request = 365;
  const Cost cost = ComputeCost(MustResolve(spec), Window(1000, 1'000'000, 1000, 100'000'000));
  EXPECT_NEAR(Item(cost, LineItem::kLogs), 0.16996636986732, 1e-12);
  EXPECT_NEAR(*cost.observed_usd_per_million, 2.03663636986732, 1e-9);
  EXPECT_NEAR(*cost.capacity_usd_per_million, 2.03663636986732, 1e-9);
}

// Lambda 2048 MB with 10240 MB of ephemeral storage, 1M requests of 200 ms:
//   over the free 512 MB = (10240 - 512) / 1024 = 9.5 GB
//   storage  = 9.5 GB x 200,000 s x $0.0000000309 = $0.05871
//   duration = 200,000 s x 2 GB x $0.0000166667 = $6.66668; requests = $0.20
//   per 1M   = 0.05871 + 6.66668 + 0.2 = $6.92539
TEST(LineItemsTest, EphemeralStorageOverTheFreeHalfGigabyte) {
  PricingSpec spec = LambdaSpec(2048);
  spec.ephemeral_storage_mb = 10240;
  const Cost cost = ComputeCost(MustResolve(spec), Window(1000, 1'000'000, 1000, 200'000'000));
  EXPECT_NEAR(Item(cost, LineItem::kEphemeralStorage), 0.05871, 1e-12);
  EXPECT_NEAR(*cost.observed_usd_per_million, 6.92539, 1e-9);
  EXPECT_NEAR(*cost.capacity_usd_per_million, 6.92539, 1e-9);
  // 512 MB, the free size, costs nothing.
  spec.ephemeral_storage_mb = 512;
  EXPECT_EQ(
      Item(ComputeCost(MustResolve(spec), Window(1000, 10, 1, 1000)), LineItem::kEphemeralStorage),
      0.0);
}

TEST(LineItemsTest, ComponentNamesAndKinds) {
  const std::vector<std::pair<LineItem, std::string>> names = {
      {LineItem::kLoadBalancer, "load_balancer"},
      {LineItem::kLoadBalancerLcu, "load_balancer_lcu"},
      {LineItem::kPublicIpv4, "public_ipv4"},
      {LineItem::kEbs, "ebs"},
      {LineItem::kLogs, "logs"},
      {LineItem::kEphemeralStorage, "ephemeral_storage"}};
  for (const auto& [item, name] : names) EXPECT_EQ(Name(item), name);
  EXPECT_TRUE(IsHourly(LineItem::kLoadBalancer));
  EXPECT_TRUE(IsHourly(LineItem::kPublicIpv4));
  EXPECT_TRUE(IsHourly(LineItem::kEbs));
  EXPECT_FALSE(IsHourly(LineItem::kLoadBalancerLcu));
  EXPECT_FALSE(IsHourly(LineItem::kLogs));
  EXPECT_FALSE(IsHourly(LineItem::kEphemeralStorage));
}

struct ErrorCase {
  std::string name;
  PricingSpec spec;
  std::string error;  // a part of Resolve's message
};

TEST(LineItemsTest, ResolveErrorsSayWhatToFix) {
  auto with = [](PricingSpec spec, auto change) {
    change(spec);
    return spec;
  };
  const std::vector<ErrorCase> cases = {
      {"alb on lambda",
       with(LambdaSpec(1024), [](PricingSpec& s) { s.load_balancer = LoadBalancerSpec{}; }),
       "load_balancer applies to instance, hourly and per_request targets, not to model lambda"},
      {"ephemeral below 512",
       with(LambdaSpec(1024), [](PricingSpec& s) { s.ephemeral_storage_mb = 511; }),
       "ephemeral_storage_mb must be between 512 and 10240"},
      {"ephemeral above 10240",
       with(LambdaSpec(1024), [](PricingSpec& s) { s.ephemeral_storage_mb = 10241; }),
       "ephemeral_storage_mb must be between 512 and 10240"},
      {"ephemeral on an instance",
       with(InstanceSpec("c5.xlarge"), [](PricingSpec& s) { s.ephemeral_storage_mb = 1024; }),
       "ephemeral_storage_mb applies to lambda targets only"},
      {"unknown ebs type",
       with(InstanceSpec("c5.xlarge"),
            [](PricingSpec& s) {
              s.ebs_gb = 8;
              s.ebs_type = "gp9";
            }),
       "unknown ebs_type 'gp9'; the catalog knows gp2, gp3, io1, io2, sc1, st1, standard"},
      {"ebs without type", with(InstanceSpec("c5.xlarge"), [](PricingSpec& s) { s.ebs_gb = 8; }),
       "ebs_gb needs ebs_type"},
      {"public ipv4 on lambda", with(LambdaSpec(1024), [](PricingSpec& s) { s.public_ipv4 = 1; }),
       "public_ipv4 applies to instance and hourly targets"},
      {"negative log bytes",
       with(LambdaSpec(1024), [](PricingSpec& s) { s.cloudwatch_logs_bytes_per_request = -1; }),
       "cloudwatch_logs_bytes_per_request must be a number of bytes"},
      {"other region",
       with(InstanceSpec("c5.xlarge"),
            [](PricingSpec& s) {
              s.usd_per_hour = 0.2;
              s.region = "eu-west-1";
              s.public_ipv4 = 1;
            }),
       "no public IPv4 prices for region 'eu-west-1'"},
  };
  for (const ErrorCase& c : cases) {
    const ResolveResult r = Resolve(c.spec, BuiltinCatalog());
    EXPECT_FALSE(r.pricing.has_value()) << c.name;
    EXPECT_NE(r.error.find(c.error), std::string::npos) << c.name << ": " << r.error;
  }
}

TEST(LineItemsTest, ExclusionsFollowWhatThePricingLeavesOut) {
  const std::vector<std::string> lambda = Exclusions(MustResolve(LambdaSpec(1024)));
  EXPECT_TRUE(Has(lambda, "CloudWatch Logs ingestion not included"));
  EXPECT_FALSE(Has(lambda, "EBS volumes not included"));
  PricingSpec logged = LambdaSpec(1024);
  logged.cloudwatch_logs_bytes_per_request = 365;
  EXPECT_FALSE(Has(Exclusions(MustResolve(logged)), "CloudWatch Logs ingestion not included"));

  const std::vector<std::string> bare = Exclusions(MustResolve(InstanceSpec("c5.xlarge")));
  EXPECT_TRUE(Has(bare, "load balancer (ALB hours and LCUs) not included"));
  EXPECT_TRUE(Has(bare, "public IPv4 addresses not included"));
  EXPECT_TRUE(Has(bare, "EBS volumes not included"));
  EXPECT_TRUE(Has(bare, "data transfer not included"));

  PricingSpec full = InstanceSpec("c5.xlarge");
  full.load_balancer = LoadBalancerSpec{LoadBalancerType::kAlb, 1000};
  full.public_ipv4 = 1;
  full.ebs_gb = 8;
  full.ebs_type = "gp3";
  const std::vector<std::string> all = Exclusions(MustResolve(full));
  EXPECT_FALSE(Has(all, "load balancer (ALB hours and LCUs) not included"));
  EXPECT_FALSE(Has(all, "public IPv4 addresses not included"));
  EXPECT_FALSE(Has(all, "EBS volumes not included"));
  EXPECT_TRUE(Has(all,
                  "ALB LCUs for new connections, active connections and rule evaluations not "
                  "included (LCUs priced on processed bytes)"));
  EXPECT_EQ(ExclusionsLine(MustResolve(LambdaSpec(1024))),
            "CloudWatch Logs ingestion not included; data transfer not included; free tier and "
            "volume discounts not included");
}

TEST(LineItemsTest, CatalogRecordsSourceAndDate) {
  const LineItemPrices& p = BuiltinCatalog().line_items;
  for (const PriceProvenance* s :
       {&p.alb, &p.public_ipv4, &p.ebs, &p.cloudwatch_logs, &p.lambda_ephemeral}) {
    EXPECT_EQ(s->taken, "2026-12-02");
    EXPECT_TRUE(s->source.starts_with("https://aws.amazon.com/")) << s->source;
  }
  EXPECT_EQ(p.ebs_usd_per_gb_month.at("gp3"), 0.08);
}

// A prices file may add an EBS type and reprice an item; one for another region without the
// blocks leaves the items unpriced, and a target that configures one is an error.
TEST(LineItemsTest, PricesFileOverridesAndOtherRegions) {
  const CatalogResult same = OverlayCatalog(
      BuiltinCatalog(),
      "ebs:\n  usd_per_gb_month: { gp4: 0.07 }\npublic_ipv4: { usd_per_hour: 0.004 }\n",
      "mine.yaml");
  ASSERT_TRUE(same.catalog) << same.error;
  EXPECT_EQ(same.catalog->line_items.ebs_usd_per_gb_month.at("gp4"), 0.07);
  EXPECT_EQ(same.catalog->line_items.ebs_usd_per_gb_month.at("gp3"), 0.08);
  EXPECT_EQ(same.catalog->line_items.public_ipv4_usd_per_hour, 0.004);
  EXPECT_EQ(same.catalog->line_items.public_ipv4.source, "mine.yaml");

  const CatalogResult other = OverlayCatalog(
      BuiltinCatalog(),
      "region: eu-west-1\nlambda:\n  usd_per_million_requests: 0.2\n  x86_64: { usd_per_gb_second: "
      "1, provisioned_usd_per_gb_second: 1, provisioned_duration_usd_per_gb_second: 1 }\n  arm64: "
      "{ usd_per_gb_second: 1, provisioned_usd_per_gb_second: 1, "
      "provisioned_duration_usd_per_gb_second: 1 }\n",
      "eu.yaml");
  ASSERT_TRUE(other.catalog) << other.error;
  PricingSpec spec = LambdaSpec(1024);
  spec.region = "eu-west-1";
  spec.ephemeral_storage_mb = 1024;
  const ResolveResult r = Resolve(spec, *other.catalog);
  EXPECT_FALSE(r.pricing);
  EXPECT_NE(r.error.find("has no lambda_ephemeral_storage block"), std::string::npos) << r.error;

  const CatalogResult bad =
      OverlayCatalog(BuiltinCatalog(), "alb: { usd_per_hour: -1 }\n", "bad.yaml");
  EXPECT_FALSE(bad.catalog);
  EXPECT_NE(bad.error.find("bad.yaml:1:22: alb.usd_per_hour: must be a non-negative number"),
            std::string::npos)
      << bad.error;
}

}  // namespace
}  // namespace infercost
