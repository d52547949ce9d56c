// Checks the deployment files against each other and against CONVENTIONS.md, where no tool does:
// the Kubernetes PrometheusRule carries exactly the promtool-tested rule files, the StatefulSet's
// shards match its replicas and what the PodMonitor selects, and docker-compose.yml and the Grafana
// provisioning agree with the Prometheus config.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <vector>

namespace infercost {
namespace {

namespace fs = std::filesystem;

const fs::path kDeploy = fs::path(INFERCOST_SOURCE_DIR) / "deploy";
const fs::path kDashboards = fs::path(INFERCOST_SOURCE_DIR) / "dashboards";

std::string ReadFile(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

// Structural equality of two YAML trees: same scalars, same sequences in order, same map keys.
// Returns "" when equal, else the path of the first difference.
std::string Difference(const YAML::Node& a, const YAML::Node& b, const std::string& path) {
  if (a.Type() != b.Type()) return path + ": different node types";
  switch (a.Type()) {
    case YAML::NodeType::Scalar:
      return a.Scalar() == b.Scalar() ? ""
                                      : path + ": '" + a.Scalar() + "' vs '" + b.Scalar() + "'";
    case YAML::NodeType::Sequence: {
      if (a.size() != b.size()) return path + ": different lengths";
      for (size_t i = 0; i < a.size(); ++i) {
        const std::string d = Difference(a[i], b[i], path + "[" + std::to_string(i) + "]");
        if (!d.empty()) return d;
      }
      return "";
    }
    case YAML::NodeType::Map: {
      if (a.size() != b.size()) return path + ": different keys";
      for (const auto& entry : a) {
        const std::string key = entry.first.as<std::string>();
        if (!b[key]) return path + ": " + key + " missing";
        const std::string d = Difference(entry.second, b[key], path + "." + key);
        if (!d.empty()) return d;
      }
      return "";
    }
    default:
      return "";
  }
}

// Each entry of `wanted` is present with the same value in `labels`.
bool Selects(const YAML::Node& wanted, const YAML::Node& labels) {
  for (const auto& entry : wanted) {
    const std::string key = entry.first.as<std::string>();
    if (!labels[key] || labels[key].as<std::string>() != entry.second.as<std::string>()) {
      return false;
    }
  }
  return wanted.size() > 0;
}

TEST(Kubernetes, PrometheusRuleIsTheRuleFiles) {
  std::vector<fs::path> files;
  for (const auto& entry : fs::directory_iterator(kDeploy / "prometheus/rules")) {
    if (entry.path().extension() == ".yml") files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  ASSERT_GE(files.size(), 2u);
  YAML::Node groups(YAML::NodeType::Sequence);
  for (const auto& file : files) {
    for (const auto& group : YAML::LoadFile(file.string())["groups"]) groups.push_back(group);
  }
  const YAML::Node rule =
      YAML::LoadFile((kDeploy / "kubernetes/base/prometheusrule.yaml").string());
  EXPECT_EQ(rule["kind"].as<std::string>(), "PrometheusRule");
  EXPECT_EQ(Difference(groups, rule["spec"]["groups"], "groups"), "")
      << "run deploy/kubernetes/generate-prometheusrule.sh";
}

TEST(Kubernetes, ShardsMatchReplicasAndEveryoneSelectsTheGenerators) {
  const fs::path dir = kDeploy / "kubernetes/base";
  const YAML::Node sts = YAML::LoadFile((dir / "statefulset.yaml").string());
  const YAML::Node service = YAML::LoadFile((dir / "service.yaml").string());
  const YAML::Node monitor = YAML::LoadFile((dir / "podmonitor.yaml").string());
  const YAML::Node config_map = YAML::LoadFile((dir / "configmap.yaml").string());

  const YAML::Node pod_labels = sts["spec"]["template"]["metadata"]["labels"];
  EXPECT_TRUE(Selects(sts["spec"]["selector"]["matchLabels"], pod_labels));
  EXPECT_TRUE(Selects(service["spec"]["selector"], pod_labels));
  EXPECT_TRUE(Selects(monitor["spec"]["selector"]["matchLabels"], pod_labels));

  // The StatefulSet's governing Service is headless.
  EXPECT_EQ(sts["spec"]["serviceName"].as<std::string>(),
            service["metadata"]["name"].as<std::string>());
  EXPECT_EQ(service["spec"]["clusterIP"].as<std::string>(), "None");

  // The PodMonitor scrapes a port the container declares, and its job label is "infercost", as
  // the generator-down alerts expect.
  const YAML::Node container = sts["spec"]["template"]["spec"]["containers"][0];
  std::set<std::string> ports;
  for (const auto& port : container["ports"]) ports.insert(port["name"].as<std::string>());
  EXPECT_TRUE(ports.count(monitor["spec"]["podMetricsEndpoints"][0]["port"].as<std::string>()));
  const std::string job_label = monitor["spec"]["jobLabel"].as<std::string>();
  ASSERT_TRUE(pod_labels[job_label]);
  EXPECT_EQ(pod_labels[job_label].as<std::string>(), "infercost");
  EXPECT_THAT(ReadFile(kDeploy / "prometheus/rules/infercost-alerts.yml"),
              testing::HasSubstr("up{job=\"infercost\"}"));

  // shard.count is the number of replicas, which kustomize copies into the pods' environment
  // (k8s_overlay_test renders it); the index comes from the pod name, through the container's
  // shell, into the variable the config expands.
  const YAML::Node config = YAML::Load(config_map["data"]["infercost.yaml"].as<std::string>());
  EXPECT_EQ(config["shard"]["count"].as<std::string>(), "${INFERCOST_SHARD_COUNT}");
  EXPECT_EQ(config["shard"]["index"].as<std::string>(), "${INFERCOST_SHARD_INDEX}");
  const YAML::Node replacement =
      YAML::LoadFile((dir / "kustomization.yaml").string())["replacements"][0];
  EXPECT_EQ(replacement["source"]["fieldPath"].as<std::string>(), "spec.replicas");
  EXPECT_THAT(replacement["targets"][0]["fieldPaths"][0].as<std::string>(),
              testing::EndsWith("env.[name=INFERCOST_SHARD_COUNT].value"));
  std::string script;
  for (const auto& arg : container["command"]) script += arg.as<std::string>() + "\n";
  EXPECT_THAT(script, testing::HasSubstr("export INFERCOST_SHARD_INDEX=\"$ordinal\""));
  EXPECT_THAT(script, testing::HasSubstr("ordinal=\"${POD_NAME##*-}\""));
  EXPECT_THAT(script,
              testing::HasSubstr("exec infercost serve --config /etc/infercost/infercost.yaml"));
  EXPECT_EQ(container["env"][0]["name"].as<std::string>(), "POD_NAME");
  EXPECT_EQ(container["env"][0]["valueFrom"]["fieldRef"]["fieldPath"].as<std::string>(),
            "metadata.name");
  bool config_mounted = false;
  for (const auto& mount : container["volumeMounts"]) {
    config_mounted |= mount["mountPath"].as<std::string>() == "/etc/infercost";
  }
  EXPECT_TRUE(config_mounted);
}

TEST(Kubernetes, KustomizationListsEveryManifest) {
  const fs::path dir = kDeploy / "kubernetes/base";
  std::set<std::string> listed;
  for (const auto& r : YAML::LoadFile((dir / "kustomization.yaml").string())["resources"]) {
    listed.insert(r.as<std::string>());
  }
  std::set<std::string> manifests;
  for (const auto& entry : fs::directory_iterator(dir)) {
    const std::string name = entry.path().filename().string();
    if (entry.path().extension() == ".yaml" && name != "kustomization.yaml") manifests.insert(name);
  }
  EXPECT_EQ(listed, manifests);
}

TEST(Compose, FollowsTheConventions) {
  const YAML::Node compose = YAML::LoadFile((kDeploy / "docker-compose.yml").string());
  EXPECT_FALSE(compose["name"]) << "docker-compose 1.29 rejects a top-level name";
  EXPECT_FALSE(compose["version"]);
  std::set<std::string> declared_volumes;
  for (const auto& v : compose["volumes"]) declared_volumes.insert(v.first.as<std::string>());

  const std::set<std::string> expected = {"infercost", "prometheus", "alertmanager", "grafana",
                                          "tls-proxy"};
  std::set<std::string> services;
  for (const auto& entry : compose["services"]) {
    const std::string name = entry.first.as<std::string>();
    const YAML::Node service = entry.second;
    services.insert(name);
    SCOPED_TRACE(name);
    const std::string image = service["image"].as<std::string>();
    EXPECT_THAT(image, testing::MatchesRegex(R"(.+:[0-9v][0-9A-Za-z.\-]*)")) << "pin the tag";
    EXPECT_TRUE(service["healthcheck"]);
    for (const auto& port : service["ports"]) {
      if (name != "tls-proxy") {
        EXPECT_EQ(port.as<std::string>().rfind("127.0.0.1:", 0), 0u) << "publish on loopback";
      }
    }
    for (const auto& volume : service["volumes"]) {
      const std::string spec = volume.as<std::string>();
      if (spec[0] == '.' || spec[0] == '/') {
        EXPECT_THAT(spec, testing::EndsWith(":ro")) << "config mounts are read-only";
        const std::string host = spec.substr(0, spec.find(':'));
        EXPECT_TRUE(fs::exists(kDeploy / host)) << host;
      } else {
        EXPECT_TRUE(declared_volumes.count(spec.substr(0, spec.find(':')))) << spec;
      }
    }
    for (const auto& dependency : service["depends_on"]) {
      EXPECT_EQ(dependency.second["condition"].as<std::string>(), "service_healthy");
    }
    // Bounded resources, no capabilities, no privilege gain.
    EXPECT_TRUE(service["mem_limit"]) << "mem_limit";
    EXPECT_TRUE(service["cpus"]) << "cpus";
    ASSERT_TRUE(service["security_opt"]);
    EXPECT_EQ(service["security_opt"][0].as<std::string>(), "no-new-privileges:true");
    ASSERT_TRUE(service["cap_drop"]);
    EXPECT_EQ(service["cap_drop"][0].as<std::string>(), "ALL");
  }
  EXPECT_EQ(services, expected);
  EXPECT_EQ(compose["services"]["tls-proxy"]["profiles"][0].as<std::string>(), "tls");
  EXPECT_EQ(compose["services"]["infercost"]["build"]["dockerfile"].as<std::string>(),
            "deploy/Dockerfile");
  EXPECT_EQ(compose["services"]["infercost"]["build"]["args"]["RUNTIME_IMAGE"].as<std::string>(),
            "debian:12-slim");
  EXPECT_FALSE(compose["services"]["infercost"]["cap_add"]) << "infercost needs no capability";

  // Prometheus keeps more than the week that the week-over-week alert looks back.
  std::vector<std::string> flags;
  for (const auto& f : compose["services"]["prometheus"]["command"]) {
    flags.push_back(f.as<std::string>());
  }
  EXPECT_THAT(flags, testing::Contains("--web.enable-lifecycle"));
  const auto retention = std::find_if(flags.begin(), flags.end(), [](const std::string& f) {
    return f.rfind("--storage.tsdb.retention.time=", 0) == 0;
  });
  ASSERT_NE(retention, flags.end());
  std::smatch days;
  const std::string value = retention->substr(retention->find('=') + 1);
  ASSERT_TRUE(std::regex_match(value, days, std::regex(R"((\d+)d)"))) << value;
  EXPECT_GT(std::stoi(days[1].str()), 7);
}

// The Dockerfile's runtime stage: debian:12-slim, the .deb of the build stage and nothing else
// but curl (for the HEALTHCHECK), a non-root user, and the OCI labels with the project's version.
TEST(Image, SlimRuntimeStageWithLabels) {
  const std::string dockerfile = ReadFile(kDeploy / "Dockerfile");
  EXPECT_THAT(dockerfile, testing::HasSubstr("\nARG RUNTIME_IMAGE=debian:12-slim\n"));
  const size_t runtime = dockerfile.find("\nFROM ${RUNTIME_IMAGE}\n");
  ASSERT_NE(runtime, std::string::npos);
  const std::string stage = dockerfile.substr(runtime);
  EXPECT_EQ(stage.find("\nFROM "), 0u) << "the runtime stage is the last";
  EXPECT_THAT(stage, testing::Not(testing::HasSubstr("install-deps.sh")));
  EXPECT_THAT(stage, testing::HasSubstr("/tmp/infercost.deb curl \\\n"));
  EXPECT_THAT(stage, testing::HasSubstr("--no-install-recommends"));
  EXPECT_THAT(stage, testing::HasSubstr("rm -rf /var/lib/apt/lists/*"));
  EXPECT_THAT(stage, testing::HasSubstr("\nUSER 10001:10001\n"));
  for (const std::string label : {"source", "revision", "version", "licenses"}) {
    EXPECT_THAT(stage, testing::HasSubstr("org.opencontainers.image." + label + "=")) << label;
  }
  EXPECT_THAT(stage, testing::HasSubstr("org.opencontainers.image.revision=\"${REVISION}\""));
  EXPECT_THAT(stage, testing::HasSubstr("org.opencontainers.image.version=\"${VERSION}\""));
  std::smatch version;
  const std::string cmake = ReadFile(fs::path(INFERCOST_SOURCE_DIR) / "CMakeLists.txt");
  ASSERT_TRUE(std::regex_search(cmake, version, std::regex(R"(project\(infercost VERSION (\S+))")));
  EXPECT_THAT(stage, testing::HasSubstr("\nARG VERSION=" + version[1].str() + "\n"));

  // .dockerignore keeps the local trees, the history and the npm packages out of the context.
  std::set<std::string> ignored;
  std::istringstream lines(ReadFile(fs::path(INFERCOST_SOURCE_DIR) / ".dockerignore"));
  for (std::string line; std::getline(lines, line);) ignored.insert(line);
  for (const std::string path : {".git", "build/", "**/node_modules/", "tests/"}) {
    EXPECT_TRUE(ignored.count(path)) << path;
  }
  // ... but not what the Dockerfile copies.
  std::regex copy(R"(\nCOPY (\S+)/ )");
  for (auto it = std::sregex_iterator(dockerfile.begin(), dockerfile.end(), copy);
       it != std::sregex_iterator(); ++it) {
    EXPECT_FALSE(ignored.count((*it)[1].str() + "/")) << (*it)[1].str();
    EXPECT_TRUE(fs::exists(fs::path(INFERCOST_SOURCE_DIR) / (*it)[1].str())) << (*it)[1].str();
  }
}

TEST(Compose, GrafanaProvisioningMatchesPrometheusAndTheMounts) {
  const YAML::Node prometheus = YAML::LoadFile((kDeploy / "prometheus/prometheus.yml").string());
  const YAML::Node datasources =
      YAML::LoadFile((kDashboards / "provisioning/datasources/infercost.yml").string());
  const YAML::Node providers =
      YAML::LoadFile((kDashboards / "provisioning/dashboards/infercost.yml").string());
  const YAML::Node compose = YAML::LoadFile((kDeploy / "docker-compose.yml").string());

  const YAML::Node ds = datasources["datasources"][0];
  EXPECT_EQ(ds["type"].as<std::string>(), "prometheus");
  EXPECT_FALSE(ds["uid"].as<std::string>().empty());
  // $__rate_interval is derived from timeInterval: it must be the scrape interval.
  EXPECT_EQ(ds["jsonData"]["timeInterval"].as<std::string>(),
            prometheus["global"]["scrape_interval"].as<std::string>());
  for (const auto& job : prometheus["scrape_configs"]) {
    if (job["job_name"].as<std::string>() == "infercost") {
      EXPECT_EQ(job["scrape_interval"].as<std::string>(),
                ds["jsonData"]["timeInterval"].as<std::string>());
    }
  }

  const YAML::Node provider = providers["providers"][0];
  EXPECT_EQ(provider["type"].as<std::string>(), "file");
  const std::string path = provider["options"]["path"].as<std::string>();
  std::set<std::string> grafana_mounts;
  for (const auto& v : compose["services"]["grafana"]["volumes"]) {
    const std::string spec = v.as<std::string>();
    const size_t first = spec.find(':');
    grafana_mounts.insert(spec.substr(first + 1, spec.rfind(':') - first - 1));
  }
  EXPECT_TRUE(grafana_mounts.count(path)) << path;
  EXPECT_TRUE(grafana_mounts.count("/etc/grafana/provisioning/datasources"));
  EXPECT_TRUE(grafana_mounts.count("/etc/grafana/provisioning/dashboards"));
}

}  // namespace
}  // namespace infercost
