// Lints the Grafana dashboards in dashboards/ against CONVENTIONS.md: every panel queries the
// `datasource` variable, has a unit and a description, uses $__rate_interval in every range, takes
// quantiles from summed buckets, and queries only metrics that infercost exports (DESIGN.md's
// table, kept in tests/deploy/metric_names.txt and checked against a scrape of `infercost serve`)
// or recording rules defined in deploy/prometheus/rules.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "emulator/emulator.h"
#include "tests/serve/serve_support.h"
#include "tests/support/temp_dir.h"
#include "tests/support/test_server.h"

namespace infercost {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

const fs::path kSourceDir = INFERCOST_SOURCE_DIR;

std::string ReadFile(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

std::vector<fs::path> FilesWithExtension(const fs::path& dir, const std::string& extension) {
  std::vector<fs::path> files;
  for (const auto& entry : fs::directory_iterator(dir)) {
    if (entry.is_regular_file() && entry.path().extension() == extension) {
      files.push_back(entry.path());
    }
  }
  std::sort(files.begin(), files.end());
  return files;
}

// name -> type ("counter", "gauge", "histogram", "summary" or "prometheus" for series Prometheus
// adds).
std::map<std::string, std::string> ListedMetrics() {
  std::map<std::string, std::string> metrics;
  std::istringstream in(ReadFile(kSourceDir / "tests/deploy/metric_names.txt"));
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    std::istringstream fields(line);
    std::string name, type;
    fields >> name >> type;
    metrics[name] = type;
  }
  return metrics;
}

std::set<std::string> RecordingRules() {
  std::set<std::string> records;
  for (const auto& file : FilesWithExtension(kSourceDir / "deploy/prometheus/rules", ".yml")) {
    const YAML::Node root = YAML::LoadFile(file.string());
    for (const auto& group : root["groups"]) {
      for (const auto& rule : group["rules"]) {
        if (rule["record"]) records.insert(rule["record"].as<std::string>());
      }
    }
  }
  return records;
}

// Every name a query may use: listed metrics (histograms with their series) and recorded rules.
std::set<std::string> KnownSeriesNames() {
  std::set<std::string> known = RecordingRules();
  for (const auto& [name, type] : ListedMetrics()) {
    known.insert(name);
    if (type == "histogram") known.insert(name + "_bucket");
    if (type == "histogram" || type == "summary") {
      for (const char* suffix : {"_sum", "_count"}) known.insert(name + suffix);
    }
  }
  return known;
}

std::string RemoveDelimited(const std::string& text, char open, char close) {
  std::string out;
  int depth = 0;
  for (char c : text) {
    if (c == open) {
      ++depth;
    } else if (c == close && depth > 0) {
      --depth;
    } else if (depth == 0) {
      out += c;
    }
  }
  return out;
}

// The metric names a PromQL expression selects. Strings, label matchers, ranges and the label lists
// of by/without/on/ignoring/group_left/group_right are removed first; what remains that is neither
// a function call, a keyword nor a number is a metric name.
std::set<std::string> MetricNamesIn(std::string expr) {
  expr = std::regex_replace(expr, std::regex(R"("([^"\\]|\\.)*")"), "\"\"");
  expr = RemoveDelimited(expr, '{', '}');
  expr = RemoveDelimited(expr, '[', ']');
  expr = std::regex_replace(
      expr, std::regex(R"(\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\))"), " ");
  static const std::set<std::string> kKeywords = {
      "and", "or",  "unless",   "bool",       "offset",      "by", "without",
      "on",  "inf", "ignoring", "group_left", "group_right", "nan"};
  std::set<std::string> names;
  size_t i = 0;
  while (i < expr.size()) {
    const char c = expr[i];
    if (std::isdigit(static_cast<unsigned char>(c)) || c == '.') {
      // A number or a duration: 1e6, 0.95, 1e-9, 3600, 1d.
      ++i;
      while (i < expr.size() &&
             (std::isalnum(static_cast<unsigned char>(expr[i])) || expr[i] == '.' ||
              ((expr[i] == '-' || expr[i] == '+') && (expr[i - 1] == 'e' || expr[i - 1] == 'E')))) {
        ++i;
      }
      continue;
    }
    if (std::isalpha(static_cast<unsigned char>(c)) || c == '_' || c == ':') {
      const size_t start = i;
      while (i < expr.size() && (std::isalnum(static_cast<unsigned char>(expr[i])) ||
                                 expr[i] == '_' || expr[i] == ':')) {
        ++i;
      }
      const std::string word = expr.substr(start, i - start);
      size_t next = i;
      while (next < expr.size() && std::isspace(static_cast<unsigned char>(expr[next]))) ++next;
      const bool is_call = next < expr.size() && expr[next] == '(';
      std::string lower = word;
      std::transform(lower.begin(), lower.end(), lower.begin(),
                     [](unsigned char ch) { return static_cast<char>(std::tolower(ch)); });
      if (!is_call && kKeywords.count(lower) == 0) names.insert(word);
      continue;
    }
    ++i;
  }
  return names;
}

// label_values(metric{...}, label): the metric is the first argument only.
std::set<std::string> MetricNamesInVariableQuery(const std::string& query) {
  const std::regex label_values(R"(^\s*label_values\((.*),\s*[a-zA-Z_]+\s*\)\s*$)");
  std::smatch match;
  if (std::regex_match(query, match, label_values)) return MetricNamesIn(match[1].str());
  return MetricNamesIn(query);
}

// Every `[...]` range in the expression.
std::vector<std::string> Ranges(const std::string& expr) {
  std::vector<std::string> ranges;
  const std::regex range(R"(\[([^\]]*)\])");
  for (auto it = std::sregex_iterator(expr.begin(), expr.end(), range);
       it != std::sregex_iterator(); ++it) {
    ranges.push_back((*it)[1].str());
  }
  return ranges;
}

struct Dashboard {
  fs::path path;
  json model;
};

std::vector<Dashboard> LoadDashboards() {
  std::vector<Dashboard> dashboards;
  for (const auto& file : FilesWithExtension(kSourceDir / "dashboards", ".json")) {
    dashboards.push_back({file, json::parse(ReadFile(file))});
  }
  return dashboards;
}

// Query panels, including those nested in collapsed rows; rows themselves query nothing.
std::vector<json> QueryPanels(const json& dashboard) {
  std::vector<json> panels;
  for (const auto& panel : dashboard.value("panels", json::array())) {
    if (panel.value("type", "") == "row") {
      for (const auto& nested : panel.value("panels", json::array())) panels.push_back(nested);
    } else {
      panels.push_back(panel);
    }
  }
  return panels;
}

const json kDatasource = {{"type", "prometheus"}, {"uid", "${datasource}"}};

// Every "datasource" object anywhere in the model, with the JSON path it sits at.
void CollectDatasources(const json& node, const std::string& path,
                        std::vector<std::pair<std::string, json>>& out) {
  if (node.is_object()) {
    for (const auto& [key, value] : node.items()) {
      if (key == "datasource" && value.is_object()) out.emplace_back(path, value);
      CollectDatasources(value, path + "/" + key, out);
    }
  } else if (node.is_array()) {
    for (size_t i = 0; i < node.size(); ++i) {
      CollectDatasources(node[i], path + "/" + std::to_string(i), out);
    }
  }
}

TEST(DashboardLint, TheThreeDashboardsExist) {
  std::set<std::string> titles;
  for (const auto& d : LoadDashboards()) titles.insert(d.model.value("title", ""));
  EXPECT_THAT(titles, testing::IsSupersetOf({"infercost / Cost-performance overview",
                                             "infercost / Target detail",
                                             "infercost / Load generator health"}));
}

TEST(DashboardLint, ModelIsSchema39WithUniqueUidsAndPanelIds) {
  std::set<std::string> uids;
  for (const auto& d : LoadDashboards()) {
    SCOPED_TRACE(d.path.filename().string());
    EXPECT_EQ(d.model.value("schemaVersion", 0), 39);
    const std::string uid = d.model.value("uid", "");
    EXPECT_FALSE(uid.empty());
    EXPECT_TRUE(uids.insert(uid).second) << "duplicate dashboard uid " << uid;
    std::set<int> ids;
    for (const auto& panel : d.model.at("panels")) {
      EXPECT_TRUE(ids.insert(panel.value("id", -1)).second) << panel.dump();
      EXPECT_TRUE(panel.contains("gridPos")) << panel.value("title", "");
    }
  }
}

TEST(DashboardLint, NoHardCodedOrExportedDatasource) {
  for (const auto& d : LoadDashboards()) {
    SCOPED_TRACE(d.path.filename().string());
    const std::string text = ReadFile(d.path);
    EXPECT_EQ(text.find("__inputs"), std::string::npos) << "exported form: use ${datasource}";
    EXPECT_EQ(text.find("${DS_"), std::string::npos) << "exported form: use ${datasource}";
    std::vector<std::pair<std::string, json>> datasources;
    CollectDatasources(d.model, "", datasources);
    EXPECT_FALSE(datasources.empty());
    for (const auto& [path, datasource] : datasources) {
      EXPECT_EQ(datasource, kDatasource) << path;
    }
  }
}

TEST(DashboardLint, VariablesAreDatasourceTargetAndInstance) {
  const std::set<std::string> known = KnownSeriesNames();
  for (const auto& d : LoadDashboards()) {
    SCOPED_TRACE(d.path.filename().string());
    std::map<std::string, json> variables;
    for (const auto& v : d.model.at("templating").at("list")) variables[v.at("name")] = v;
    ASSERT_TRUE(variables.count("datasource"));
    EXPECT_EQ(variables["datasource"].value("type", ""), "datasource");
    EXPECT_EQ(variables["datasource"].value("query", ""), "prometheus");
    for (const char* name : {"target", "instance"}) {
      SCOPED_TRACE(name);
      ASSERT_TRUE(variables.count(name));
      const json& v = variables[name];
      EXPECT_EQ(v.value("type", ""), "query");
      EXPECT_EQ(v.at("datasource"), kDatasource);
      EXPECT_TRUE(v.value("multi", false));
      EXPECT_TRUE(v.value("includeAll", false));
      EXPECT_EQ(v.value("allValue", ""), ".+");
      const std::string definition = v.value("definition", "");
      EXPECT_EQ(definition.rfind("label_values(", 0), 0u) << definition;
      EXPECT_EQ(v.at("query").value("query", ""), definition);
      for (const auto& metric : MetricNamesInVariableQuery(definition)) {
        EXPECT_TRUE(known.count(metric)) << metric << " in " << definition;
      }
    }
  }
}

TEST(DashboardLint, EveryPanelHasDatasourceUnitDescriptionAndQueries) {
  for (const auto& d : LoadDashboards()) {
    for (const auto& panel : QueryPanels(d.model)) {
      SCOPED_TRACE(d.path.filename().string() + ": " + panel.value("title", "?"));
      EXPECT_FALSE(panel.value("title", "").empty());
      EXPECT_EQ(panel.value("datasource", json()), kDatasource);
      EXPECT_GE(panel.value("description", "").size(), 20u) << "describe what the panel answers";
      const json defaults = panel.value("fieldConfig", json::object()).value("defaults", json());
      EXPECT_FALSE(defaults.value("unit", "").empty());
      const json targets = panel.value("targets", json::array());
      EXPECT_FALSE(targets.empty());
      for (const auto& target : targets) {
        EXPECT_FALSE(target.value("expr", "").empty());
        EXPECT_EQ(target.value("datasource", kDatasource), kDatasource);
      }
    }
  }
}

TEST(DashboardLint, QueriesUseOnlyKnownMetricsAndRules) {
  const std::set<std::string> known = KnownSeriesNames();
  int queries = 0;
  for (const auto& d : LoadDashboards()) {
    for (const auto& panel : QueryPanels(d.model)) {
      for (const auto& target : panel.value("targets", json::array())) {
        const std::string expr = target.value("expr", "");
        const std::set<std::string> names = MetricNamesIn(expr);
        EXPECT_FALSE(names.empty()) << expr;
        for (const auto& name : names) {
          EXPECT_TRUE(known.count(name))
              << d.path.filename().string() << ": " << name << " in " << expr;
        }
        ++queries;
      }
    }
    for (const auto& annotation : d.model.at("annotations").value("list", json::array())) {
      for (const auto& name : MetricNamesIn(annotation.value("expr", ""))) {
        EXPECT_TRUE(known.count(name)) << name;
      }
    }
  }
  EXPECT_GE(queries, 30);
}

TEST(DashboardLint, RatesUseRateIntervalAndQuantilesSumBuckets) {
  for (const auto& d : LoadDashboards()) {
    for (const auto& panel : QueryPanels(d.model)) {
      for (const auto& target : panel.value("targets", json::array())) {
        const std::string expr = target.value("expr", "");
        SCOPED_TRACE(expr);
        for (const auto& range : Ranges(expr)) EXPECT_EQ(range, "$__rate_interval");
        // histogram_quantile(q, sum by (..., le) (rate(..._bucket[...]))): never of averages.
        const std::regex quantile(R"(histogram_quantile\(\s*[0-9.]+\s*,\s*sum by \(([^)]*)\))");
        const size_t calls = [&] {
          size_t n = 0;
          for (size_t at = expr.find("histogram_quantile("); at != std::string::npos;
               at = expr.find("histogram_quantile(", at + 1)) {
            ++n;
          }
          return n;
        }();
        size_t summed = 0;
        for (auto it = std::sregex_iterator(expr.begin(), expr.end(), quantile);
             it != std::sregex_iterator(); ++it) {
          EXPECT_THAT((*it)[1].str(), testing::HasSubstr("le"));
          ++summed;
        }
        EXPECT_EQ(summed, calls) << "histogram_quantile must take sum by (..., le)";
        EXPECT_EQ(expr.find("avg("), std::string::npos) << "never average ratios or quantiles";
      }
    }
  }
}

TEST(DashboardLint, HeatmapsShowBucketIncreasesInHeatmapFormat) {
  int heatmaps = 0;
  for (const auto& d : LoadDashboards()) {
    for (const auto& panel : QueryPanels(d.model)) {
      if (panel.value("type", "") != "heatmap") continue;
      ++heatmaps;
      SCOPED_TRACE(panel.value("title", ""));
      EXPECT_FALSE(panel.at("options").value("calculate", true));
      for (const auto& target : panel.at("targets")) {
        EXPECT_EQ(target.value("format", ""), "heatmap");
        EXPECT_THAT(target.value("expr", ""),
                    testing::MatchesRegex(R"(sum by \(le\) \(increase\(.*_bucket\{.*)"));
      }
    }
  }
  EXPECT_GE(heatmaps, 1);
}

// The metric families (names from `# TYPE` lines) of one scrape of the text exposition.
std::set<std::string> FamiliesIn(const std::string& exposition) {
  std::set<std::string> families;
  std::istringstream in(exposition);
  std::string line;
  while (std::getline(in, line)) {
    std::istringstream fields(line);
    std::string hash, keyword, name;
    fields >> hash >> keyword >> name;
    if (hash == "#" && keyword == "TYPE") families.insert(name);
  }
  return families;
}

// metric_names.txt must list exactly what the exporter serves, so that a renamed metric fails
// here rather than leaving an empty panel. `infercost serve` runs against a loopback test server
// with targets that exercise every family (Lambda pricing with a budget, cold starts and billed
// durations; an open-loop target), and its /metrics is scraped until the families match or 60 s
// pass (some appear only after the first window of requests).
TEST(DashboardLint, MetricListMatchesAScrapeOfServe) {
  test::TestServer server;
  test::TempDir dir("metric_names_scrape");
  // A Lambda Invoke target on the emulator gives AWS's own record (billed and init durations,
  // memory) and, signed with expiring keys from a credential_process, the credentials series.
  emulator::Options emulator_options;
  emulator_options.time_scale = 20;
  std::string error;
  auto emu = emulator::Emulator::Start(emulator_options, &error);
  ASSERT_NE(emu, nullptr) << error;
  const emulator::AwsOptions& aws = emulator_options.aws;
  test::WriteFile(dir / "creds.sh", "#!/bin/sh\necho '{\"Version\": 1, \"AccessKeyId\": \"" +
                                        aws.access_key_id + "\", \"SecretAccessKey\": \"" +
                                        aws.secret_access_key +
                                        "\", \"Expiration\": \"2099-01-01T00:00:00Z\"}'\n");
  fs::permissions(dir / "creds.sh", fs::perms::owner_all);
  const fs::path config = dir / "infercost.yaml";
  test::WriteFile(config,
                  "window: 5s\n"
                  "targets:\n"
                  "  - name: invoke\n"
                  "    kind: lambda\n"
                  "    function: lambda\n"
                  "    endpoint_url: " +
                      emu->BaseUrl() +
                      "\n"
                      "    credentials: { source: process, command: '" +
                      (dir / "creds.sh").string() +
                      "' }\n"
                      "    load: { stages: [ { duration: 1h, concurrency: 3 } ] }\n"
                      "    pricing: { model: lambda, memory_mb: 1024 }\n"
                      "  - name: fn\n"
                      "    url: " +
                      server.Url("/ok?billed=12&cold=true") +
                      "\n"
                      "    load: { stages: [ { duration: 1h, concurrency: 2 } ] }\n"
                      "    budget_usd_per_million: 5\n"
                      "    pricing: { model: lambda, memory_mb: 1024, api_gateway: http }\n"
                      "  - name: box\n"
                      "    url: " +
                      server.Url("/ok") +
                      "\n"
                      "    load: { stages: [ { duration: 1h, rate: 20 } ] }\n"
                      "    pricing: { model: hourly, usd_per_hour: 1.5 }\n");
  test::ServeProcess serve(dir.path(), {"--config", config.string()});
  ASSERT_GT(serve.port(), 0) << serve.Log();

  std::set<std::string> listed;
  for (const auto& [name, type] : ListedMetrics()) {
    if (type != "prometheus") listed.insert(name);
  }
  std::set<std::string> scraped;
  test::WaitFor(
      [&] {
        scraped = FamiliesIn(test::HttpFetch(serve.Url("/metrics")).body);
        return scraped == listed;
      },
      std::chrono::seconds(60));
  for (const auto& name : listed) {
    EXPECT_TRUE(scraped.count(name)) << name << " is listed but /metrics has no such family";
  }
  for (const auto& name : scraped) {
    EXPECT_TRUE(listed.count(name)) << name << " is served but missing from metric_names.txt";
  }
  EXPECT_GE(listed.size(), 30u);
  EXPECT_EQ(serve.Stop(), 0) << serve.Log();
}

TEST(MetricNamesIn, FindsSelectorsAndSkipsEverythingElse) {
  EXPECT_THAT(
      MetricNamesIn(
          R"(histogram_quantile(0.95, sum by (target, le) (rate(a_bucket{target=~"$target", x="b"}[$__rate_interval]))))"),
      testing::ElementsAre("a_bucket"));
  EXPECT_THAT(MetricNamesIn(R"(1e6 * x:y:rate5m / on (target) group_left () (z > 1e-9) offset 1d)"),
              testing::ElementsAre("x:y:rate5m", "z"));
  EXPECT_THAT(MetricNamesIn(R"(time() - m and on (job, instance) n)"),
              testing::ElementsAre("m", "n"));
  EXPECT_THAT(MetricNamesInVariableQuery(R"(label_values(m{t=~"$t"}, instance))"),
              testing::ElementsAre("m"));
}

}  // namespace
}  // namespace infercost
