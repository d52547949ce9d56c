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
    {"load_balancer",
     {PricingModel::kInstance, PricingModel::kHourly, PricingModel::kPerRequest},
     3},
    {"public_ipv4", {PricingModel::kInstance, PricingModel::kHourly}, 2},
    {"ebs_gb", {PricingModel::kInstance, PricingModel::kHourly}, 2},
    {"ebs_type", {PricingModel::kInstance, PricingModel::kHourly}, 2},
    {"ephemeral_storage_mb", {PricingModel::kLambda}, 1},
};

// Upper bounds that catch typos (an extra zero), not policy.
constexpr int64_t kMaxPublicIpv4 = 100'000;
constexpr double kMaxEbsGb = 1'048'576;             // 1 PiB per instance
constexpr double kMaxBytesPerRequest = 1ull << 40;  // 1 TiB

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

// Keys the model does not take.
void Parser::CheckKeysApply(const YamlFields& fields, PricingModel model) {
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
}

// Keys the model does not take, and the key it needs.
void Parser::CheckPricingModel(const YamlFields& fields, PricingModel model) {
  CheckKeysApply(fields, model);
  const std::string model_name(Name(model));
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
  ReadLineItems(fields, pricing);
}

// The optional line items: load_balancer, public_ipv4, ebs_gb + ebs_type,
// cloudwatch_logs_bytes_per_request, ephemeral_storage_mb.
void Parser::ReadLineItems(const YamlFields& fields, PricingSpec* pricing) {
  if (const YamlField* k = fields.Find("load_balancer")) {
    if (std::optional<YamlFields> lb = Map(*k, "load_balancer", kLoadBalancerKeys)) {
      LoadBalancerSpec spec;
      if (const YamlField* t = Require(
              *lb, "type", "load_balancer: missing type (alb, an Application Load Balancer)")) {
        if (auto type = Enum(*t, kLoadBalancerTypes)) spec.type = *type;
      }
      if (const YamlField* b = Require(*lb, "bytes_per_request",
                                       "load_balancer: missing bytes_per_request (request and "
                                       "response bytes it processes per request)")) {
        if (auto bytes = Real(*b, {0, false, kMaxBytesPerRequest}, "bytes")) {
          spec.bytes_per_request = *bytes;
        }
      }
      pricing->load_balancer = spec;
    }
  }
  if (const YamlField* k = fields.Find("public_ipv4")) {
    if (auto n = Integer(*k, 0, kMaxPublicIpv4, " addresses")) {
      pricing->public_ipv4 = static_cast<int>(*n);
    }
  }
  if (const YamlField* k = fields.Find("ebs_gb")) {
    if (auto gb = Real(*k, {0, true, kMaxEbsGb}, "GB per instance")) pricing->ebs_gb = *gb;
  }
  if (const YamlField* k = fields.Find("ebs_type")) {
    std::vector<std::string_view> known;
    for (const auto& [type, price] : catalog_.line_items.ebs_usd_per_gb_month) {
      known.push_back(type);
    }
    if (auto i = Choice(*k, known)) pricing->ebs_type = std::string(known[*i]);
  }
  if (fields.Find("ebs_gb") != nullptr && fields.Find("ebs_type") == nullptr) {
    Fail(fields.Find("ebs_gb")->Where(), "ebs_gb: needs ebs_type beside it (gp3, gp2, io1, ...)");
  } else if (fields.Find("ebs_type") != nullptr && fields.Find("ebs_gb") == nullptr) {
    Fail(fields.Find("ebs_type")->Where(), "ebs_type: needs ebs_gb beside it (GB per instance)");
  }
  if (const YamlField* k = fields.Find("cloudwatch_logs_bytes_per_request")) {
    pricing->cloudwatch_logs_bytes_per_request = Real(*k, {0, false, kMaxBytesPerRequest}, "bytes");
  }
  if (const YamlField* k = fields.Find("ephemeral_storage_mb")) {
    if (auto mb = Integer(*k, kLambdaMinEphemeralMb, kLambdaMaxEphemeralMb,
                          " MB (as configured on the function; 512 MB comes free)")) {
      pricing->ephemeral_storage_mb = static_cast<int>(*mb);
    }
  }
}

std::vector<YamlError> Parser::RunLineItems(const std::string& yaml, PricingSpec* spec) {
  const std::optional<YamlNode> root = ReadDocument(yaml, "--line-items");
  if (root && !root->IsMap()) {
    Fail(root->mark,
         "the line items must be a map such as {public_ipv4: 1, ebs_gb: 30, "
         "ebs_type: gp3}, got " +
             Describe(*root));
  } else if (root) {
    const YamlFields fields = Keys(*root, root->mark, "the line items", kLineItemKeys);
    CheckKeysApply(fields, spec->model);
    ReadLineItems(fields, spec);
  }
  return TakeErrors();
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
  } else {
    for (std::string_view item : {"load_balancer", "public_ipv4", "ebs_type", "ebs_gb",
                                  "cloudwatch_logs", "ephemeral_storage_mb"}) {
      if (error.find(item) != std::string::npos) {
        key = item == "cloudwatch_logs" ? "cloudwatch_logs_bytes_per_request" : item;
        break;
      }
    }
  }
  const YamlField* at = key.empty() ? nullptr : fields.Find(key);
  Fail(at != nullptr ? at->Where() : fields.anchor, error);
}

}  // namespace infercost::config_internal
