// The config's reader: a target's pricing, checked against the catalog. See parser.h.
#include <algorithm>
#include <span>
#include <string>
#include <utility>

#include "config/parser.h"

namespace infercost::config_internal {
namespace {

// Which pricing keys each model takes, beyond model, region, price_basis, fixed_usd_per_hour and
// api_gateway (which may front any target).
struct PricingKeyUse {
  std::string_view key;
  PricingModel models[3];
  int model_count;
};
constexpr PricingKeyUse kPricingKeyUses[] = {
    {"instance_type",
     {PricingModel::kInstance, PricingModel::kHourly, PricingModel::kSageMaker},
     3},
    {"count", {PricingModel::kInstance, PricingModel::kHourly, PricingModel::kSageMaker}, 3},
    {"usd_per_hour", {PricingModel::kInstance, PricingModel::kHourly, PricingModel::kSageMaker}, 3},
    {"cpu_credits", {PricingModel::kInstance}, 1},
    {"memory_mb", {PricingModel::kLambda, PricingModel::kSageMakerServerless}, 2},
    {"architecture", {PricingModel::kLambda}, 1},
    {"provisioned_concurrency", {PricingModel::kLambda}, 1},
    {"usd_per_request", {PricingModel::kLambda, PricingModel::kPerRequest}, 2},
};

}  // namespace

void Parser::ReadPricing(const YamlField& f, PricingSpec* pricing) {
  std::optional<YamlFields> fields = Map(f, "pricing", kPricingKeys);
  if (!fields) {
    return;
  }
  const std::size_t errors_before = error_count();
  std::optional<PricingModel> model;
  if (const YamlField* m = Require(*fields, "model",
                                   "pricing: missing model (instance, hourly, lambda, "
                                   "per_request, sagemaker or sagemaker_serverless)")) {
    model = Enum(*m, kPricingModels);
  }
  if (model) {
    pricing->model = *model;
    CheckPricingModel(*fields, *model);
  }
  ReadPricingValues(*fields, pricing);
  if (error_count() == errors_before) {
    CheckAgainstCatalog(*fields, *pricing);
  }
}

// Keys the model does not take, and the key it needs.
void Parser::CheckPricingModel(const YamlFields& fields, PricingModel model) {
  const std::string model_name(Name(model));
  for (const PricingKeyUse& use : kPricingKeyUses) {
    const YamlField* k = fields.Find(use.key);
    if (k == nullptr) {
      continue;
    }
    const std::span<const PricingModel> uses(use.models, static_cast<std::size_t>(use.model_count));
    if (std::find(uses.begin(), uses.end(), model) != uses.end()) {
      continue;
    }
    std::vector<std::string_view> models;
    for (PricingModel m : uses) {
      models.push_back(Name(m));
    }
    Fail(k->key->mark, k->name + ": does not apply to model " + model_name + " (only to " +
                           Join(models, " and ") + ")");
  }
  auto need = [&](std::string_view key) {
    if (fields.Find(key) == nullptr) {
      Fail(fields.anchor, "pricing: model " + model_name + " needs " + std::string(key));
    }
  };
  switch (model) {
    case PricingModel::kInstance:
      need("instance_type");
      break;
    case PricingModel::kHourly:
      need("usd_per_hour");
      break;
    case PricingModel::kLambda:
      need("memory_mb");
      break;
    case PricingModel::kPerRequest:
      need("usd_per_request");
      break;
    case PricingModel::kSageMaker:
      need("instance_type");
      break;
    case PricingModel::kSageMakerServerless:
      need("memory_mb");
      break;
  }
}

void Parser::ReadPricingValues(const YamlFields& fields, PricingSpec* pricing) {
  if (const YamlField* k = fields.Find("region")) {
    if (auto region = String(*k)) {
      const bool valid =
          !region->empty() && std::all_of(region->begin(), region->end(), [](char c) {
            return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
          });
      if (valid) {
        pricing->region = *region;
      } else {
        Fail(k->Where(),
             "region: " + Quote(k->value->text) + " is not an AWS region name like us-east-1");
      }
    }
  }
  if (const YamlField* k = fields.Find("price_basis")) {
    if (auto basis = Enum(*k, kPriceBases)) {
      pricing->price_basis = *basis;
    }
  }
  if (const YamlField* k = fields.Find("fixed_usd_per_hour")) {
    if (auto usd = Real(*k, {0, false})) {
      pricing->fixed_usd_per_hour = *usd;
    }
  }
  if (const YamlField* k = fields.Find("instance_type")) {
    if (auto type = String(*k)) {
      const bool valid = !type->empty() && std::all_of(type->begin(), type->end(), [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '.' || c == '-' || c == '_';
      });
      if (valid) {
        pricing->instance_type = *type;
      } else {
        Fail(k->Where(),
             "instance_type: " + Quote(k->value->text) + " is not an instance type like t3.medium");
      }
    }
  }
  if (const YamlField* k = fields.Find("count")) {
    if (auto count = Integer(*k, 1, kMaxInstances)) {
      pricing->count = static_cast<int>(*count);
    }
  }
  if (const YamlField* k = fields.Find("usd_per_hour")) {
    pricing->usd_per_hour = Real(*k, {0, false});
  }
  if (const YamlField* k = fields.Find("cpu_credits")) {
    if (auto credits = Enum(*k, kCpuCredits)) {
      pricing->cpu_credits = *credits;
    }
  }
  if (const YamlField* k = fields.Find("memory_mb")) {
    if (auto mb = Integer(*k, kLambdaMinMemoryMb, kLambdaMaxMemoryMb)) {
      pricing->memory_mb = static_cast<int>(*mb);
    }
  }
  if (const YamlField* k = fields.Find("architecture")) {
    if (auto arch = Enum(*k, kArchitectures)) {
      pricing->architecture = *arch;
    }
  }
  if (const YamlField* k = fields.Find("api_gateway")) {
    if (auto gateway = Enum(*k, kApiGateways)) {
      pricing->api_gateway = *gateway;
    }
  }
  if (const YamlField* k = fields.Find("provisioned_concurrency")) {
    if (auto pc = Integer(*k, 0, kMaxProvisionedConcurrency)) {
      pricing->provisioned_concurrency = static_cast<int>(*pc);
    }
  }
  if (const YamlField* k = fields.Find("usd_per_request")) {
    pricing->usd_per_request = Real(*k, {0, false});
  }
}

// What the catalog says about a well-formed pricing block: an instance type it does not know, a
// region it has no prices for, a price basis that needs the user's own figure. The cost model
// decides (Resolve); this puts its answer at the key it is about.
void Parser::CheckAgainstCatalog(const YamlFields& fields, const PricingSpec& pricing) {
  const ResolveResult resolved = Resolve(pricing, catalog_);
  if (resolved.pricing) {
    return;
  }
  const std::string& error = resolved.error;  // "pricing: ..."
  std::string_view key;
  if (error.find("unknown instance type") != std::string::npos ||
      error.find("unknown SageMaker instance type") != std::string::npos ||
      error.find("instance type:") != std::string::npos) {
    key = "instance_type";
  } else if (error.find("memory_mb must be one of") != std::string::npos) {
    key = "memory_mb";
  } else if (error.find("for region") != std::string::npos) {
    key = "region";
  } else if (error.find("price_basis") != std::string::npos) {
    key = "price_basis";
  } else if (error.find("api_gateway") != std::string::npos) {
    key = "api_gateway";
  }
  const YamlField* at = key.empty() ? nullptr : fields.Find(key);
  Fail(at != nullptr ? at->Where() : fields.anchor, error);
}

}  // namespace infercost::config_internal
