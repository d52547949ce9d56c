// Helpers shared by the cost model's tests: pricing specs in one line, resolved against the
// built-in catalog.
#ifndef TESTS_COST_COST_TEST_UTIL_H_
#define TESTS_COST_COST_TEST_UTIL_H_

#include <gtest/gtest.h>

#include <string>

#include "cost/cost.h"

namespace infercost::testing {

inline PricingSpec InstanceSpec(const std::string& type, int count = 1,
                                CpuCredits credits = CpuCredits::kUnlimited) {
  PricingSpec spec;
  spec.model = PricingModel::kInstance;
  spec.instance_type = type;
  spec.count = count;
  spec.cpu_credits = credits;
  return spec;
}

inline PricingSpec LambdaSpec(int memory_mb, Architecture arch = Architecture::kX86_64,
                              ApiGateway gateway = ApiGateway::kNone,
                              int provisioned_concurrency = 0) {
  PricingSpec spec;
  spec.model = PricingModel::kLambda;
  spec.memory_mb = memory_mb;
  spec.architecture = arch;
  spec.api_gateway = gateway;
  spec.provisioned_concurrency = provisioned_concurrency;
  return spec;
}

inline PricingSpec SageMakerSpec(const std::string& type, int count = 1) {
  PricingSpec spec;
  spec.model = PricingModel::kSageMaker;
  spec.instance_type = type;
  spec.count = count;
  return spec;
}

inline PricingSpec SageMakerServerlessSpec(int memory_mb) {
  PricingSpec spec;
  spec.model = PricingModel::kSageMakerServerless;
  spec.memory_mb = memory_mb;
  return spec;
}

inline PricingSpec PerRequestSpec(double usd_per_request, double fixed_usd_per_hour = 0) {
  PricingSpec spec;
  spec.model = PricingModel::kPerRequest;
  spec.usd_per_request = usd_per_request;
  spec.fixed_usd_per_hour = fixed_usd_per_hour;
  return spec;
}

inline PricingSpec HourlySpec(double usd_per_hour, int count = 1, double fixed_usd_per_hour = 0) {
  PricingSpec spec;
  spec.model = PricingModel::kHourly;
  spec.usd_per_hour = usd_per_hour;
  spec.count = count;
  spec.fixed_usd_per_hour = fixed_usd_per_hour;
  return spec;
}

// Resolves against the built-in catalog; a failure fails the test with Resolve's message.
inline ResolvedPricing MustResolve(const PricingSpec& spec) {
  ResolveResult r = Resolve(spec, BuiltinCatalog());
  EXPECT_TRUE(r.pricing.has_value()) << r.error;
  return r.pricing.value_or(ResolvedPricing{});
}

}  // namespace infercost::testing

#endif  // TESTS_COST_COST_TEST_UTIL_H_
