// Placeholder until the command lands.
#include <cstdio>

#include "exporter/commands.h"

namespace infercost {

int RunServe(int /*argc*/, char** argv) {
  std::fprintf(stderr, "%s: not built yet\n", argv[0]);
  return kExitFailure;
}

}  // namespace infercost
