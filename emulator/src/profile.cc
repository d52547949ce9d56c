// Profile figures and the YAML reader. yaml-cpp stays inside this file.
#include "emulator/profile.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <initializer_list>
#include <limits>
#include <map>
#include <sstream>

namespace emulator {

// --- expected figures --------------------------------------------------------------------------

namespace {

constexpr double kInfinity = std::numeric_limits<double>::infinity();

// Requests per second one slot completes when each takes `ms`.
double PerSecond(double slots, double ms) { return ms > 0 ? slots * 1000.0 / ms : kInfinity; }

}  // namespace

double Profile::ExpectedCapacityIps() const {
  if (platform == Platform::kLambda) {
    return PerSecond(lambda.concurrency_limit, service.MeanMs());
  }
  double ips = PerSecond(workers, service.MeanMs());
  if (batching) {
    ips = std::min(ips, PerSecond(batching->max_batch, batching->BatchMs(batching->max_batch)));
  }
  return ips;
}

double Profile::ExpectedBaselineCapacityIps() const {
  if (platform != Platform::kInstance || !cpu_credits ||
      cpu_credits->mode != CreditMode::kStandard) {
    return ExpectedCapacityIps();
  }
  return std::min(ExpectedCapacityIps(),
                  PerSecond(workers * cpu_credits->baseline, service.MeanMs()));
}

double Profile::ExpectedClosedLoopIps(int concurrency) const {
  const double clients = std::max(0, concurrency);
  if (platform == Platform::kLambda) {
    return PerSecond(std::min<double>(clients, lambda.concurrency_limit),
                     service.MeanMs() + lambda.gateway_overhead_ms);
  }
  if (!batching) {
    return PerSecond(std::min<double>(clients, workers), service.MeanMs());
  }
  // Every client cycles through a worker and then a GPU batch holding (at most) all clients.
  const int batch = std::clamp(concurrency, 1, batching->max_batch);
  return std::min(PerSecond(clients, service.MeanMs() + batching->BatchMs(batch)),
                  ExpectedCapacityIps());
}

double LambdaSettings::VcpuShare(int memory) {
  constexpr double kMbPerVcpu = 1769, kMaxVcpus = 6;
  return std::min(memory / kMbPerVcpu, kMaxVcpus);
}

double LambdaSettings::DurationFactor(int memory) const {
  const double used_at_own = std::min(VcpuShare(memory_mb), static_cast<double>(threads));
  const double used = std::min(VcpuShare(memory), static_cast<double>(threads));
  return (1 - cpu_fraction) + cpu_fraction * used_at_own / used;
}

double Profile::ExpectedWarmLatencyMs() const {
  if (platform == Platform::kLambda) {
    return service.MeanMs() + lambda.gateway_overhead_ms;
  }
  return service.MeanMs() + (batching ? batching->BatchMs(1) : 0.0);
}

double Profile::ExpectedWarmBilledMs() const {
  // Rounding each duration up to the next millisecond adds half a millisecond on average.
  return platform == Platform::kLambda ? service.MeanMs() + 0.5 : 0.0;
}

int Profile::MaxInFlight() const {
  return platform == Platform::kLambda ? lambda.concurrency_limit : workers + queue_limit;
}

const Profile* FindProfile(const std::vector<Profile>& profiles, std::string_view name) {
  auto it = std::find_if(profiles.begin(), profiles.end(),
                         [&](const Profile& p) { return p.name == name; });
  return it == profiles.end() ? nullptr : &*it;
}

// --- YAML reader -------------------------------------------------------------------------------

namespace {

using Keys = std::initializer_list<std::string_view>;

// Collects "SOURCE:LINE:COL: message" lines; reads typed, range-checked values.
class Reader {
 public:
  explicit Reader(std::string_view source) : source_(source) {}

  void Error(const YAML::Mark& mark, const std::string& message) {
    std::ostringstream line;
    line << source_;
    if (!mark.is_null()) {
      line << ':' << mark.line + 1 << ':' << mark.column + 1;
    }
    line << ": " << message << '\n';
    errors_ += line.str();
  }
  bool ok() const { return errors_.empty(); }
  const std::string& errors() const { return errors_; }

  // A map whose keys are all in `allowed`, each once.
  bool CheckMap(const YAML::Node& node, std::string_view what, Keys allowed) {
    if (!node.IsMap()) {
      Error(node.Mark(), std::string(what) + " must be a map");
      return false;
    }
    std::map<std::string, int> seen;
    for (const auto& entry : node) {
      const std::string key = entry.first.Scalar();
      if (std::find(allowed.begin(), allowed.end(), key) == allowed.end()) {
        std::string message = "unknown key '";
        message.append(key).append("' in ").append(what).append(" (expected one of: ");
        for (std::string_view k : allowed) {
          message.append(k == *allowed.begin() ? "" : ", ").append(k);
        }
        Error(entry.first.Mark(), message + ")");
      } else if (!seen.emplace(key, entry.first.Mark().line + 1).second) {
        Error(entry.first.Mark(), "duplicate key '" + key + "' in " + std::string(what) +
                                      " (first on line " + std::to_string(seen[key]) + ")");
      }
    }
    return true;
  }

  bool Required(const YAML::Node& map, const char* key, std::string_view what) {
    if (map[key]) {
      return true;
    }
    Error(map.Mark(), std::string(what) + " needs '" + key + "'");
    return false;
  }

  // Reads map[key] when present into *out; checks lo ≤ value ≤ hi.
  void Number(const YAML::Node& map, const char* key, double lo, double hi, double* out) {
    const YAML::Node node = map[key];
    if (!node) {
      return;
    }
    double value = 0;
    if (!node.IsScalar() || !YAML::convert<double>::decode(node, value) || !std::isfinite(value)) {
      Error(node.Mark(), std::string("'") + key + "' must be a number, got '" + Text(node) + "'");
      return;
    }
    if (value < lo || value > hi) {
      Error(node.Mark(), std::string("'") + key + "' must be between " + Format(lo) + " and " +
                             Format(hi) + ", got " + Format(value));
      return;
    }
    *out = value;
  }

  template <typename Int>
  void Integer(const YAML::Node& map, const char* key, int64_t lo, int64_t hi, Int* out) {
    const YAML::Node node = map[key];
    if (!node) {
      return;
    }
    long long value = 0;
    if (!node.IsScalar() || !YAML::convert<long long>::decode(node, value)) {
      Error(node.Mark(),
            std::string("'") + key + "' must be a whole number, got '" + Text(node) + "'");
      return;
    }
    if (value < lo || value > hi) {
      Error(node.Mark(), std::string("'") + key + "' must be between " + std::to_string(lo) +
                             " and " + std::to_string(hi) + ", got " + std::to_string(value));
      return;
    }
    *out = static_cast<Int>(value);
  }

  // One of `choices`; returns its index, or -1 when absent or invalid (after an error).
  int Choice(const YAML::Node& map, const char* key, Keys choices) {
    const YAML::Node node = map[key];
    if (!node) {
      return -1;
    }
    const std::string value = node.IsScalar() ? node.Scalar() : Text(node);
    int index = 0;
    std::string list;
    for (std::string_view c : choices) {
      if (node.IsScalar() && value == c) {
        return index;
      }
      list += (list.empty() ? "" : ", ") + std::string(c);
      ++index;
    }
    Error(node.Mark(),
          std::string("'") + key + "' must be one of " + list + ", got '" + value + "'");
    return -1;
  }

  void Distribution(const YAML::Node& map, const char* key, double max_median_ms,
                    LogNormalMs* out) {
    const YAML::Node node = map[key];
    if (!node) {
      return;
    }
    const std::string what = std::string("'") + key + "'";
    if (!CheckMap(node, what, {"median_ms", "sigma"})) {
      return;
    }
    Required(node, "median_ms", what);
    Number(node, "median_ms", 0, max_median_ms, &out->median_ms);
    Number(node, "sigma", 0, 3, &out->sigma);
  }

 private:
  static std::string Text(const YAML::Node& node) {
    if (node.IsScalar()) {
      return node.Scalar();
    }
    if (node.IsSequence()) {
      return "a list";
    }
    if (node.IsMap()) {
      return "a map";
    }
    return "nothing";
  }
  static std::string Format(double value) {
    char buffer[32];
    std::snprintf(buffer, sizeof buffer, "%g", value);
    return buffer;
  }

  std::string_view source_;
  std::string errors_;
};

constexpr double kHourMs = 3600e3;

bool ValidName(const std::string& name) {
  if (name.empty() || name.size() > 64) {
    return false;
  }
  return std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
           c == '_' || c == '-';
  });
}

void ReadFaults(Reader& r, const YAML::Node& node, Faults* faults) {
  if (!node) {
    return;
  }
  if (!r.CheckMap(node, "'faults'",
                  {"error_ratio", "reset_ratio", "hang_ratio", "slow_body_ratio", "hang_max_ms",
                   "slow_body_bytes_per_second"})) {
    return;
  }
  r.Number(node, "error_ratio", 0, 1, &faults->error_ratio);
  r.Number(node, "reset_ratio", 0, 1, &faults->reset_ratio);
  r.Number(node, "hang_ratio", 0, 1, &faults->hang_ratio);
  r.Number(node, "slow_body_ratio", 0, 1, &faults->slow_body_ratio);
  r.Number(node, "hang_max_ms", 1, 24 * kHourMs, &faults->hang_max_ms);
  r.Number(node, "slow_body_bytes_per_second", 1e-3, 1e9, &faults->slow_body_bytes_per_second);
  const double total =
      faults->error_ratio + faults->reset_ratio + faults->hang_ratio + faults->slow_body_ratio;
  if (total > 1.0 + 1e-9) {
    r.Error(node.Mark(), "the fault ratios add up to more than 1");
  }
}

void ReadInstance(Reader& r, const YAML::Node& node, Profile* p) {
  r.Integer(node, "workers", 1, 1024, &p->workers);
  r.Integer(node, "queue_limit", 0, 100000, &p->queue_limit);
  if (const YAML::Node b = node["batching"]) {
    if (r.CheckMap(b, "'batching'", {"max_batch", "base_ms", "per_item_ms", "window_ms"})) {
      Batching batching;
      r.Required(b, "max_batch", "'batching'");
      r.Integer(b, "max_batch", 1, 4096, &batching.max_batch);
      r.Number(b, "base_ms", 0, kHourMs, &batching.base_ms);
      r.Number(b, "per_item_ms", 0, kHourMs, &batching.per_item_ms);
      r.Number(b, "window_ms", 0, kHourMs, &batching.window_ms);
      p->batching = batching;
    }
  }
  if (const YAML::Node c = node["cpu_credits"]) {
    if (r.CheckMap(c, "'cpu_credits'", {"mode", "initial_credits", "max_credits", "baseline"})) {
      CpuCredits credits;
      r.Required(c, "mode", "'cpu_credits'");
      if (r.Choice(c, "mode", {"standard", "unlimited"}) == 0) {
        credits.mode = CreditMode::kStandard;
      }
      r.Number(c, "max_credits", 1e-6, 1e9, &credits.max_credits);
      r.Number(c, "initial_credits", 0, 1e9, &credits.initial_credits);
      r.Number(c, "baseline", 1e-3, 1, &credits.baseline);
      p->cpu_credits = credits;
    }
  }
}

void ReadLambda(Reader& r, const YAML::Node& node, Profile* p) {
  LambdaSettings& l = p->lambda;
  r.Distribution(node, "cold_start", kHourMs, &l.cold_start);
  r.Number(node, "idle_timeout_ms", 1e-3, 1000 * kHourMs, &l.idle_timeout_ms);
  r.Integer(node, "concurrency_limit", 1, 100000, &l.concurrency_limit);
  r.Integer(node, "provisioned_concurrency", 0, 100000, &l.provisioned_concurrency);
  if (const YAML::Node status = node["throttle_status"]) {
    int value = -1;
    r.Integer(node, "throttle_status", 100, 599, &value);
    if (value == 429 || value == 500 || value == 502) {
      l.throttle_status = value;
    } else if (value != -1) {
      r.Error(status.Mark(),
              "'throttle_status' must be 429, 500 or 502, got " + std::to_string(value));
    }
  }
  r.Number(node, "gateway_timeout_ms", 0, kHourMs, &l.gateway_timeout_ms);
  r.Number(node, "gateway_overhead_ms", 0, kHourMs, &l.gateway_overhead_ms);
  // Lambda's own ceiling is 15 minutes.
  r.Number(node, "function_timeout_ms", 1, 900e3, &l.function_timeout_ms);
  // Lambda's memory settings run from 128 MB to 10,240 MB.
  r.Integer(node, "memory_mb", 128, 10240, &l.memory_mb);
  r.Integer(node, "max_memory_used_mb", 1, 10240, &l.max_memory_used_mb);
  r.Number(node, "cpu_fraction", 0, 1, &l.cpu_fraction);
  r.Integer(node, "threads", 1, 64, &l.threads);
  r.Number(node, "update_ms", 0, kHourMs, &l.update_ms);
  r.Number(node, "provisioned_ready_ms", 0, kHourMs, &l.provisioned_ready_ms);
  if (node["architecture"]) {
    const int arch = r.Choice(node, "architecture", {"x86_64", "arm64"});
    if (arch >= 0) l.architecture = arch == 0 ? "x86_64" : "arm64";
  }
  if (l.max_memory_used_mb > l.memory_mb && !node["max_memory_used_mb"]) {
    l.max_memory_used_mb = l.memory_mb;  // the default does not fit a small function
  } else if (l.max_memory_used_mb > l.memory_mb) {
    r.Error(node["max_memory_used_mb"].Mark(),
            "'max_memory_used_mb' (" + std::to_string(l.max_memory_used_mb) +
                ") exceeds 'memory_mb' (" + std::to_string(l.memory_mb) + ")");
  }
  if (l.provisioned_concurrency > l.concurrency_limit) {
    r.Error(node["provisioned_concurrency"].Mark(),
            "'provisioned_concurrency' (" + std::to_string(l.provisioned_concurrency) +
                ") exceeds 'concurrency_limit' (" + std::to_string(l.concurrency_limit) + ")");
  }
}

std::optional<Profile> ReadTarget(Reader& r, const YAML::Node& node) {
  if (!node.IsMap()) {
    r.Error(node.Mark(), "each entry of 'targets' must be a map");
    return std::nullopt;
  }
  Profile p;
  const YAML::Node name = node["name"];
  if (!name || !name.IsScalar() || !ValidName(name.Scalar())) {
    r.Error(name ? name.Mark() : node.Mark(),
            "each target needs a 'name' of 1-64 letters, digits, '.', '_' or '-'");
    return std::nullopt;
  }
  p.name = name.Scalar();
  const std::string what = "target '" + p.name + "'";
  if (!r.Required(node, "platform", what)) {
    return std::nullopt;
  }
  const int platform = r.Choice(node, "platform", {"instance", "lambda"});
  if (platform < 0) {
    return std::nullopt;
  }
  p.platform = platform == 0 ? Platform::kInstance : Platform::kLambda;

  if (p.platform == Platform::kInstance) {
    r.CheckMap(node, what,
               {"name", "platform", "service", "faults", "max_body_bytes", "workers", "queue_limit",
                "batching", "cpu_credits"});
  } else {
    p.max_body_bytes = 6 << 20;
    r.CheckMap(node, what,
               {"name",
                "platform",
                "service",
                "faults",
                "max_body_bytes",
                "cold_start",
                "idle_timeout_ms",
                "provisioned_concurrency",
                "concurrency_limit",
                "throttle_status",
                "gateway_timeout_ms",
                "gateway_overhead_ms",
                "function_timeout_ms",
                "memory_mb",
                "max_memory_used_mb",
                "cpu_fraction",
                "threads",
                "update_ms",
                "provisioned_ready_ms",
                "architecture"});
  }
  r.Required(node, "service", what);
  r.Distribution(node, "service", kHourMs, &p.service);
  r.Integer(node, "max_body_bytes", 0, int64_t{1} << 31, &p.max_body_bytes);
  ReadFaults(r, node["faults"], &p.faults);
  if (p.platform == Platform::kInstance) {
    ReadInstance(r, node, &p);
  } else {
    ReadLambda(r, node, &p);
  }
  return p;
}

}  // namespace

std::optional<std::vector<Profile>> ParseProfiles(std::string_view yaml_text,
                                                  std::string_view source_name,
                                                  std::string* errors) {
  Reader r(source_name);
  YAML::Node root;
  try {
    root = YAML::Load(std::string(yaml_text));
  } catch (const YAML::Exception& e) {
    r.Error(e.mark, e.msg);
    if (errors) {
      *errors = r.errors();
    }
    return std::nullopt;
  }
  std::vector<Profile> profiles;
  std::map<std::string, int> lines;
  if (!root.IsMap()) {
    r.Error(root.Mark(), "a profiles file is a map with a 'targets' list");
  } else if (r.CheckMap(root, "the profiles file", {"targets"}) &&
             r.Required(root, "targets", "the profiles file")) {
    const YAML::Node targets = root["targets"];
    if (!targets.IsSequence() || targets.size() == 0) {
      r.Error(targets.Mark(), "'targets' must be a non-empty list");
    } else {
      for (const YAML::Node& node : targets) {
        std::optional<Profile> p = ReadTarget(r, node);
        if (!p) {
          continue;
        }
        const int line = node.Mark().line + 1;
        if (auto [it, inserted] = lines.emplace(p->name, line); !inserted) {
          r.Error(node["name"].Mark(), "duplicate target name '" + p->name + "' (first on line " +
                                           std::to_string(it->second) + ")");
          continue;
        }
        profiles.push_back(std::move(*p));
      }
    }
  }
  if (!r.ok()) {
    if (errors) {
      *errors = r.errors();
    }
    return std::nullopt;
  }
  return profiles;
}

std::string CheckProfiles(const std::vector<Profile>& profiles) {
  std::string errors;
  const auto check = [&](bool ok, const std::string& name, std::string_view message) {
    if (!ok) {
      errors += "profile '" + name + "': " + std::string(message) + "\n";
    }
  };
  if (profiles.empty()) {
    errors += "no profiles\n";
  }
  for (size_t i = 0; i < profiles.size(); ++i) {
    const Profile& p = profiles[i];
    check(ValidName(p.name), p.name, "the name must be 1-64 letters, digits, '.', '_' or '-'");
    check(FindProfile(profiles, p.name) == &p, p.name, "the name is used twice");
    const auto valid = [](const LogNormalMs& d) {
      return std::isfinite(d.median_ms) && d.median_ms >= 0 && d.sigma >= 0 && d.sigma <= 3;
    };
    check(valid(p.service), p.name, "service needs median_ms >= 0 and 0 <= sigma <= 3");
    check(p.max_body_bytes >= 0, p.name, "max_body_bytes must be >= 0");
    const Faults& f = p.faults;
    check(f.error_ratio >= 0 && f.reset_ratio >= 0 && f.hang_ratio >= 0 && f.slow_body_ratio >= 0 &&
              f.error_ratio + f.reset_ratio + f.hang_ratio + f.slow_body_ratio <= 1 + 1e-9,
          p.name, "fault ratios must be >= 0 and add up to at most 1");
    check(f.hang_max_ms > 0 && f.slow_body_bytes_per_second > 0, p.name,
          "hang_max_ms and slow_body_bytes_per_second must be > 0");
    if (p.platform == Platform::kInstance) {
      check(p.workers >= 1 && p.queue_limit >= 0, p.name, "workers >= 1 and queue_limit >= 0");
      if (p.batching) {
        check(p.batching->max_batch >= 1 && p.batching->base_ms >= 0 &&
                  p.batching->per_item_ms >= 0 && p.batching->window_ms >= 0,
              p.name, "batching needs max_batch >= 1 and durations >= 0");
      }
      if (p.cpu_credits) {
        check(p.cpu_credits->baseline > 0 && p.cpu_credits->baseline <= 1, p.name,
              "cpu_credits.baseline must be in (0, 1]");
      }
    } else {
      const LambdaSettings& l = p.lambda;
      check(valid(l.cold_start), p.name, "cold_start needs median_ms >= 0 and 0 <= sigma <= 3");
      check(l.concurrency_limit >= 1 && l.provisioned_concurrency >= 0 &&
                l.provisioned_concurrency <= l.concurrency_limit,
            p.name, "0 <= provisioned_concurrency <= concurrency_limit, concurrency_limit >= 1");
      check(l.throttle_status == 429 || l.throttle_status == 500 || l.throttle_status == 502,
            p.name, "throttle_status must be 429, 500 or 502");
      check(l.idle_timeout_ms > 0 && l.function_timeout_ms > 0 && l.gateway_timeout_ms >= 0 &&
                l.gateway_overhead_ms >= 0,
            p.name, "idle and function timeouts > 0, gateway timeout and overhead >= 0");
    }
  }
  return errors;
}

std::optional<std::vector<Profile>> LoadProfilesFile(const std::string& path, std::string* errors) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    if (errors) {
      *errors = path + ": cannot read the profiles file\n";
    }
    return std::nullopt;
  }
  std::ostringstream text;
  text << in.rdbuf();
  return ParseProfiles(text.str(), path, errors);
}

const std::vector<Profile>& BuiltInProfiles() {
  static const std::vector<Profile> profiles = [] {
    std::string errors;
    auto parsed = ParseProfiles(BuiltInProfilesYaml(), "<built-in profiles.yaml>", &errors);
    if (!parsed) {
      // Only a broken build gets here: profiles.yaml is compiled in and covered by a test.
      std::fputs(errors.c_str(), stderr);
      std::abort();
    }
    return *parsed;
  }();
  return profiles;
}

}  // namespace emulator
