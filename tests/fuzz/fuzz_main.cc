// libFuzzer's entry point for one target, chosen at compile time with -DINFERCOST_FUZZ_TARGET.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "targets.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  infercost::fuzz::INFERCOST_FUZZ_TARGET(
      std::string_view(reinterpret_cast<const char*>(data), size));
  return 0;
}
