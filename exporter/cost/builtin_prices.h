// The price catalog compiled into the binary: the text of exporter/cost/data/prices.yaml, embedded
// at build time by infercost_embed_file (cmake/EmbedFile.cmake). Only cost_catalog.cc reads it.
#ifndef INFERCOST_COST_BUILTIN_PRICES_H_
#define INFERCOST_COST_BUILTIN_PRICES_H_

namespace infercost {

extern const char kBuiltinPricesYaml[];  // NUL-terminated

}  // namespace infercost

#endif  // INFERCOST_COST_BUILTIN_PRICES_H_
