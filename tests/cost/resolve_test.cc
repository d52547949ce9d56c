// Resolve: which prices apply to a target, and the errors that tell a user what to fix.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

#include "cost/cost.h"
#include "cost_test_util.h"

namespace infercost {
namespace {

using ::testing::HasSubstr;
using testing::InstanceSpec;
using testing::LambdaSpec;
using testing::MustResolve;
using testing::SageMakerServerlessSpec;
using testing::SageMakerSpec;

TEST(Resolve, InstanceTakesTheCatalogPrice) {
  const ResolvedPricing p = MustResolve(InstanceSpec("g4dn.xlarge"));
  EXPECT_DOUBLE_EQ(p.usd_per_hour, 0.526);
  EXPECT_EQ(p.platform, "ec2");
  EXPECT_EQ(p.architecture, "x86_64");
  EXPECT_EQ(p.vcpus, 4);
  EXPECT_DOUBLE_EQ(p.usd_per_request, 0);
  EXPECT_DOUBLE_EQ(p.baseline_per_vcpu, 0);
}

TEST(Resolve, InstanceCountMultipliesPriceAndVcpus) {
  // 3 x 0.526 = 1.578; 3 x 4 vCPUs.
  const ResolvedPricing p = MustResolve(InstanceSpec("g4dn.xlarge", 3));
  EXPECT_NEAR(p.usd_per_hour, 1.578, 1e-12);
  EXPECT_EQ(p.vcpus, 12);
}

TEST(Resolve, OwnHourlyPriceOverridesTheCatalog) {
  PricingSpec spec = InstanceSpec("g4dn.xlarge", 2);
  spec.usd_per_hour = 0.2;  // a spot price, per instance
  spec.price_basis = PriceBasis::kSpot;
  const ResolvedPricing p = MustResolve(spec);
  EXPECT_NEAR(p.usd_per_hour, 0.4, 1e-12);
  EXPECT_EQ(p.architecture, "x86_64");  // what the catalog knows besides the price stays
}

TEST(Resolve, BurstableUnlimitedCarriesSurplusRate) {
  const ResolvedPricing t4g = MustResolve(InstanceSpec("t4g.medium"));
  EXPECT_DOUBLE_EQ(t4g.usd_per_hour, 0.0336);
  EXPECT_EQ(t4g.architecture, "arm64");
  EXPECT_EQ(t4g.vcpus, 2);
  EXPECT_DOUBLE_EQ(t4g.baseline_per_vcpu, 0.2);
  EXPECT_DOUBLE_EQ(t4g.surplus_usd_per_vcpu_hour, 0.04);

  const ResolvedPricing t3 = MustResolve(InstanceSpec("t3.large"));
  EXPECT_DOUBLE_EQ(t3.baseline_per_vcpu, 0.3);
  EXPECT_DOUBLE_EQ(t3.surplus_usd_per_vcpu_hour, 0.05);
}

TEST(Resolve, BurstableStandardModeHasNoSurplusPrice) {
  const ResolvedPricing p = MustResolve(InstanceSpec("t3.medium", 1, CpuCredits::kStandard));
  EXPECT_DOUBLE_EQ(p.usd_per_hour, 0.0416);
  EXPECT_DOUBLE_EQ(p.surplus_usd_per_vcpu_hour, 0);
}

TEST(Resolve, FixedCostIsAddedToTheHour) {
  PricingSpec spec = InstanceSpec("c5.2xlarge");
  spec.fixed_usd_per_hour = 0.05;  // e.g. an EBS volume and a NAT share
  EXPECT_NEAR(MustResolve(spec).usd_per_hour, 0.39, 1e-12);
}

TEST(Resolve, LambdaX86Prices) {
  // 1536 MB is 1.5 GB as AWS bills it (MB / 1024).
  const ResolvedPricing p = MustResolve(LambdaSpec(1536));
  EXPECT_EQ(p.platform, "lambda");
  EXPECT_EQ(p.architecture, "x86_64");
  EXPECT_DOUBLE_EQ(p.memory_gb, 1.5);
  EXPECT_DOUBLE_EQ(p.usd_per_gb_second, 0.0000166667);
  EXPECT_DOUBLE_EQ(p.on_demand_usd_per_gb_second, 0.0000166667);
  EXPECT_NEAR(p.usd_per_request, 2e-7, 1e-18);
  EXPECT_DOUBLE_EQ(p.usd_per_hour, 0);
  EXPECT_DOUBLE_EQ(p.provisioned_usd_per_hour, 0);
}

TEST(Resolve, LambdaArm64AndGateways) {
  const ResolvedPricing arm = MustResolve(LambdaSpec(128, Architecture::kArm64));
  EXPECT_DOUBLE_EQ(arm.memory_gb, 0.125);
  EXPECT_DOUBLE_EQ(arm.usd_per_gb_second, 0.0000133334);
  EXPECT_EQ(arm.architecture, "arm64");

  // 2e-7 + 3.5e-6 and 2e-7 + 1e-6 per request.
  const ResolvedPricing rest =
      MustResolve(LambdaSpec(1024, Architecture::kX86_64, ApiGateway::kRest));
  EXPECT_NEAR(rest.usd_per_request, 3.7e-6, 1e-18);
  EXPECT_NEAR(rest.gateway_usd_per_request, 3.5e-6, 1e-18);
  EXPECT_NEAR(rest.function_usd_per_request, 2e-7, 1e-18);
  const ResolvedPricing http =
      MustResolve(LambdaSpec(1024, Architecture::kX86_64, ApiGateway::kHttp));
  EXPECT_NEAR(http.usd_per_request, 1.2e-6, 1e-18);
}

TEST(Resolve, LambdaProvisionedConcurrency) {
  // PC 2 at 1536 MB, x86_64: 2 x 1.5 GB x 0.0000041667 x 3600 = 0.04500036 per hour; the
  // duration price in force drops to 0.0000097222.
  const ResolvedPricing p =
      MustResolve(LambdaSpec(1536, Architecture::kX86_64, ApiGateway::kNone, 2));
  EXPECT_NEAR(p.provisioned_usd_per_hour, 0.04500036, 1e-12);
  EXPECT_NEAR(p.usd_per_hour, 0.04500036, 1e-12);
  EXPECT_DOUBLE_EQ(p.usd_per_gb_second, 0.0000097222);
  EXPECT_DOUBLE_EQ(p.on_demand_usd_per_gb_second, 0.0000166667);

  // arm64, PC 1 at 1024 MB: 1 x 1 x 0.0000033334 x 3600 = 0.01200024 per hour.
  const ResolvedPricing arm =
      MustResolve(LambdaSpec(1024, Architecture::kArm64, ApiGateway::kNone, 1));
  EXPECT_NEAR(arm.provisioned_usd_per_hour, 0.01200024, 1e-12);
  EXPECT_DOUBLE_EQ(arm.usd_per_gb_second, 0.0000077778);
  EXPECT_DOUBLE_EQ(arm.on_demand_usd_per_gb_second, 0.0000133334);
}

TEST(Resolve, LambdaOwnRequestPrice) {
  PricingSpec spec = LambdaSpec(1024, Architecture::kX86_64, ApiGateway::kHttp);
  spec.usd_per_request = 0;  // e.g. an invocation path Lambda does not bill per request
  const ResolvedPricing p = MustResolve(spec);
  EXPECT_DOUBLE_EQ(p.function_usd_per_request, 0);
  EXPECT_NEAR(p.usd_per_request, 1e-6, 1e-18);
}

TEST(Resolve, LambdaMemoryBoundsAreInclusive) {
  EXPECT_TRUE(Resolve(LambdaSpec(128), BuiltinCatalog()).pricing.has_value());
  EXPECT_TRUE(Resolve(LambdaSpec(10240), BuiltinCatalog()).pricing.has_value());
}

TEST(Resolve, SageMakerTakesItsOwnHourlyPrice) {
  const ResolvedPricing p = MustResolve(SageMakerSpec("ml.g4dn.xlarge", 2));
  EXPECT_EQ(p.platform, "sagemaker");
  EXPECT_DOUBLE_EQ(p.usd_per_hour, 2 * 0.7364);  // SageMaker's price, not EC2's 0.526
  EXPECT_EQ(p.architecture, "x86_64");
  EXPECT_EQ(p.vcpus, 8);
  EXPECT_DOUBLE_EQ(p.usd_per_request, 0);
  EXPECT_DOUBLE_EQ(p.memory_gb, 0);
}

TEST(Resolve, SageMakerTypeOutsideTheCatalogNeedsItsPrice) {
  PricingSpec spec = SageMakerSpec("ml.c6g.large");
  spec.usd_per_hour = 0.09;
  const ResolvedPricing p = MustResolve(spec);
  EXPECT_EQ(p.platform, "sagemaker");
  EXPECT_DOUBLE_EQ(p.usd_per_hour, 0.09);
}

TEST(Resolve, SageMakerServerlessPricesMemoryAndData) {
  for (int mb : kSageMakerServerlessMemoryMb) {
    const ResolvedPricing p = MustResolve(SageMakerServerlessSpec(mb));
    EXPECT_EQ(p.platform, "sagemaker");
    EXPECT_DOUBLE_EQ(p.memory_gb, mb / 1024.0);
    // AWS's per-second price for the size: 1024 MB $0.0000200 ... 6144 MB $0.0001200.
    EXPECT_NEAR(p.memory_gb * p.usd_per_gb_second, 0.00002 * mb / 1024, 1e-15);
    EXPECT_DOUBLE_EQ(p.data_in_usd_per_gb, 0.016);
    EXPECT_DOUBLE_EQ(p.data_out_usd_per_gb, 0.016);
    EXPECT_DOUBLE_EQ(p.usd_per_hour, 0);
    EXPECT_DOUBLE_EQ(p.usd_per_request, 0);
  }
}

TEST(Resolve, HourlyAndPerRequest) {
  const ResolvedPricing h = MustResolve(testing::HourlySpec(1.10));
  EXPECT_DOUBLE_EQ(h.usd_per_hour, 1.10);
  EXPECT_EQ(h.platform, "other");

  const ResolvedPricing r = MustResolve(testing::PerRequestSpec(0.00002));
  EXPECT_DOUBLE_EQ(r.usd_per_request, 0.00002);
  EXPECT_DOUBLE_EQ(r.usd_per_hour, 0);
}

TEST(Resolve, UnknownInstanceTypeWithOwnPriceIsAccepted) {
  PricingSpec spec = InstanceSpec("p5.48xlarge");
  spec.usd_per_hour = 98.32;
  const ResolvedPricing p = MustResolve(spec);
  EXPECT_DOUBLE_EQ(p.usd_per_hour, 98.32);
  EXPECT_EQ(p.vcpus, 0);
  EXPECT_EQ(p.architecture, "");
}

struct ErrorCase {
  std::string name;
  PricingSpec spec;
  std::vector<std::string> fragments;  // each must appear in the error
};

PricingSpec Modified(PricingSpec spec, void (*change)(PricingSpec&)) {
  change(spec);
  return spec;
}

std::vector<ErrorCase> ErrorCases() {
  return {
      {"unknown_instance_type",
       InstanceSpec("p9.huge"),
       {"unknown instance type 'p9.huge'", "g4dn.xlarge", "t4g.medium", "inf2.xlarge",
        "pricing.usd_per_hour", "prices file"}},
      {"missing_instance_type", InstanceSpec(""), {"instance_type is required"}},
      {"zero_count", InstanceSpec("g4dn.xlarge", 0), {"count must be at least 1, got 0"}},
      {"spot_without_own_price",
       Modified(InstanceSpec("g4dn.xlarge"),
                [](PricingSpec& s) { s.price_basis = PriceBasis::kSpot; }),
       {"price_basis spot needs your own price", "pricing.usd_per_hour"}},
      {"negative_usd_per_hour",
       Modified(InstanceSpec("g4dn.xlarge"), [](PricingSpec& s) { s.usd_per_hour = -0.5; }),
       {"usd_per_hour must be a non-negative number", "-0.5"}},
      {"nan_usd_per_hour",
       Modified(InstanceSpec("g4dn.xlarge"), [](PricingSpec& s) { s.usd_per_hour = std::nan(""); }),
       {"usd_per_hour must be a non-negative number"}},
      {"negative_fixed",
       Modified(InstanceSpec("g4dn.xlarge"), [](PricingSpec& s) { s.fixed_usd_per_hour = -1; }),
       {"fixed_usd_per_hour must be a non-negative number"}},
      {"other_region",
       Modified(InstanceSpec("g4dn.xlarge"), [](PricingSpec& s) { s.region = "eu-west-1"; }),
       {"no g4dn.xlarge prices for region 'eu-west-1'", "us-east-1", "region: eu-west-1",
        "pricing.usd_per_hour"}},
      {"lambda_other_region",
       Modified(LambdaSpec(1024), [](PricingSpec& s) { s.region = "eu-west-1"; }),
       {"no Lambda prices for region 'eu-west-1'"}},
      {"lambda_memory_too_small",
       LambdaSpec(127),
       {"memory_mb must be between 128 and 10240", "got 127"}},
      {"lambda_memory_too_large", LambdaSpec(10241), {"got 10241"}},
      {"lambda_memory_missing", LambdaSpec(0), {"memory_mb must be between", "got 0"}},
      {"lambda_negative_pc",
       LambdaSpec(1024, Architecture::kX86_64, ApiGateway::kNone, -1),
       {"provisioned_concurrency must be 0 or more"}},
      {"lambda_savings_plan_on_catalog_rates",
       Modified(LambdaSpec(1024), [](PricingSpec& s) { s.price_basis = PriceBasis::kSavingsPlan; }),
       {"price_basis savings_plan", "prices file"}},
      {"lambda_with_usd_per_hour",
       Modified(LambdaSpec(1024), [](PricingSpec& s) { s.usd_per_hour = 1; }),
       {"usd_per_hour applies to instance, hourly and sagemaker targets", "fixed_usd_per_hour"}},
      {"lambda_with_instance_type",
       Modified(LambdaSpec(1024), [](PricingSpec& s) { s.instance_type = "t3.medium"; }),
       {"instance_type applies to instance, hourly and sagemaker targets"}},
      {"memory_on_instance",
       Modified(InstanceSpec("g4dn.xlarge"), [](PricingSpec& s) { s.memory_mb = 1024; }),
       {"memory_mb applies to lambda and sagemaker_serverless targets only"}},
      {"pc_on_instance",
       Modified(InstanceSpec("g4dn.xlarge"), [](PricingSpec& s) { s.provisioned_concurrency = 1; }),
       {"provisioned_concurrency applies to lambda targets only"}},
      {"usd_per_request_on_instance",
       Modified(InstanceSpec("g4dn.xlarge"), [](PricingSpec& s) { s.usd_per_request = 1e-6; }),
       {"usd_per_request applies to per_request and lambda targets"}},
      {"sagemaker_given_an_ec2_type",
       SageMakerSpec("g4dn.xlarge"),
       {"instance_type 'g4dn.xlarge' is an EC2 instance type: model sagemaker takes SageMaker "
        "types, e.g. 'ml.g4dn.xlarge'; for an EC2 instance use model instance"}},
      {"instance_given_an_ml_type",
       InstanceSpec("ml.g4dn.xlarge"),
       {"instance_type 'ml.g4dn.xlarge' is a SageMaker instance type: for a SageMaker endpoint use "
        "model sagemaker; for an EC2 instance give its EC2 type ('g4dn.xlarge')"}},
      {"sagemaker_unknown_type",
       SageMakerSpec("ml.c6g.large"),
       {"unknown SageMaker instance type 'ml.c6g.large'; the catalog for us-east-1 knows "
        "ml.c5.xlarge, ml.g4dn.xlarge, ml.g5.xlarge, ml.inf1.xlarge, ml.m5.large, ml.t2.medium",
        "pricing.usd_per_hour", "sagemaker_instances"}},
      {"sagemaker_other_region",
       Modified(SageMakerSpec("ml.g4dn.xlarge"), [](PricingSpec& s) { s.region = "eu-west-1"; }),
       {"no ml.g4dn.xlarge prices for region 'eu-west-1'"}},
      {"sagemaker_without_type",
       SageMakerSpec(""),
       {"instance_type is required for model sagemaker (e.g. ml.g4dn.xlarge)"}},
      {"sagemaker_serverless_memory_not_a_size",
       SageMakerServerlessSpec(1536),
       {"memory_mb must be one of 1024, 2048, 3072, 4096, 5120, 6144 for model "
        "sagemaker_serverless (MB, as MemorySizeInMB on the endpoint), got 1536"}},
      {"sagemaker_serverless_other_region",
       Modified(SageMakerServerlessSpec(2048), [](PricingSpec& s) { s.region = "eu-west-1"; }),
       {"no SageMaker Serverless prices for region 'eu-west-1'"}},
      {"sagemaker_serverless_with_usd_per_hour",
       Modified(SageMakerServerlessSpec(2048), [](PricingSpec& s) { s.usd_per_hour = 1; }),
       {"usd_per_hour applies to instance, hourly and sagemaker targets; for model "
        "sagemaker_serverless add hourly costs with fixed_usd_per_hour and give your own rates "
        "in a prices file"}},
      {"sagemaker_serverless_with_usd_per_request",
       Modified(SageMakerServerlessSpec(2048), [](PricingSpec& s) { s.usd_per_request = 1e-6; }),
       {"usd_per_request applies to per_request and lambda targets, not to model "
        "sagemaker_serverless"}},
      {"sagemaker_serverless_spot_on_catalog_rates",
       Modified(SageMakerServerlessSpec(2048),
                [](PricingSpec& s) { s.price_basis = PriceBasis::kSpot; }),
       {"price_basis spot needs your own SageMaker Serverless rates"}},
      {"hourly_without_price",
       Modified(PricingSpec{}, [](PricingSpec& s) { s.model = PricingModel::kHourly; }),
       {"usd_per_hour is required for model hourly"}},
      {"per_request_without_price",
       Modified(PricingSpec{}, [](PricingSpec& s) { s.model = PricingModel::kPerRequest; }),
       {"usd_per_request is required for model per_request"}},
      {"per_request_negative",
       Modified(PricingSpec{},
                [](PricingSpec& s) {
                  s.model = PricingModel::kPerRequest;
                  s.usd_per_request = -1e-6;
                }),
       {"usd_per_request must be a non-negative number"}},
  };
}

class ResolveErrorTest : public ::testing::TestWithParam<ErrorCase> {};

TEST_P(ResolveErrorTest, SaysWhatToFix) {
  const ErrorCase& c = GetParam();
  const ResolveResult r = Resolve(c.spec, BuiltinCatalog());
  EXPECT_FALSE(r.pricing.has_value());
  EXPECT_THAT(r.error, HasSubstr("pricing: "));
  for (const std::string& fragment : c.fragments) {
    EXPECT_THAT(r.error, HasSubstr(fragment));
  }
}

INSTANTIATE_TEST_SUITE_P(Errors, ResolveErrorTest, ::testing::ValuesIn(ErrorCases()),
                         [](const ::testing::TestParamInfo<ErrorCase>& case_info) {
                           return case_info.param.name;
                         });

TEST(Resolve, ExactUnknownTypeMessage) {
  const ResolveResult r = Resolve(InstanceSpec("p9.huge"), BuiltinCatalog());
  EXPECT_EQ(r.error,
            "pricing: unknown instance type 'p9.huge'; the catalog knows c5.2xlarge, c5.xlarge, "
            "c6g.xlarge, c7g.xlarge, g4dn.2xlarge, g4dn.xlarge, g5.xlarge, inf2.xlarge, "
            "m5.large, t3.large, t3.medium, t4g.large, t4g.medium; give its price as "
            "pricing.usd_per_hour, or add it to a prices file");
}

}  // namespace
}  // namespace infercost
