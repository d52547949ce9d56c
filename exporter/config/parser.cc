// The config's reader: the top level, ${VAR} expansion, paths and header names. See parser.h.
#include "config/parser.h"

#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <system_error>
#include <utility>

namespace infercost::config_internal {
namespace {

bool IsHeaderNameChar(char c) {
  // RFC 9110 token characters.
  return std::isalnum(static_cast<unsigned char>(c)) != 0 ||
         std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
}

// ---- ${VAR} --------------------------------------------------------------------------------

bool IsVariableName(std::string_view name) {
  if (name.empty() || std::isdigit(static_cast<unsigned char>(name.front())) != 0) {
    return false;
  }
  return std::all_of(name.begin(), name.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '_';
  });
}

bool IsOwnVariable(std::string_view name) { return name.starts_with("INFERCOST_"); }

// What is wrong with a path for its use ("" when nothing), as the end of a sentence that
// starts with the path.
std::string PathProblem(const fs::path& path, PathKind kind) {
  std::error_code ec;
  if (kind == PathKind::kOutputFile) {
    if (fs::is_directory(path, ec)) {
      return " is a directory; give the path of a file in it";
    }
    const fs::path dir = path.parent_path().empty() ? fs::path(".") : path.parent_path();
    if (!fs::is_directory(dir, ec)) {
      return ": its directory does not exist";
    }
    if (::access(dir.c_str(), W_OK) != 0) {
      return ": its directory is not writable";
    }
    return "";
  }
  const fs::file_status status = fs::status(path, ec);
  if (!fs::exists(status)) {
    return " does not exist";
  }
  if (kind == PathKind::kFile) {
    if (!fs::is_regular_file(status)) {
      return " is not a regular file";
    }
    if (::access(path.c_str(), R_OK) != 0) {
      return " is not readable";
    }
    return "";
  }
  if (!fs::is_directory(status)) {
    return " is not a directory";
  }
  fs::directory_iterator it(path, ec);
  if (ec || ::access(path.c_str(), R_OK | X_OK) != 0) {
    return " is not readable";
  }
  for (; it != fs::directory_iterator(); it.increment(ec)) {
    if (it->is_regular_file(ec)) {
      return "";
    }
  }
  return " has no regular files";
}

}  // namespace

char Lower(char c) { return static_cast<char>(std::tolower(static_cast<unsigned char>(c))); }

bool IsHeaderName(std::string_view name) {
  return !name.empty() && std::all_of(name.begin(), name.end(), IsHeaderNameChar);
}

bool HasLineBreak(std::string_view text) {
  return text.find_first_of("\r\n") != std::string_view::npos;
}

// FNV-1a: a stable default seed per target name, so that two targets with Poisson arrivals do
// not send in lockstep, and reordering targets keeps each one's schedule.
uint64_t NameSeed(std::string_view name) {
  uint64_t hash = 0xcbf29ce484222325ULL;
  for (char c : name) {
    hash ^= static_cast<unsigned char>(c);
    hash *= 0x100000001b3ULL;
  }
  return hash;
}

std::optional<std::string> Parser::Expand(const std::string& written, const YamlMark& mark,
                                          std::string_view key,
                                          std::vector<std::string>* substituted) {
  std::string out;
  bool ok = true;
  std::size_t i = 0;
  while (i < written.size()) {
    if (written.compare(i, 3, "$${") == 0) {  // an escaped, literal ${
      out += "${";
      i += 3;
      continue;
    }
    if (written.compare(i, 2, "${") != 0) {
      out += written[i++];
      continue;
    }
    const std::size_t close = written.find('}', i + 2);
    if (close == std::string::npos) {
      Fail(mark, std::string(key) + ": unterminated ${ in " + Quote(written) +
                     "; write $${ for a literal ${");
      return std::nullopt;
    }
    const std::string name = written.substr(i + 2, close - i - 2);
    if (!IsVariableName(name)) {
      Fail(mark, std::string(key) + ": " + Quote("${" + name + "}") +
                     " is not a variable; names are letters, digits and _, not starting with a "
                     "digit");
      ok = false;
    } else if (std::optional<std::string> value = env_(name)) {
      out += *value;
      if (!IsOwnVariable(name)) {
        substituted->push_back(*value);
      }
    } else {
      Fail(mark, std::string(key) + ": environment variable " + name + " is not set");
      ok = false;
    }
    i = close + 1;
  }
  if (!ok) {
    return std::nullopt;
  }
  return out;
}

void Parser::AddSecret(const std::string& value) {
  if (!value.empty() && std::find(secrets_.begin(), secrets_.end(), value) == secrets_.end()) {
    secrets_.push_back(value);
  }
}

void Parser::OnStringRead(const std::vector<std::string>& substituted) {
  for (const std::string& value : substituted) {
    AddSecret(value);
  }
}

std::optional<std::string> Parser::HeaderName(const YamlField& f) {
  std::optional<std::string> name = String(f);
  if (!name) {
    return std::nullopt;
  }
  if (!name->empty() && !IsHeaderName(*name)) {
    Fail(f.Where(), f.name + ": " + Quote(f.value->text) + " is not a valid header name");
    return std::nullopt;
  }
  return name;
}

std::optional<std::string> Parser::Path(const YamlField& f, PathKind kind) {
  std::optional<YamlScalar> s = ReadScalar(f, "a path");
  if (!s) {
    return std::nullopt;
  }
  if (s->text.empty()) {
    Fail(s->mark, f.name + ": must not be empty");
    return std::nullopt;
  }
  const fs::path written(s->text);
  const fs::path resolved = written.is_absolute() ? written : (base_dir_ / written);
  const std::string shown = resolved.lexically_normal().string();
  // Say where a relative path was looked for, unless that would print an expanded ${VAR}.
  const std::string where =
      s->substituted.empty() && shown != s->text ? " (resolved to " + Quote(shown) + ")" : "";
  const std::string problem = PathProblem(resolved, kind);
  if (!problem.empty()) {
    Fail(s->mark, f.name + ": " + Quote(s->written) + problem + where);
    return std::nullopt;
  }
  for (const std::string& value : s->substituted) {
    AddSecret(value);
  }
  return shown;
}

// ---- sections ------------------------------------------------------------------------------

ConfigResult Parser::Run(const std::string& yaml) {
  ConfigResult result;
  const std::optional<YamlNode> root = ReadDocument(yaml, "config");
  if (!root) {
    // Not YAML, or more than one document: nothing more to read.
  } else if (root->IsNull()) {
    Fail(YamlMark{}, "the config is empty; it needs at least a targets: list");
  } else if (!root->IsMap()) {
    Fail(root->mark,
         "the top level must be a map (listen, window, targets, ...), got " + Describe(*root));
  } else {
    Config config;
    config.source = file();
    ReadTop(*root, &config);
    if (error_count() == 0) {
      for (std::size_t i = 0; i < config.targets.size(); ++i) {
        TargetConfig& target = config.targets[i];
        target.load = ShardPlan(target.load, config.shard, i);
        if (target.spend_limit_usd) {
          *target.spend_limit_usd /= config.shard.count;
        }
      }
      config.secrets = std::move(secrets_);
      result.config = std::move(config);
    }
  }
  result.errors = TakeErrors();
  result.secrets = result.config ? result.config->secrets : secrets_;
  return result;
}

void Parser::ReadTop(const YamlNode& root, Config* config) {
  const YamlFields top = Keys(root, root.mark, "the top level", kTopKeys);
  if (const YamlField* f = top.Find("listen")) {
    if (std::optional<std::string> listen = String(*f)) {
      if (std::string error = ListenAddressError(*listen); !error.empty()) {
        Fail(f->Where(), "listen: " + Quote(f->value->text) + " " + error);
      } else {
        config->listen = *listen;
      }
    }
  }
  if (const YamlField* f = top.Find("window")) {
    if (auto window = Duration(*f, kMinWindow, false, kMaxWindow)) {
      config->window = *window;
    }
  }
  if (const YamlField* f = top.Find("threads")) {
    if (auto threads = Integer(*f, 1, kMaxThreads)) {
      config->threads = static_cast<int>(*threads);
    }
  }
  if (const YamlField* f = top.Find("shard")) {
    ReadShard(*f, &config->shard);
  }
  if (const YamlField* f = top.Find("metrics")) {
    ReadMetrics(*f, &config->metrics);
  }
  if (const YamlField* f = top.Find("prices_file")) {
    if (auto path = Path(*f, PathKind::kFile)) {
      CatalogResult prices = LoadCatalogOverrides(*path);
      if (prices.catalog) {
        catalog_ = std::move(*prices.catalog);
        config->prices_file = *path;
      } else {
        Fail(f->Where(), "prices_file: " + prices.error);
      }
    }
  }
  if (const YamlField* f = top.Find("credentials")) {
    ReadCredentials(*f, &default_credentials_);
    config->credentials = default_credentials_;
  }
  const YamlField* targets = top.Find("targets");
  if (targets == nullptr) {
    Fail(YamlMark{}, "missing targets: give at least one target");
    return;
  }
  ReadTargets(*targets, config);
}

void Parser::ReadTargets(const YamlField& targets, Config* config) {
  if (!targets.value->IsSequence()) {
    Fail(targets.Where(), "targets: expected a list, got " + Describe(*targets.value));
    return;
  }
  if (targets.value->items.empty()) {
    Fail(targets.Where(), "targets: give at least one target");
    return;
  }
  struct Seen {
    std::string name;
    int line;
  };
  std::vector<Seen> seen;
  for (const YamlNode& node : targets.value->items) {
    std::string name;
    YamlMark name_mark = YamlMark{};
    std::optional<TargetConfig> target = ReadTarget(node, &name, &name_mark);
    if (!name.empty()) {
      auto first =
          std::find_if(seen.begin(), seen.end(), [&](const Seen& s) { return s.name == name; });
      if (first != seen.end()) {
        Fail(name_mark, "name: duplicate target name " + Quote(name) + " (first at line " +
                            std::to_string(first->line) + ")");
        continue;
      }
      seen.push_back(Seen{name, name_mark.line});
    }
    if (target) {
      config->targets.push_back(std::move(*target));
    }
  }
}

void Parser::ReadShard(const YamlField& f, Shard* shard) {
  std::optional<YamlFields> fields = Map(f, "shard", kShardKeys);
  if (!fields) {
    return;
  }
  std::optional<int64_t> count = 1;
  if (const YamlField* c = fields->Find("count")) {
    count = Integer(*c, 1, kMaxShards);
  }
  if (count) {
    shard->count = static_cast<int>(*count);
  }
  if (const YamlField* i = fields->Find("index")) {
    const int64_t max = count ? *count - 1 : kMaxShards - 1;
    const std::string note = count ? " (shard count " + std::to_string(*count) + ")" : "";
    if (auto index = Integer(*i, 0, max, note)) {
      shard->index = static_cast<int>(*index);
    }
  }
}

void Parser::ReadMetrics(const YamlField& f, MetricsConfig* metrics) {
  std::optional<YamlFields> fields = Map(f, "metrics", kMetricsKeys);
  if (!fields) {
    return;
  }
  if (const YamlField* b = fields->Find("latency_buckets")) {
    if (auto buckets = Enum(*b, kLatencyBucketSettings)) {
      metrics->latency_buckets = *buckets;
    }
  }
  if (const YamlField* q = fields->Find("quantiles")) {
    if (auto on = Choice(*q, kOnOff)) {
      metrics->quantiles = *on == 0;
    }
  }
}

}  // namespace infercost::config_internal
