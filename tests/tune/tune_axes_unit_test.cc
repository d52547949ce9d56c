// The tune module's rules for the two extra axes: the state file with two functions and
// provisioned-concurrency configs, and the provisioned run's price at a traffic.
#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>

#include "tune/tune.h"
#include "tune/tune_report.h"

namespace infercost {
namespace {

std::string TempPath(const std::string& name) {
  return (std::filesystem::temp_directory_path() /
          (name + "-" + std::to_string(::testing::UnitTest::GetInstance()->random_seed())))
      .string();
}

TEST(TuneStateTest, TwoFunctionsAndTheirProvisionedConfigsRoundTrip) {
  const std::string path = TempPath("tune-state");
  TuneState state;
  state.functions.push_back(
      {.function_url = "http://h/2015-03-31/functions/a", .original_memory_mb = 1024});
  state.functions.back().versions = {"1", "2"};
  state.functions.back().provisioned = {"2"};
  state.functions.push_back(
      {.function_url = "http://h/2015-03-31/functions/b", .original_memory_mb = 2048});
  state.functions.back().versions = {"5"};
  ASSERT_EQ(WriteTuneState(path, state), "");
  std::string error;
  const std::optional<TuneState> read = ReadTuneState(path, &error);
  ASSERT_TRUE(read) << error;
  ASSERT_EQ(read->functions.size(), 2u);
  EXPECT_EQ(read->functions[0].function_url, "http://h/2015-03-31/functions/a");
  EXPECT_EQ(read->functions[0].versions, (std::vector<std::string>{"1", "2"}));
  EXPECT_EQ(read->functions[0].provisioned, (std::vector<std::string>{"2"}));
  EXPECT_EQ(read->functions[1].original_memory_mb, 2048);
  EXPECT_EQ(read->functions[1].versions, (std::vector<std::string>{"5"}));
  EXPECT_TRUE(read->functions[1].provisioned.empty());
  std::remove(path.c_str());
}

TEST(TuneStateTest, AFunctionWithoutItsSizeIsNotAStateFile) {
  const std::string path = TempPath("tune-state-bad");
  std::ofstream(path) << "function_url=http://h/2015-03-31/functions/a\n"
                         "original_memory_mb=1024\n"
                         "function_url=http://h/2015-03-31/functions/b\n";
  std::string error;
  EXPECT_FALSE(ReadTuneState(path, &error));
  EXPECT_EQ(error, path + ": not a tune state file (function_url and original_memory_mb expected)");
  std::remove(path.c_str());
}

// 1 GB, 500 ms on both runs; on demand $1e-5 an invocation, provisioned $6e-6 (so $4e-6 saved
// on each carried invocation); the environments' fixed charge $2e-5 a second (2 × 1 GB × $1e-5).
struct ProvisionedCase {
  double traffic_rps;
  double usd_per_million;
  std::optional<double> pays_off_rps;
};

class ProvisionedPriceTest : public testing::TestWithParam<ProvisionedCase> {};

TEST_P(ProvisionedPriceTest, FixedShareCarriedAndSpilledTraffic) {
  ArchitecturePrices prices;
  prices.provisioned_usd_per_gb_second = 1e-5;
  SizeFigures on_demand, provisioned;
  on_demand.memory_mb = provisioned.memory_mb = 1024;
  on_demand.mean_billed_ms = provisioned.mean_billed_ms = 500;
  on_demand.usd_per_invocation = 1e-5;
  on_demand.usd_per_million = 10;
  provisioned.provisioned = 2;
  provisioned.usd_per_invocation = 6e-6;
  provisioned.usd_per_million = 6;
  PriceProvisioned(on_demand, prices, GetParam().traffic_rps, &provisioned);
  EXPECT_NEAR(provisioned.usd_per_million, GetParam().usd_per_million, 1e-9);
  EXPECT_NEAR(provisioned.provisioned_usd_per_million, 2e-5 / GetParam().traffic_rps * 1e6, 1e-9);
  ASSERT_EQ(provisioned.pays_off_rps.has_value(), GetParam().pays_off_rps.has_value());
  if (provisioned.pays_off_rps) {
    EXPECT_NEAR(*provisioned.pays_off_rps, *GetParam().pays_off_rps, 1e-9);
  }
}

// Two environments at 500 ms carry 4 req/s; the fixed $2e-5/s is paid back at 5 req/s of
// $4e-6 savings, which they cannot carry: it never pays off here.
INSTANTIATE_TEST_SUITE_P(Rules, ProvisionedPriceTest,
                         testing::Values(
                             // 2 req/s, all carried: 6 + 20/2 = 16 per 1M.
                             ProvisionedCase{2, 16, std::nullopt},
                             // 8 req/s: 4 carried at 6, 4 on demand at 10, + 20/8 fixed = 8 + 2.5.
                             ProvisionedCase{8, 10.5, std::nullopt}));

TEST(ProvisionedPriceTest, PaysOffWhereTheSavingsCoverTheFixedCharge) {
  ArchitecturePrices prices;
  prices.provisioned_usd_per_gb_second = 1e-6;  // $2e-6 a second for two 1 GB environments
  SizeFigures on_demand, provisioned;
  on_demand.memory_mb = provisioned.memory_mb = 1024;
  on_demand.mean_billed_ms = provisioned.mean_billed_ms = 500;
  on_demand.usd_per_invocation = 1e-5;
  provisioned.provisioned = 2;
  provisioned.usd_per_invocation = 6e-6;
  PriceProvisioned(on_demand, prices, 1, &provisioned);
  ASSERT_TRUE(provisioned.pays_off_rps);
  EXPECT_NEAR(*provisioned.pays_off_rps, 0.5, 1e-9);  // $2e-6 / $4e-6
}

}  // namespace
}  // namespace infercost
