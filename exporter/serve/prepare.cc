#include "serve/prepare.h"

#include <optional>
#include <utility>

#include "loadgen/descriptors.h"
#include "serve/target_load.h"

namespace infercost {

std::vector<std::string> PrepareTargets(
    const Config& config, CredentialsPool& pool, uint64_t own_descriptors,
    const std::function<bool(const TargetConfig&)>& file_is_open,
    std::vector<PreparedTarget>* prepared) {
  std::vector<std::string> errors;
  std::optional<Catalog> overrides;
  if (!config.prices_file.empty()) {
    CatalogResult loaded = LoadCatalogOverrides(config.prices_file);
    if (!loaded.catalog) {
      errors.push_back(loaded.error);
    } else {
      overrides = std::move(loaded.catalog);
    }
  }
  const Catalog& catalog = overrides ? *overrides : BuiltinCatalog();
  for (const TargetConfig& target : config.targets) {
    PreparedTarget p{target, nullptr, {}, nullptr, nullptr};
    AwsBinding binding = PrepareAwsTarget(&p.config, &pool);
    if (!binding.error.empty()) {
      errors.push_back("target " + target.name + ": " + binding.error);
    }
    p.refresher = std::move(binding.refresher);
    ResolveResult resolved = Resolve(target.pricing, catalog);
    if (!resolved.pricing) {
      errors.push_back("target " + target.name + ": " + resolved.error);
    } else {
      p.pricing = *resolved.pricing;
    }
    loadgen::PayloadResult payloads = loadgen::LoadPayloads(target.body);
    if (!payloads.payloads) {
      errors.push_back("target " + target.name + ": " + payloads.error);
    } else {
      p.payloads = payloads.payloads;
    }
    prepared->push_back(std::move(p));
  }
  if (!errors.empty()) return errors;
  // At start and at every reload: RLIMIT_NOFILE raised to its hard limit if need be, or refused.
  const uint64_t descriptors = DescriptorsNeeded(config, own_descriptors);
  if (std::string error = loadgen::EnsureDescriptors(descriptors); !error.empty()) return {error};
  for (PreparedTarget& p : *prepared) {
    // A kept target keeps appending to its open file, even when its load restarts: opening the
    // path again would truncate it under the running recorder (and before the commit).
    if (p.config.csv.empty() || file_is_open(p.config)) continue;
    p.csv = std::make_unique<loadgen::CsvRecorder>(p.config.csv, p.config.name);
    if (!p.csv->ok()) errors.push_back("target " + p.config.name + ": " + p.csv->error());
  }
  return errors;
}

}  // namespace infercost
