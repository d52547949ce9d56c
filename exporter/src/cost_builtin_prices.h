// The price catalog compiled into the binary: the text of exporter/data/prices.yaml, embedded at
// build time by exporter/data/embed_prices.cmake. Only cost_catalog.cc reads it.
#ifndef EXPORTER_SRC_COST_BUILTIN_PRICES_H_
#define EXPORTER_SRC_COST_BUILTIN_PRICES_H_

#include <string_view>

namespace infercost::internal {

extern const std::string_view kBuiltinPricesYaml;
extern const std::string_view kBuiltinPricesFileName;

}  // namespace infercost::internal

#endif  // EXPORTER_SRC_COST_BUILTIN_PRICES_H_
