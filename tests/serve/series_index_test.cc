// The text /metrics writes from the series index (serve/series_index.h) against prometheus-cpp's
// own collection of the same families: the same lines, whatever the order, each family's samples
// in one block after its HELP and TYPE, for series added, changed and removed.
#include "serve/series_index.h"

#include <gtest/gtest.h>
#include <prometheus/registry.h>

#include <algorithm>
#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "config/config.h"
#include "loadgen/engine.h"
#include "serve/exposition.h"
#include "serve/metrics.h"
#include "serve/service.h"
#include "tests/support/test_server.h"
#include "tests/support/wait.h"

namespace infercost {
namespace {

std::vector<std::string> SortedLines(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  std::sort(lines.begin(), lines.end());
  return lines;
}

// The family a sample line belongs to, as its TYPE line names it (suffixes of histograms and
// summaries removed when the TYPE says so).
std::string FamilyOf(const std::string& line, const std::map<std::string, std::string>& types) {
  std::string name = line.substr(0, line.find_first_of("{ "));
  if (types.contains(name)) return name;
  for (const char* suffix : {"_bucket", "_sum", "_count"}) {
    const std::string s = suffix;
    if (name.ends_with(s) && types.contains(name.substr(0, name.size() - s.size()))) {
      return name.substr(0, name.size() - s.size());
    }
  }
  return name;
}

// The text format's grouping rule: every sample after its family's TYPE line, each family in one
// block, no family twice.
void ExpectGroupedByFamily(const std::string& text) {
  std::map<std::string, std::string> types;
  std::istringstream scan(text);
  for (std::string line; std::getline(scan, line);) {
    if (line.starts_with("# TYPE ")) {
      std::istringstream words(line.substr(7));
      std::string name, type;
      words >> name >> type;
      EXPECT_FALSE(types.contains(name)) << "TYPE twice: " << name;
      types[name] = type;
    }
  }
  std::set<std::string> finished;
  std::string current;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    if (line.starts_with("#")) continue;
    const std::string family = FamilyOf(line, types);
    ASSERT_TRUE(types.contains(family)) << "no TYPE line for " << line;
    if (family != current) {
      EXPECT_FALSE(finished.contains(family)) << family << " is split: " << line;
      if (!current.empty()) finished.insert(current);
      current = family;
    }
  }
}

std::string FromRegistry(const prometheus::Registry& registry) {
  std::string text;
  AppendText(registry.Collect(), text);
  return text;
}

std::string FromIndex(const SeriesIndex& index) {
  std::string text;
  index.Write(text);
  return text;
}

TEST(SeriesIndex, WritesTheSameSeriesAsTheRegistry) {
  prometheus::Registry registry;
  MetricFamilies families(registry);
  families.build_info.Add({{"version", "1"}, {"revision", "abc"}}).Set(1);
  // No target yet: only the families without per-target series, as prometheus-cpp writes them.
  EXPECT_EQ(FromIndex(families.index), FromRegistry(registry));

  auto a = std::make_unique<TargetSeries>(families, "a");
  // A label value to escape: quotes, backslashes, a newline.
  auto b = std::make_unique<TargetSeries>(families, "b\"\\\n");
  for (TargetSeries* s : {a.get(), b.get()}) {
    s->SetInfo({"lambda", "", "us-east-1", "x\"86\\", "lambda", "on_demand"});
    s->SetAwsRecord(true, true);
    s->SetCostPerMillion(false, 1.5);
    s->SetCostPerMillion(true, 0.25);
    s->SetCapacity(120.0);
    s->SetBudget(2.0);
    s->requests[0]->Increment(3);
    s->inferences->Increment(3);
    s->request_duration->Observe(0.012);
    s->request_duration->Observe(31);
    s->billed_duration_histogram()->Observe(0.6);
    s->init_duration_histogram()->Observe(2.5);
    s->SetMaxMemoryUsed(1e9);
    s->SetClientOverhead(0.02);
    s->in_flight->Set(0.1 + 0.2);  // 16 significant digits
    s->offered_rate->Set(1e-300);
  }
  EXPECT_EQ(SortedLines(FromIndex(families.index)), SortedLines(FromRegistry(registry)));
  ExpectGroupedByFamily(FromIndex(families.index));

  // Optional series removed and changed, a target gone, a new one.
  a->SetCostPerMillion(true, std::nullopt);
  a->SetBudget(std::nullopt);
  a->SetAwsRecord(false, false);
  a->SetInfo({"ec2", "t3.medium", "eu-west-1", "x86_64", "instance", "on_demand"});
  b.reset();
  auto c = std::make_unique<TargetSeries>(families, "c");
  c->SetCapacity(std::nullopt);
  const std::string index_text = FromIndex(families.index);
  EXPECT_EQ(SortedLines(index_text), SortedLines(FromRegistry(registry)));
  ExpectGroupedByFamily(index_text);
  EXPECT_EQ(index_text.find("b\\\""), std::string::npos);
  EXPECT_EQ(index_text.find("infercost_init_duration_seconds"), std::string::npos);
  EXPECT_NE(index_text.find("target=\"c\""), std::string::npos);

  a.reset();
  c.reset();
  EXPECT_EQ(FromIndex(families.index), FromRegistry(registry));
}

Config Parse(const std::string& yaml) {
  ConfigResult result = ParseConfig(yaml, "series_index_test.yaml", [](const std::string&) {
    return std::optional<std::string>();
  });
  EXPECT_TRUE(result.config.has_value())
      << (result.errors.empty() ? "" : result.errors[0].ToString());
  return *result.config;
}

std::string Target(const test::TestServer& server, const std::string& name,
                   const std::string& pricing, const std::string& extra = "") {
  return "  - name: " + name + "\n    url: " + server.Url("/ok") +
         "\n    method: GET\n"
         "    load: { stages: [ { duration: 1h, concurrency: 1 } ] }\n"
         "    pricing: " +
         pricing + "\n" + extra;
}

// A running service: what it serves on /metrics and what prometheus-cpp collects from its
// families (Service::Collect) hold the same lines, through a reload that removes a target.
TEST(SeriesIndex, ServiceExpositionMatchesItsFamilies) {
  loadgen::GlobalInit();
  test::TestServer server;
  ServiceOptions options;
  options.tick = std::chrono::milliseconds(50);
  Service service(options);
  const std::string lambda =
      Target(server, "lambda", "{ model: lambda, memory_mb: 1024, api_gateway: rest }");
  const std::string config =
      "targets:\n" + lambda +
      Target(server, "t3", "{ model: instance, instance_type: t3.medium, public_ipv4: 1 }",
             "    budget_usd_per_million: 5\n") +
      Target(server, "flat", "{ model: per_request, usd_per_request: 0.001 }");
  ASSERT_TRUE(service.Apply(Parse(config)).empty());
  ASSERT_TRUE(test::WaitFor([&] { return server.Requests() >= 30; }, std::chrono::seconds(20)));
  ASSERT_TRUE(service.Apply(Parse("targets:\n" + lambda)).empty());
  service.Stop();
  service.Tick();
  std::string collected;
  AppendText(service.Collect(), collected);
  const std::string served = *service.Exposition();
  EXPECT_EQ(SortedLines(served), SortedLines(collected));
  ExpectGroupedByFamily(served);
  EXPECT_NE(served.find("infercost_billed_duration_seconds_bucket{target=\"lambda\""),
            std::string::npos);
  EXPECT_EQ(served.find("target=\"t3\""), std::string::npos);
}

}  // namespace
}  // namespace infercost
