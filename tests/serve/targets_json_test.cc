// The /api/v1/targets document (web/targets_json.h): every target carries what its $/1M figures
// leave out, and the line items its pricing configures.
#include "web/targets_json.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "cost/cost.h"

namespace infercost {
namespace {

TargetView ViewOf(const std::string& name, const PricingSpec& spec) {
  TargetView v;
  v.name = name;
  const ResolveResult r = Resolve(spec, BuiltinCatalog());
  EXPECT_TRUE(r.pricing.has_value()) << r.error;
  v.pricing = r.pricing.value_or(ResolvedPricing{});
  return v;
}

TEST(TargetsJson, EveryTargetCarriesItsExclusions) {
  PricingSpec lambda;
  lambda.model = PricingModel::kLambda;
  lambda.memory_mb = 1024;
  PricingSpec box;
  box.model = PricingModel::kInstance;
  box.instance_type = "c5.xlarge";
  box.load_balancer = LoadBalancerSpec{LoadBalancerType::kAlb, 102400};
  box.public_ipv4 = 2;

  const nlohmann::json doc =
      nlohmann::json::parse(TargetsJson({ViewOf("fn", lambda), ViewOf("box", box)}));
  const nlohmann::json& fn = doc["targets"][0];
  EXPECT_EQ(fn["cost_exclusions"],
            nlohmann::json({"CloudWatch Logs ingestion not included", "data transfer not included",
                            "free tier and volume discounts not included"}));
  EXPECT_TRUE(fn["pricing"]["line_items"].empty());

  const nlohmann::json& b = doc["targets"][1];
  const std::vector<std::string> exclusions = b["cost_exclusions"];
  EXPECT_EQ(exclusions.front(), "EBS volumes not included");
  // 2 addresses x $0.005/h; 102,400 B / 2^30 x $0.008 per LCU-hour per request.
  EXPECT_DOUBLE_EQ(b["pricing"]["line_items"]["public_ipv4"]["usd_per_hour"], 0.01);
  EXPECT_DOUBLE_EQ(b["pricing"]["line_items"]["load_balancer"]["usd_per_hour"], 0.0225);
  EXPECT_DOUBLE_EQ(b["pricing"]["line_items"]["load_balancer"]["lcu_usd_per_request"],
                   102400.0 / 1073741824.0 * 0.008);
}

}  // namespace
}  // namespace infercost
