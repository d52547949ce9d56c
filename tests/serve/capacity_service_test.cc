// Capacity learned by the running service from an open loop against a fixed-latency loopback
// server (tests/support/test_server.h's /delay): it must come out at the offered rate, not above
// it (catch-up bursts), and the burstable capacity basis must match a bill worked by hand.
#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <optional>
#include <sstream>
#include <string>

#include "config/config.h"
#include "loadgen/engine.h"
#include "serve/service.h"
#include "tests/support/test_server.h"
#include "tests/support/wait.h"

namespace infercost {
namespace {

using std::chrono::milliseconds;

struct OpenLoopCase {
  double rate;
  std::string instance_type;
  double capacity_usd_per_million;  // hand-worked, see the test
};

class CapacityServiceTest : public ::testing::TestWithParam<OpenLoopCase> {
 protected:
  static void SetUpTestSuite() { loadgen::GlobalInit(); }
};

// Open loop at `rate`/s to a server that answers after 5 ms; 5 s windows (the shortest allowed),
// 50 ms ticks.
// Capacity basis of an unlimited burstable instance runs flat out (u = 1):
//   t3.medium at 100 IPS: ($0.0416 + (1 - 0.2) x 2 vCPU x $0.05) / (100 x 3600) x 1e6
//                        = $0.1216 / 360,000 x 1e6 = $0.337778 per 1M
//   t4g.medium at 478 IPS: ($0.0336 + (1 - 0.2) x 2 x $0.04) / (478 x 3600) x 1e6
//                        = $0.0976 / 1,720,800 x 1e6 = $0.0567178 per 1M
TEST_P(CapacityServiceTest, OpenLoopCapacityIsTheOfferedRate) {
  const OpenLoopCase& c = GetParam();
  test::TestServer server;
  ServiceOptions options;
  options.tick = milliseconds(50);
  Service service(options);
  std::ostringstream yaml;
  yaml << "window: 5s\n"
       << "targets:\n"
       << "  - name: t\n"
       << "    url: " << server.Url("/delay?ms=5") << "\n"
       << "    method: GET\n"
       << "    load: { stages: [ { duration: 1h, rate: " << c.rate << " } ] }\n"
       << "    pricing: { model: instance, instance_type: " << c.instance_type << " }\n";
  ConfigResult parsed =
      ParseConfig(yaml.str(), "capacity_service_test.yaml",
                  [](const std::string&) { return std::optional<std::string>(); });
  ASSERT_TRUE(parsed.config.has_value()) << parsed.errors.at(0).ToString();
  ASSERT_TRUE(service.Apply(*parsed.config).empty());
  // Three counted windows: the median of the top three is in force. On a loaded machine some
  // windows are rejected (schedule lag): poll under a generous bound.
  TargetFigures f;
  const bool learned = test::WaitFor(
      [&] {
        f = service.Views()[0].figures;
        return f.capacity_windows_counted >= 3;
      },
      std::chrono::seconds(120));
  service.Stop();
  ASSERT_TRUE(learned) << "counted " << f.capacity_windows_counted << ", rejected "
                       << f.capacity_windows_rejected << ": " << f.capacity_last_rejected_reason;
  ASSERT_TRUE(f.capacity_ips.has_value());
  EXPECT_NEAR(*f.capacity_ips, c.rate, 0.01 * c.rate) << f.capacity_method;
  ASSERT_TRUE(f.usd_per_million_capacity.has_value());
  EXPECT_NEAR(*f.usd_per_million_capacity, c.capacity_usd_per_million,
              0.01 * c.capacity_usd_per_million);
  std::printf("rate %.0f/s: capacity %.2f IPS (%s), capacity basis $%.6f per 1M\n", c.rate,
              *f.capacity_ips, f.capacity_method.c_str(), *f.usd_per_million_capacity);
}

INSTANTIATE_TEST_SUITE_P(Rates, CapacityServiceTest,
                         ::testing::Values(OpenLoopCase{100, "t3.medium", 0.1216 / 360000 * 1e6},
                                           OpenLoopCase{478, "t4g.medium",
                                                        0.0976 / 1720800 * 1e6}));

}  // namespace
}  // namespace infercost
