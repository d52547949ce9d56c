// ParseLineItems: a pricing block's optional line items given alone (bench's --line-items), read
// by the config's own reader: the same values, checks and messages as in a config file.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "config/config.h"

namespace infercost {
namespace {

PricingSpec Model(PricingModel model) {
  PricingSpec spec;
  spec.model = model;
  return spec;
}

TEST(ParseLineItems, ReadsEveryItem) {
  PricingSpec spec = Model(PricingModel::kInstance);
  const std::vector<std::string> errors = ParseLineItems(
      "{load_balancer: {type: alb, bytes_per_request: 102400}, public_ipv4: 2, ebs_gb: 30, "
      "ebs_type: gp3, cloudwatch_logs_bytes_per_request: 400}",
      "--line-items", &spec);
  ASSERT_TRUE(errors.empty()) << errors.at(0);
  ASSERT_TRUE(spec.load_balancer.has_value());
  EXPECT_EQ(spec.load_balancer->bytes_per_request, 102400);
  EXPECT_EQ(spec.public_ipv4, 2);
  EXPECT_EQ(spec.ebs_gb, 30);
  EXPECT_EQ(spec.ebs_type, "gp3");
  EXPECT_EQ(spec.cloudwatch_logs_bytes_per_request, 400);

  PricingSpec lambda = Model(PricingModel::kLambda);
  ASSERT_TRUE(ParseLineItems("{ephemeral_storage_mb: 2048}", "--line-items", &lambda).empty());
  EXPECT_EQ(lambda.ephemeral_storage_mb, 2048);
}

TEST(ParseLineItems, RefusesWhatAConfigRefuses) {
  struct Case {
    PricingModel model;
    std::string yaml;
    std::string error;  // the whole first message
  };
  const std::vector<Case> cases = {
      {PricingModel::kInstance, "{ebs_gb: 30}",
       "--line-items:1:10: ebs_gb: needs ebs_type beside it (gp3, gp2, io1, ...)"},
      {PricingModel::kLambda, "{public_ipv4: 1}",
       "--line-items:1:2: public_ipv4: does not apply to model lambda (only to instance and "
       "hourly)"},
      {PricingModel::kInstance, "[public_ipv4]",
       "--line-items:1:1: the line items must be a map such as {public_ipv4: 1, ebs_gb: 30, "
       "ebs_type: gp3}, got a list"},
      {PricingModel::kLambda, "{ephemeral_storage_mb: 100}",
       "--line-items:1:24: ephemeral_storage_mb: must be from 512 to 10240 MB"},
      {PricingModel::kInstance, "{model: instance}", "--line-items:1:2: "},
  };
  for (const Case& c : cases) {
    PricingSpec spec = Model(c.model);
    const std::vector<std::string> errors = ParseLineItems(c.yaml, "--line-items", &spec);
    ASSERT_FALSE(errors.empty()) << c.yaml;
    EXPECT_EQ(errors[0].substr(0, c.error.size()), c.error) << c.yaml << "\n" << errors[0];
  }
}

}  // namespace
}  // namespace infercost
