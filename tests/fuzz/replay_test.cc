// Replays every fuzz target's seed corpus (tests/fuzz/corpus/TARGET) and every crash reproducer
// the fuzzers found (tests/fuzz/regressions/TARGET) under the ordinary build, so that the suite
// (and its ASan run) holds what the fuzzers learned without needing clang or libFuzzer.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "targets.h"

namespace infercost::fuzz {
namespace {

namespace fs = std::filesystem;

struct Target {
  const char* name;
  void (*run)(std::string_view);
};

constexpr Target kTargets[] = {
    {"config", &FuzzConfig},     {"web_config", &FuzzWebConfig},
    {"response", &FuzzResponse}, {"duration", &FuzzDuration},
    {"url", &FuzzUrl},           {"lambda_report", &FuzzLambdaReport},
    {"base64", &FuzzBase64},
};

std::string ReadFile(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

class FuzzReplay : public testing::TestWithParam<Target> {};

TEST_P(FuzzReplay, EverySeedAndReproducerRunsClean) {
  const fs::path root = fs::path(INFERCOST_SOURCE_DIR) / "tests" / "fuzz";
  int inputs = 0;
  for (const char* folder : {"corpus", "regressions"}) {
    const fs::path dir = root / folder / GetParam().name;
    if (!fs::is_directory(dir)) continue;
    for (const fs::directory_entry& entry : fs::directory_iterator(dir)) {
      if (!entry.is_regular_file()) continue;
      SCOPED_TRACE(entry.path().string());
      GetParam().run(ReadFile(entry.path()));  // a finding aborts the test binary
      ++inputs;
    }
  }
  EXPECT_GT(inputs, 0) << "no seed corpus for " << GetParam().name;
}

INSTANTIATE_TEST_SUITE_P(Targets, FuzzReplay, testing::ValuesIn(kTargets),
                         [](const testing::TestParamInfo<Target>& param_info) {
                           return std::string(param_info.param.name);
                         });

}  // namespace
}  // namespace infercost::fuzz
