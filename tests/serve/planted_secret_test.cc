// A planted secret never appears in any output (issue 15, finding 7). Secrets in ${VAR}s (one in a
// URL's query string, one holding '"' and '\' in a header), literal URL userinfo, a literal
// ?token=, a literal X-Api-Key header: none reaches the logs (debug), /api/v1/targets, the page,
// a failed reload's log and HTTP error body, a start-up error or check-config's errors. Each secret
// ends in a unique tag, and the outputs are searched for the tag, so an escaped or partly shown
// secret is caught too.
#include <gtest/gtest.h>
#include <stdlib.h>

#include <string>
#include <vector>

#include "emulator/emulator.h"
#include "tests/serve/serve_support.h"
#include "tests/support/process.h"
#include "tests/support/temp_dir.h"

namespace infercost {
namespace {

struct Planted {
  const char* where;
  const char* secret;
  const char* tag;  // unique to this secret
};

constexpr Planted kPlanted[] = {
    {"${VAR} in a query string", "qv-tag7f3e9a", "tag7f3e9a"},
    {"${VAR} header with quote and backslash", "hv\"quo\\te-tag5a9c21", "tag5a9c21"},
    {"literal userinfo password", "litpass-tag4c2d8e", "tag4c2d8e"},
    {"literal ?token=", "littoken-tag8b1e04", "tag8b1e04"},
    {"literal X-Api-Key header", "lithdr-tag2d7f63", "tag2d7f63"},
    {"literal userinfo in a refused config", "reloadpass-tag9f1a77", "tag9f1a77"},
};

std::string GoodConfig(const std::string& base) {
  const std::string host = base.substr(std::string("http://").size());
  return "window: 5s\n"
         "targets:\n"
         "  - name: planted\n"
         "    url: \"http://user:litpass-tag4c2d8e@" +
         host +
         "/t4g.medium/predict?model=v2&token=littoken-tag8b1e04&api_key=${PLANTED_QUERY}\"\n"
         "    headers: { X-Api-Key: lithdr-tag2d7f63, X-Custom: \"${PLANTED_HEADER}\" }\n"
         "    load: { stages: [ { duration: 1h, concurrency: 1 } ] }\n"
         "    pricing: { model: hourly, usd_per_hour: 0.5 }\n";
}

// Refused: port 99999. Its message quotes the URL as written, with the literal password.
std::string RefusedConfig(const std::string& base) {
  return GoodConfig(base) +
         "  - name: refused\n"
         "    url: \"http://user:reloadpass-tag9f1a77@127.0.0.1:99999/x?token=${PLANTED_QUERY}\"\n"
         "    pricing: { model: hourly, usd_per_hour: 0.5 }\n";
}

void ExpectNoTag(const std::string& output_name, const std::string& text) {
  for (const Planted& p : kPlanted) {
    EXPECT_EQ(text.find(p.tag), std::string::npos)
        << output_name << " shows the " << p.where << ":\n"
        << text;
  }
}

TEST(PlantedSecret, NeverAppearsInAnyOutput) {
  emulator::Options options;
  options.time_scale = 20;
  std::string error;
  auto emu = emulator::Emulator::Start(options, &error);
  ASSERT_NE(emu, nullptr) << error;
  ::setenv("PLANTED_QUERY", kPlanted[0].secret, 1);
  ::setenv("PLANTED_HEADER", kPlanted[1].secret, 1);

  test::TempDir dir("planted");
  test::WriteFile(dir / "config.yaml", GoodConfig(emu->BaseUrl()));
  test::WriteFile(dir / "refused.yaml", RefusedConfig(emu->BaseUrl()));

  // Start-up errors and check-config's errors.
  const test::ProcessResult startup = test::RunProcess(
      {INFERCOST_BINARY, "serve", "--listen", "127.0.0.1:0", "--config", dir / "refused.yaml"});
  EXPECT_EQ(startup.exit_code, 2) << startup.err;
  EXPECT_NE(startup.err.find("user:<redacted>@127.0.0.1:99999"), std::string::npos) << startup.err;
  ExpectNoTag("serve's start-up error", startup.out + startup.err);
  const test::ProcessResult check =
      test::RunProcess({INFERCOST_BINARY, "check-config", dir / "refused.yaml"});
  EXPECT_EQ(check.exit_code, 2) << check.err;
  ExpectNoTag("check-config", check.out + check.err);

  test::ServeProcess serve(dir.path(),
                           {"--config", (dir / "config.yaml").string(), "--log-level", "debug"});
  ASSERT_GT(serve.port(), 0) << serve.Log();
  ASSERT_TRUE(test::WaitFor(
      [&] {
        return test::SumOf(serve.Scrape(), "infercost_inferences_total", "target=\"planted\"") >= 3;
      },
      std::chrono::seconds(60), std::chrono::milliseconds(200)))
      << serve.Log();
  const std::string targets = test::HttpFetch(serve.Url("/api/v1/targets")).body;
  EXPECT_NE(targets.find("user:<redacted>@"), std::string::npos) << targets;
  const std::string page = test::HttpFetch(serve.Url("/")).body;
  const std::string metrics = test::HttpFetch(serve.Url("/metrics")).body;

  // A refused reload: its errors are logged and returned by POST /-/reload.
  test::WriteFile(dir / "config.yaml", RefusedConfig(emu->BaseUrl()));
  const test::HttpResponse reload = test::HttpFetch(serve.Url("/-/reload"), "POST");
  EXPECT_EQ(reload.status, 500) << reload.body;
  EXPECT_NE(reload.body.find("user:<redacted>@127.0.0.1:99999"), std::string::npos) << reload.body;
  EXPECT_EQ(serve.Stop(), 0);

  ExpectNoTag("the log", serve.Log());
  ExpectNoTag("/api/v1/targets", targets);
  ExpectNoTag("the page", page);
  ExpectNoTag("/metrics", metrics);
  ExpectNoTag("the POST /-/reload error body", reload.body);
  EXPECT_NE(serve.Log().find("msg=\"target started\" target=planted url="), std::string::npos);
}

}  // namespace
}  // namespace infercost
