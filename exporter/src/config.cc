// The YAML config: strict reading of DESIGN.md's "Config (YAML)" section with yaml-cpp, the one
// file that includes it for the config. Every problem becomes a ConfigError with the place it was
// found; reading goes on after an error so that a user sees all of them at once.
//
// Messages never print a value that came from ${VAR}: they quote the value as written in the
// file, where the variable appears by name only.
#include "exporter/config.h"

#include <unistd.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <limits>
#include <span>
#include <sstream>
#include <system_error>
#include <utility>

#include "exporter/duration.h"

namespace infercost {
namespace {

namespace fs = std::filesystem;
using std::chrono::nanoseconds;
using std::chrono::seconds;

// ---- words ---------------------------------------------------------------------------------

char Lower(char c) { return static_cast<char>(std::tolower(static_cast<unsigned char>(c))); }

std::size_t EditDistance(std::string_view a, std::string_view b) {
  // Levenshtein, case-insensitive, one row at a time.
  std::vector<std::size_t> row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diagonal = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t above = row[j];
      const std::size_t substitute = diagonal + (Lower(a[i - 1]) == Lower(b[j - 1]) ? 0 : 1);
      row[j] = std::min({above + 1, row[j - 1] + 1, substitute});
      diagonal = above;
    }
  }
  return row[b.size()];
}

bool StartsWithIgnoringCase(std::string_view text, std::string_view prefix) {
  if (prefix.size() > text.size()) return false;
  for (std::size_t i = 0; i < prefix.size(); ++i) {
    if (Lower(text[i]) != Lower(prefix[i])) return false;
  }
  return true;
}

// The candidate a typo most likely meant: within a few edits (scaled by length), or a candidate
// the word is a prefix of ("x86" for "x86_64").
std::optional<std::string_view> Closest(std::string_view word,
                                        std::span<const std::string_view> candidates) {
  const std::size_t max_edits = word.size() <= 3 ? 1 : word.size() <= 6 ? 2 : 3;
  std::optional<std::string_view> best;
  std::size_t best_edits = max_edits + 1;
  for (std::string_view candidate : candidates) {
    std::size_t edits = EditDistance(word, candidate);
    if (word.size() >= 3 && StartsWithIgnoringCase(candidate, word))
      edits = std::min(edits, max_edits);
    if (edits < best_edits) {
      best = candidate;
      best_edits = edits;
    }
  }
  return best;
}

std::string Join(std::span<const std::string_view> words, std::string_view separator = ", ") {
  std::string out;
  for (std::string_view w : words) {
    if (!out.empty()) out += separator;
    out += w;
  }
  return out;
}

std::string Quote(std::string_view text) { return "'" + std::string(text) + "'"; }

// A number as a user would write it: 5, 0.5, 1e+06.
std::string Number(double value) {
  std::ostringstream out;
  out << value;
  return out.str();
}

bool IsHeaderNameChar(char c) {
  // RFC 9110 token characters.
  return std::isalnum(static_cast<unsigned char>(c)) != 0 ||
         std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
}

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

// ---- URLs and addresses --------------------------------------------------------------------

// "" when `host` is a DNS name, an IPv4 address or a bracketed IPv6 address.
std::string HostError(std::string_view host) {
  if (host.empty()) return "has no host";
  if (host.front() == '[') {
    if (host.size() < 3 || host.back() != ']') return "has a bad IPv6 host " + Quote(host);
    for (char c : host.substr(1, host.size() - 2)) {
      if (std::isxdigit(static_cast<unsigned char>(c)) == 0 && c != ':' && c != '.') {
        return "has a bad IPv6 host " + Quote(host);
      }
    }
    return "";
  }
  std::string_view rest = host;
  if (rest.back() == '.') rest.remove_suffix(1);  // a fully qualified name
  while (true) {
    const std::size_t dot = rest.find('.');
    const std::string_view label = rest.substr(0, dot);
    const bool ok =
        !label.empty() && label.size() <= 63 && label.front() != '-' &&
        std::all_of(label.begin(), label.end(), [](char c) {
          return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '-' || c == '_';
        });
    if (!ok) return "has a bad host " + Quote(host);
    if (dot == std::string_view::npos) break;
    rest.remove_prefix(dot + 1);
  }
  return "";
}

// Parses "digits" into a port within [min, 65535].
std::optional<int> Port(std::string_view text, int min) {
  int port = 0;
  if (text.empty() || text.size() > 5) return std::nullopt;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), port);
  if (ec != std::errc() || end != text.data() + text.size() || port < min || port > 65535) {
    return std::nullopt;
  }
  return port;
}

// Splits "host:port" where host may be "[v6]". False when there is no port part.
bool SplitHostPort(std::string_view authority, std::string_view* host, std::string_view* port,
                   bool* has_port) {
  if (!authority.empty() && authority.front() == '[') {
    const std::size_t close = authority.find(']');
    if (close == std::string_view::npos) return false;
    *host = authority.substr(0, close + 1);
    const std::string_view after = authority.substr(close + 1);
    *has_port = !after.empty();
    if (*has_port && after.front() != ':') return false;
    *port = *has_port ? after.substr(1) : std::string_view();
    return true;
  }
  const std::size_t colon = authority.find(':');
  *has_port = colon != std::string_view::npos;
  *host = authority.substr(0, colon);
  *port = *has_port ? authority.substr(colon + 1) : std::string_view();
  return true;
}

// ---- ${VAR} --------------------------------------------------------------------------------

bool IsVariableName(std::string_view name) {
  if (name.empty() || std::isdigit(static_cast<unsigned char>(name.front())) != 0) return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '_';
  });
}

bool IsOwnVariable(std::string_view name) { return name.starts_with("INFERCOST_"); }

// ---- the config's shape --------------------------------------------------------------------

struct Section {
  std::string_view name;  // as messages call it
  std::span<const std::string_view> keys;
};

constexpr std::string_view kTopKeys[] = {"listen", "window",      "threads",
                                         "shard",  "prices_file", "targets"};
constexpr std::string_view kShardKeys[] = {"index", "count"};
constexpr std::string_view kTargetKeys[] = {"name",
                                            "url",
                                            "method",
                                            "headers",
                                            "body",
                                            "expect",
                                            "timeout",
                                            "cold_start",
                                            "billed_duration_header",
                                            "load",
                                            "pricing",
                                            "budget_usd_per_million",
                                            "spend_limit_usd",
                                            "slo_p95",
                                            "csv",
                                            "auth",
                                            "tls"};
constexpr std::string_view kBodyKeys[] = {"file",     "image_dir", "inline",
                                          "encoding", "field",     "content_type"};
constexpr std::string_view kExpectKeys[] = {"status", "body_contains", "max_body_bytes"};
constexpr std::string_view kColdStartKeys[] = {"header", "latency_above"};
constexpr std::string_view kLoadKeys[] = {"stages", "seed", "max_in_flight"};
constexpr std::string_view kStageKeys[] = {"duration", "concurrency", "rate", "arrival", "idle"};
constexpr std::string_view kPricingKeys[] = {
    "model",          "region",       "price_basis",  "fixed_usd_per_hour",
    "instance_type",  "count",        "usd_per_hour", "cpu_credits",
    "memory_mb",      "architecture", "api_gateway",  "provisioned_concurrency",
    "usd_per_request"};
constexpr std::string_view kAuthKeys[] = {"aws_sigv4"};
constexpr std::string_view kSigV4Keys[] = {"provider", "access_key", "secret_key", "session_token"};
constexpr std::string_view kTlsKeys[] = {"insecure_skip_verify"};

constexpr Section kSections[] = {
    {"the top level", kTopKeys}, {"shard", kShardKeys},     {"target", kTargetKeys},
    {"body", kBodyKeys},         {"expect", kExpectKeys},   {"cold_start", kColdStartKeys},
    {"load", kLoadKeys},         {"stage", kStageKeys},     {"pricing", kPricingKeys},
    {"auth", kAuthKeys},         {"aws_sigv4", kSigV4Keys}, {"tls", kTlsKeys},
};

constexpr std::string_view kMethods[] = {"GET",    "POST", "PUT",    "PATCH",
                                         "DELETE", "HEAD", "OPTIONS"};

template <typename E>
struct EnumName {
  std::string_view name;
  E value;
};

constexpr EnumName<PricingModel> kModels[] = {{"instance", PricingModel::kInstance},
                                              {"hourly", PricingModel::kHourly},
                                              {"lambda", PricingModel::kLambda},
                                              {"per_request", PricingModel::kPerRequest}};
constexpr EnumName<PriceBasis> kBases[] = {{"on_demand", PriceBasis::kOnDemand},
                                           {"reserved", PriceBasis::kReserved},
                                           {"spot", PriceBasis::kSpot},
                                           {"savings_plan", PriceBasis::kSavingsPlan}};
constexpr EnumName<CpuCredits> kCredits[] = {{"unlimited", CpuCredits::kUnlimited},
                                             {"standard", CpuCredits::kStandard}};
constexpr EnumName<ApiGateway> kGateways[] = {
    {"rest", ApiGateway::kRest}, {"http", ApiGateway::kHttp}, {"none", ApiGateway::kNone}};
constexpr EnumName<Architecture> kArchitectures[] = {{"x86_64", Architecture::kX86_64},
                                                     {"arm64", Architecture::kArm64}};
constexpr EnumName<loadgen::BodyEncoding> kEncodings[] = {
    {"raw", loadgen::BodyEncoding::kRaw},
    {"base64_json", loadgen::BodyEncoding::kBase64Json},
    {"multipart", loadgen::BodyEncoding::kMultipart}};
constexpr EnumName<loadgen::Arrival> kArrivals[] = {{"constant", loadgen::Arrival::kConstant},
                                                    {"poisson", loadgen::Arrival::kPoisson}};

template <typename E, std::size_t N>
std::string_view NameOf(const EnumName<E> (&names)[N], E value) {
  for (const EnumName<E>& n : names) {
    if (n.value == value) return n.name;
  }
  return "?";
}

// Which pricing keys each model takes, beyond model, region, price_basis and fixed_usd_per_hour.
struct PricingKeyUse {
  std::string_view key;
  PricingModel models[2];
  int model_count;
};
constexpr PricingKeyUse kPricingKeyUses[] = {
    {"instance_type", {PricingModel::kInstance, PricingModel::kHourly}, 2},
    {"count", {PricingModel::kInstance, PricingModel::kHourly}, 2},
    {"usd_per_hour", {PricingModel::kInstance, PricingModel::kHourly}, 2},
    {"cpu_credits", {PricingModel::kInstance}, 1},
    {"memory_mb", {PricingModel::kLambda}, 1},
    {"architecture", {PricingModel::kLambda}, 1},
    {"api_gateway", {PricingModel::kLambda}, 1},
    {"provisioned_concurrency", {PricingModel::kLambda}, 1},
    {"usd_per_request", {PricingModel::kLambda, PricingModel::kPerRequest}, 2},
};

// Limits. Upper bounds catch typos (an extra zero) rather than encode policy.
constexpr nanoseconds kMinWindow = seconds(5);
constexpr nanoseconds kMaxWindow = std::chrono::hours(1);
constexpr nanoseconds kMaxTimeout = std::chrono::hours(1);
constexpr int kMaxThreads = 64;
constexpr int kMaxShards = 1024;
constexpr int kMaxConcurrency = 10'000;
constexpr double kMaxRate = 1e6;  // requests per second
constexpr int kMaxInFlight = 1'000'000;
constexpr int kMinLambdaMemoryMb = 128;  // AWS Lambda's documented memory range
constexpr int kMaxLambdaMemoryMb = 10'240;
constexpr int kMaxInstances = 10'000;
constexpr int kMaxProvisionedConcurrency = 100'000;
constexpr int64_t kMaxBodyBytes = int64_t{1} << 30;
constexpr std::size_t kMaxNameLength = 64;

// ---- the reader ----------------------------------------------------------------------------

// One key of a YAML map with its value.
struct Field {
  std::string name;
  YAML::Node key;
  YAML::Node value;
};

// The entries of a map whose keys have been checked.
struct Fields {
  YAML::Mark anchor;  // where "missing key" errors point: the key that introduced the map
  std::vector<Field> entries;
  // Keys suggested for misspelt ones: their absence has been reported already.
  std::vector<std::string_view> suggested;

  const Field* Find(std::string_view name) const {
    for (const Field& f : entries) {
      if (f.name == name) return &f;
    }
    return nullptr;
  }
};

// A scalar after ${VAR} expansion.
struct Scalar {
  std::string text;                      // expanded
  std::string written;                   // as in the file: what messages quote
  std::vector<std::string> substituted;  // the values of the variables that went in
  YAML::Mark mark;
};

struct NumberRange {
  double min = 0;
  bool min_exclusive = false;
  double max = std::numeric_limits<double>::infinity();
};

// Reads one config. Not thread-safe; one per parse.
class Parser {
 public:
  Parser(std::string file, fs::path base_dir, const EnvLookup& env)
      : file_(std::move(file)), base_dir_(std::move(base_dir)), env_(env) {}

  ConfigResult Run(const std::string& yaml);

 private:
  void Fail(const YAML::Mark& mark, std::string message);
  static YAML::Mark Where(const Field& f);

  // Structure.
  std::optional<Fields> Map(const Field& f, std::string_view what,
                            std::span<const std::string_view> allowed);
  Fields Keys(const YAML::Node& map, const YAML::Mark& anchor, std::string_view what,
              std::span<const std::string_view> allowed);
  std::string UnknownKey(std::string_view key, std::string_view what,
                         std::span<const std::string_view> allowed) const;
  const Field* Require(const Fields& fields, std::string_view key, std::string_view message);

  // Values.
  std::optional<Scalar> ReadScalar(const Field& f, std::string_view expected);
  std::optional<std::string> Expand(const std::string& written, const YAML::Mark& mark,
                                    std::string_view key, std::vector<std::string>* substituted);
  std::optional<std::string> String(const Field& f);
  std::optional<std::string> HeaderName(const Field& f);
  std::optional<int64_t> Integer(const Field& f, int64_t min, int64_t max,
                                 std::string_view note = "");
  std::optional<uint64_t> Unsigned(const Field& f);
  std::optional<double> Real(const Field& f, NumberRange range, std::string_view unit = "");
  std::optional<bool> Bool(const Field& f);
  std::optional<nanoseconds> Duration(const Field& f, nanoseconds min, bool min_exclusive,
                                      nanoseconds max);
  template <typename E, std::size_t N>
  std::optional<E> Enum(const Field& f, const EnumName<E> (&names)[N]);
  enum class PathKind { kFile, kDirectory, kOutputFile };
  std::optional<std::string> Path(const Field& f, PathKind kind);

  // Sections.
  void ReadTop(const YAML::Node& root, Config* config);
  void ReadShard(const Field& f, Shard* shard);
  // Sets `name` and `name_mark` when the target has a valid name, even if other keys are wrong.
  std::optional<TargetConfig> ReadTarget(const YAML::Node& node, std::string* name,
                                         YAML::Mark* name_mark);
  void ReadHeaders(const Field& f, std::vector<std::string>* headers);
  void ReadBody(const Field& f, loadgen::PayloadSpec* body);
  void ReadExpect(const Field& f, loadgen::Expect* expect);
  void ReadColdStart(const Field& f, loadgen::ColdStartDetection* cold_start);
  void ReadLoad(const Field& f, loadgen::LoadPlan* plan, bool* seeded);
  std::optional<loadgen::Stage> ReadStage(const YAML::Node& node);
  void ReadPricing(const Field& f, PricingSpec* pricing);
  void ReadAuth(const Field& f, std::optional<loadgen::SigV4>* sigv4);
  void ReadTls(const Field& f, bool* verify_tls);
  void CheckPricesAgainstCatalog(const Config& config);

  std::string file_;
  fs::path base_dir_;
  const EnvLookup& env_;
  std::vector<ConfigError> errors_;
  std::vector<std::string> secrets_;
  // Where each target's pricing.instance_type was written, by target position, for catalog
  // errors that come after the whole file is read.
  std::vector<std::optional<YAML::Mark>> instance_type_marks_;
  std::optional<YAML::Mark> prices_file_mark_;
};

void Parser::Fail(const YAML::Mark& mark, std::string message) {
  ConfigError error;
  error.file = file_;
  if (mark.line >= 0) {
    error.line = mark.line + 1;
    error.column = mark.column + 1;
  }
  error.message = std::move(message);
  errors_.push_back(std::move(error));
}

// A null value (`key:` with nothing after it) carries the mark of the next token; point at the
// key instead.
YAML::Mark Parser::Where(const Field& f) {
  return f.value.IsNull() ? f.key.Mark() : f.value.Mark();
}

std::string Describe(const YAML::Node& node) {
  switch (node.Type()) {
    case YAML::NodeType::Map:
      return "a map";
    case YAML::NodeType::Sequence:
      return "a list";
    case YAML::NodeType::Scalar:
      return Quote(node.Scalar());
    default:
      return "nothing";
  }
}

std::string Parser::UnknownKey(std::string_view key, std::string_view what,
                               std::span<const std::string_view> allowed) const {
  const std::string head = "unknown key " + Quote(key) + " in " + std::string(what);
  if (key == "<<") return head + "; YAML merge keys are not supported, write the keys out";
  if (std::optional<std::string_view> close = Closest(key, allowed)) {
    return head + "; did you mean " + Quote(*close) + "?";
  }
  std::vector<std::string_view> elsewhere;
  for (const Section& section : kSections) {
    if (section.name == what) continue;
    if (std::find(section.keys.begin(), section.keys.end(), key) != section.keys.end()) {
      elsewhere.push_back(section.name);
    }
  }
  if (!elsewhere.empty()) return head + "; it belongs in " + Join(elsewhere, " or ");
  return head + " (allowed: " + Join(allowed) + ")";
}

Fields Parser::Keys(const YAML::Node& map, const YAML::Mark& anchor, std::string_view what,
                    std::span<const std::string_view> allowed) {
  Fields fields;
  fields.anchor = anchor;
  for (auto it = map.begin(); it != map.end(); ++it) {
    const YAML::Node key = it->first;
    if (!key.IsScalar()) {
      Fail(key.Mark(), "keys in " + std::string(what) + " must be names, got " + Describe(key));
      continue;
    }
    const std::string& name = key.Scalar();
    if (std::find(allowed.begin(), allowed.end(), name) == allowed.end()) {
      Fail(key.Mark(), UnknownKey(name, what, allowed));
      if (auto close = Closest(name, allowed)) fields.suggested.push_back(*close);
      continue;
    }
    if (const Field* first = fields.Find(name)) {
      Fail(key.Mark(), "duplicate key " + Quote(name) + " (first at line " +
                           std::to_string(first->key.Mark().line + 1) + ")");
      continue;
    }
    fields.entries.push_back(Field{name, key, it->second});
  }
  return fields;
}

std::optional<Fields> Parser::Map(const Field& f, std::string_view what,
                                  std::span<const std::string_view> allowed) {
  if (!f.value.IsMap()) {
    Fail(Where(f), f.name + ": expected a map, got " + Describe(f.value));
    return std::nullopt;
  }
  return Keys(f.value, f.key.Mark(), what, allowed);
}

const Field* Parser::Require(const Fields& fields, std::string_view key, std::string_view message) {
  const Field* f = fields.Find(key);
  const bool misspelt =
      std::find(fields.suggested.begin(), fields.suggested.end(), key) != fields.suggested.end();
  if (f == nullptr && !misspelt) Fail(fields.anchor, std::string(message));
  return f;
}

std::optional<std::string> Parser::Expand(const std::string& written, const YAML::Mark& mark,
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
      if (!IsOwnVariable(name)) substituted->push_back(*value);
    } else {
      Fail(mark, std::string(key) + ": environment variable " + name + " is not set");
      ok = false;
    }
    i = close + 1;
  }
  if (!ok) return std::nullopt;
  return out;
}

std::optional<Scalar> Parser::ReadScalar(const Field& f, std::string_view expected) {
  if (!f.value.IsScalar()) {
    Fail(Where(f), f.name + ": expected " + std::string(expected) + ", got " + Describe(f.value));
    return std::nullopt;
  }
  Scalar s;
  s.written = f.value.Scalar();
  s.mark = f.value.Mark();
  std::optional<std::string> text = Expand(s.written, s.mark, f.name, &s.substituted);
  if (!text) return std::nullopt;
  s.text = std::move(*text);
  return s;
}

std::optional<std::string> Parser::String(const Field& f) {
  std::optional<Scalar> s = ReadScalar(f, "a string");
  if (!s) return std::nullopt;
  // Numbers, durations and switches are not secret (they end up in metrics anyway), so only
  // string values feed the redaction list.
  for (std::string& value : s->substituted) {
    if (!value.empty() && std::find(secrets_.begin(), secrets_.end(), value) == secrets_.end()) {
      secrets_.push_back(std::move(value));
    }
  }
  return std::move(s->text);
}

std::optional<std::string> Parser::HeaderName(const Field& f) {
  std::optional<std::string> name = String(f);
  if (!name) return std::nullopt;
  if (!name->empty() && !IsHeaderName(*name)) {
    Fail(Where(f), f.name + ": " + Quote(f.value.Scalar()) + " is not a valid header name");
    return std::nullopt;
  }
  return name;
}

std::optional<int64_t> Parser::Integer(const Field& f, int64_t min, int64_t max,
                                       std::string_view note) {
  std::optional<Scalar> s = ReadScalar(f, "an integer");
  if (!s) return std::nullopt;
  std::string_view text = s->text;
  if (!text.empty() && text.front() == '+') text.remove_prefix(1);
  int64_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || end != text.data() + text.size() ||
      (ec != std::errc() && ec != std::errc::result_out_of_range)) {
    Fail(s->mark, f.name + ": expected an integer, got " + Quote(s->written));
    return std::nullopt;
  }
  if (ec == std::errc::result_out_of_range || value < min || value > max) {
    std::string range = "must be from " + std::to_string(min) + " to " + std::to_string(max);
    if (max == std::numeric_limits<int64_t>::max())
      range = "must be at least " + std::to_string(min);
    Fail(s->mark, f.name + ": " + range + std::string(note) + ", got " + s->written);
    return std::nullopt;
  }
  return value;
}

std::optional<uint64_t> Parser::Unsigned(const Field& f) {
  std::optional<Scalar> s = ReadScalar(f, "an integer");
  if (!s) return std::nullopt;
  uint64_t value = 0;
  const std::string& text = s->text;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size()) {
    Fail(s->mark,
         f.name + ": expected an integer from 0 to 18446744073709551615, got " + Quote(s->written));
    return std::nullopt;
  }
  return value;
}

std::optional<double> Parser::Real(const Field& f, NumberRange range, std::string_view unit) {
  std::optional<Scalar> s = ReadScalar(f, "a number");
  if (!s) return std::nullopt;
  std::string_view text = s->text;
  if (!text.empty() && text.front() == '+') text.remove_prefix(1);
  double value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size() ||
      !std::isfinite(value)) {
    Fail(s->mark, f.name + ": expected a number, got " + Quote(s->written));
    return std::nullopt;
  }
  const bool too_low = range.min_exclusive ? value <= range.min : value < range.min;
  if (too_low) {
    const std::string bound = range.min_exclusive ? "greater than " : "at least ";
    Fail(s->mark, f.name + ": must be " + bound + Number(range.min) + ", got " + s->written);
    return std::nullopt;
  }
  if (value > range.max) {
    Fail(s->mark, f.name + ": must be at most " + Number(range.max) + std::string(unit) + ", got " +
                      s->written);
    return std::nullopt;
  }
  return value;
}

std::optional<bool> Parser::Bool(const Field& f) {
  std::optional<Scalar> s = ReadScalar(f, "true or false");
  if (!s) return std::nullopt;
  std::string lower;
  for (char c : s->text) lower += Lower(c);
  if (lower == "true") return true;
  if (lower == "false") return false;
  Fail(s->mark, f.name + ": expected true or false, got " + Quote(s->written));
  return std::nullopt;
}

std::optional<nanoseconds> Parser::Duration(const Field& f, nanoseconds min, bool min_exclusive,
                                            nanoseconds max) {
  std::optional<Scalar> s = ReadScalar(f, "a duration");
  if (!s) return std::nullopt;
  std::optional<nanoseconds> d = ParseDuration(s->text);
  if (!d) {
    Fail(s->mark, f.name + ": " + Quote(s->written) +
                      " is not a duration; write e.g. 500ms, 30s, 5m, 1h or 1m30s");
    return std::nullopt;
  }
  if (min_exclusive ? *d <= min : *d < min) {
    const std::string bound =
        min_exclusive ? "greater than " + FormatDuration(min) : "at least " + FormatDuration(min);
    Fail(s->mark,
         f.name + ": must be " +
             (min == nanoseconds(0) && min_exclusive ? std::string("greater than 0") : bound) +
             ", got " + s->written);
    return std::nullopt;
  }
  if (*d > max) {
    Fail(s->mark, f.name + ": must be at most " + FormatDuration(max) + ", got " + s->written);
    return std::nullopt;
  }
  return d;
}

template <typename E, std::size_t N>
std::optional<E> Parser::Enum(const Field& f, const EnumName<E> (&names)[N]) {
  std::optional<Scalar> s = ReadScalar(f, "a string");
  if (!s) return std::nullopt;
  std::vector<std::string_view> allowed;
  for (const EnumName<E>& n : names) {
    if (n.name == s->text) return n.value;
    allowed.push_back(n.name);
  }
  std::string message = f.name + ": " + Quote(s->written) + " is not one of " + Join(allowed);
  if (std::optional<std::string_view> close = Closest(s->text, allowed)) {
    message += "; did you mean " + Quote(*close) + "?";
  }
  Fail(s->mark, message);
  return std::nullopt;
}

std::optional<std::string> Parser::Path(const Field& f, PathKind kind) {
  std::optional<Scalar> s = ReadScalar(f, "a path");
  if (!s) return std::nullopt;
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
  const std::string head = f.name + ": " + Quote(s->written);
  std::error_code ec;
  if (kind == PathKind::kOutputFile) {
    const fs::path dir = resolved.parent_path().empty() ? fs::path(".") : resolved.parent_path();
    if (!fs::is_directory(dir, ec)) {
      Fail(s->mark, head + ": its directory does not exist" + where);
      return std::nullopt;
    }
    if (::access(dir.c_str(), W_OK) != 0) {
      Fail(s->mark, head + ": its directory is not writable" + where);
      return std::nullopt;
    }
    return shown;
  }
  const fs::file_status status = fs::status(resolved, ec);
  if (!fs::exists(status)) {
    Fail(s->mark, head + " does not exist" + where);
    return std::nullopt;
  }
  if (kind == PathKind::kFile) {
    if (!fs::is_regular_file(status)) {
      Fail(s->mark, head + " is not a regular file" + where);
      return std::nullopt;
    }
    if (::access(resolved.c_str(), R_OK) != 0) {
      Fail(s->mark, head + " is not readable" + where);
      return std::nullopt;
    }
    return shown;
  }
  if (!fs::is_directory(status)) {
    Fail(s->mark, head + " is not a directory" + where);
    return std::nullopt;
  }
  fs::directory_iterator it(resolved, ec);
  if (ec || ::access(resolved.c_str(), R_OK | X_OK) != 0) {
    Fail(s->mark, head + " is not readable" + where);
    return std::nullopt;
  }
  for (; it != fs::directory_iterator(); it.increment(ec)) {
    if (it->is_regular_file(ec)) return shown;
  }
  Fail(s->mark, head + " has no regular files" + where);
  return std::nullopt;
}

// ---- sections ------------------------------------------------------------------------------

ConfigResult Parser::Run(const std::string& yaml) {
  ConfigResult result;
  std::vector<YAML::Node> documents;
  try {
    documents = YAML::LoadAll(yaml);
  } catch (const YAML::Exception& e) {
    Fail(e.mark, "invalid YAML: " + e.msg);
    result.errors = std::move(errors_);
    return result;
  }
  if (documents.empty() || documents.front().IsNull()) {
    Fail(YAML::Mark::null_mark(), "the config is empty; it needs at least a targets: list");
  } else if (documents.size() > 1) {
    Fail(documents[1].Mark(), "a config is one YAML document; remove everything from this one on");
  } else if (!documents.front().IsMap()) {
    Fail(documents.front().Mark(),
         "the top level must be a map (listen, window, targets, ...), got " +
             Describe(documents.front()));
  } else {
    Config config;
    config.source = file_;
    ReadTop(documents.front(), &config);
    if (errors_.empty()) CheckPricesAgainstCatalog(config);
    if (errors_.empty()) {
      for (std::size_t i = 0; i < config.targets.size(); ++i) {
        TargetConfig& target = config.targets[i];
        target.load = ShardPlan(target.load, config.shard, i);
        if (target.spend_limit_usd) *target.spend_limit_usd /= config.shard.count;
      }
      config.secrets = std::move(secrets_);
      result.config = std::move(config);
    }
  }
  // File order; errors tied to no place go last.
  std::stable_sort(errors_.begin(), errors_.end(), [](const ConfigError& a, const ConfigError& b) {
    auto key = [](const ConfigError& e) {
      return std::pair(e.line == 0 ? std::numeric_limits<int>::max() : e.line, e.column);
    };
    return key(a) < key(b);
  });
  result.errors = std::move(errors_);
  return result;
}

void Parser::ReadTop(const YAML::Node& root, Config* config) {
  const Fields top = Keys(root, root.Mark(), "the top level", kTopKeys);
  if (const Field* f = top.Find("listen")) {
    if (std::optional<std::string> listen = String(*f)) {
      if (std::string error = ListenAddressError(*listen); !error.empty()) {
        Fail(Where(*f), "listen: " + Quote(f->value.Scalar()) + " " + error);
      } else {
        config->listen = *listen;
      }
    }
  }
  if (const Field* f = top.Find("window")) {
    if (auto window = Duration(*f, kMinWindow, false, kMaxWindow)) config->window = *window;
  }
  if (const Field* f = top.Find("threads")) {
    if (auto threads = Integer(*f, 1, kMaxThreads)) config->threads = static_cast<int>(*threads);
  }
  if (const Field* f = top.Find("shard")) ReadShard(*f, &config->shard);
  if (const Field* f = top.Find("prices_file")) {
    prices_file_mark_ = Where(*f);
    if (auto path = Path(*f, PathKind::kFile)) config->prices_file = *path;
  }
  const Field* targets = top.Find("targets");
  if (targets == nullptr) {
    Fail(YAML::Mark::null_mark(), "missing targets: give at least one target");
    return;
  }
  if (!targets->value.IsSequence()) {
    Fail(Where(*targets), "targets: expected a list, got " + Describe(targets->value));
    return;
  }
  if (targets->value.size() == 0) {
    Fail(Where(*targets), "targets: give at least one target");
    return;
  }
  struct Seen {
    std::string name;
    int line;
  };
  std::vector<Seen> seen;
  for (const YAML::Node& node : targets->value) {
    instance_type_marks_.emplace_back();
    std::string name;
    YAML::Mark name_mark = YAML::Mark::null_mark();
    std::optional<TargetConfig> target = ReadTarget(node, &name, &name_mark);
    if (!name.empty()) {
      auto first =
          std::find_if(seen.begin(), seen.end(), [&](const Seen& s) { return s.name == name; });
      if (first != seen.end()) {
        Fail(name_mark, "name: duplicate target name " + Quote(name) + " (first at line " +
                            std::to_string(first->line) + ")");
        continue;
      }
      seen.push_back(Seen{name, name_mark.line + 1});
    }
    if (target) config->targets.push_back(std::move(*target));
  }
}

void Parser::ReadShard(const Field& f, Shard* shard) {
  std::optional<Fields> fields = Map(f, "shard", kShardKeys);
  if (!fields) return;
  std::optional<int64_t> count = 1;
  if (const Field* c = fields->Find("count")) count = Integer(*c, 1, kMaxShards);
  if (count) shard->count = static_cast<int>(*count);
  if (const Field* i = fields->Find("index")) {
    const int64_t max = count ? *count - 1 : kMaxShards - 1;
    const std::string note = count ? " (shard count " + std::to_string(*count) + ")" : "";
    if (auto index = Integer(*i, 0, max, note)) shard->index = static_cast<int>(*index);
  }
}

std::optional<TargetConfig> Parser::ReadTarget(const YAML::Node& node, std::string* name_out,
                                               YAML::Mark* name_mark) {
  if (!node.IsMap()) {
    Fail(node.Mark(),
         "targets: each target must be a map with name, url and pricing, got " + Describe(node));
    return std::nullopt;
  }
  const std::size_t errors_before = errors_.size();
  const Fields fields = Keys(node, node.Mark(), "target", kTargetKeys);
  TargetConfig target;
  bool named = false;
  if (const Field* f = Require(fields, "name", "target: missing name")) {
    *name_mark = Where(*f);
    if (std::optional<std::string> name = String(*f)) {
      const bool valid =
          !name->empty() && name->size() <= kMaxNameLength &&
          std::all_of(name->begin(), name->end(), [](char c) {
            return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
          });
      if (valid) {
        target.name = std::move(*name);
        *name_out = target.name;
        named = true;
      } else {
        Fail(Where(*f), "name: " + Quote(f->value.Scalar()) +
                            " may hold only a-z, 0-9, '_' and '-', 1 to 64 of them (it becomes "
                            "the target label)");
      }
    }
  }
  loadgen::RequestSpec& request = target.request;
  if (const Field* f = Require(fields, "url", "target: missing url")) {
    if (std::optional<std::string> url = String(*f)) {
      if (std::string error = UrlError(*url); !error.empty()) {
        Fail(Where(*f), "url: " + Quote(f->value.Scalar()) + " " + error);
      } else {
        request.url = std::move(*url);
      }
    }
  }
  if (const Field* f = fields.Find("method")) {
    if (std::optional<Scalar> s = ReadScalar(*f, "an HTTP method")) {
      if (std::find(std::begin(kMethods), std::end(kMethods), s->text) != std::end(kMethods)) {
        request.method = s->text;
      } else {
        std::string message = "method: " + Quote(s->written) + " is not one of " + Join(kMethods);
        if (auto close = Closest(s->text, kMethods))
          message += "; did you mean " + Quote(*close) + "?";
        Fail(s->mark, message);
      }
    }
  }
  if (const Field* f = fields.Find("headers")) ReadHeaders(*f, &request.headers);
  if (const Field* f = fields.Find("body")) ReadBody(*f, &target.body);
  if (const Field* f = fields.Find("expect")) ReadExpect(*f, &request.expect);
  if (const Field* f = fields.Find("timeout")) {
    if (auto timeout = Duration(*f, nanoseconds(0), true, kMaxTimeout)) request.timeout = *timeout;
  }
  if (const Field* f = fields.Find("cold_start")) ReadColdStart(*f, &request.cold_start);
  if (const Field* f = fields.Find("billed_duration_header")) {
    if (auto header = HeaderName(*f)) request.billed_duration_header = *header;
  }
  bool seeded = false;
  if (const Field* f = fields.Find("load")) {
    ReadLoad(*f, &target.load, &seeded);
  } else {
    // No load: one request at a time for as long as the service runs.
    loadgen::Stage stage;
    stage.kind = loadgen::Stage::Kind::kClosed;
    stage.concurrency = 1;
    target.load.stages = {stage};
    target.load.repeat = false;
  }
  if (!seeded) target.load.seed = NameSeed(target.name);
  if (const Field* f = Require(fields, "pricing",
                               "target: missing pricing (model instance, hourly, lambda or "
                               "per_request)")) {
    ReadPricing(*f, &target.pricing);
  }
  if (const Field* f = fields.Find("budget_usd_per_million")) {
    target.budget_usd_per_million = Real(*f, {0, true});
  }
  if (const Field* f = fields.Find("spend_limit_usd")) {
    target.spend_limit_usd = Real(*f, {0, true});
  }
  if (const Field* f = fields.Find("slo_p95")) {
    target.slo_p95 = Duration(*f, nanoseconds(0), true, kMaxTimeout);
  }
  if (const Field* f = fields.Find("csv")) {
    if (auto path = Path(*f, PathKind::kOutputFile)) target.csv = *path;
  }
  if (const Field* f = fields.Find("auth")) ReadAuth(*f, &request.sigv4);
  if (const Field* f = fields.Find("tls")) ReadTls(*f, &request.verify_tls);
  if (!named || errors_.size() != errors_before) return std::nullopt;
  return target;
}

void Parser::ReadHeaders(const Field& f, std::vector<std::string>* headers) {
  if (!f.value.IsMap()) {
    Fail(Where(f), "headers: expected a map of Name: value, got " + Describe(f.value));
    return;
  }
  std::vector<std::string> names;
  for (auto it = f.value.begin(); it != f.value.end(); ++it) {
    const YAML::Node key = it->first;
    if (!key.IsScalar() || !IsHeaderName(key.Scalar())) {
      Fail(key.Mark(), "headers: " + Describe(key) + " is not a valid header name");
      continue;
    }
    std::string lower;
    for (char c : key.Scalar()) lower += Lower(c);
    if (std::find(names.begin(), names.end(), lower) != names.end()) {
      Fail(key.Mark(), "headers: duplicate header " + Quote(key.Scalar()));
      continue;
    }
    names.push_back(lower);
    const Field header{key.Scalar(), key, it->second};
    std::optional<std::string> value = String(header);
    if (!value) continue;
    if (HasLineBreak(*value)) {
      Fail(Where(header), header.name + ": a header value must not contain a line break");
      continue;
    }
    headers->push_back(key.Scalar() + ": " + *value);
  }
}

void Parser::ReadBody(const Field& f, loadgen::PayloadSpec* body) {
  std::optional<Fields> fields = Map(f, "body", kBodyKeys);
  if (!fields) return;
  std::vector<const Field*> sources;
  for (std::string_view key : {"file", "image_dir", "inline"}) {
    if (const Field* s = fields->Find(key)) sources.push_back(s);
  }
  if (sources.empty()) {
    Fail(fields->anchor, "body: give one of file, image_dir or inline");
  } else if (sources.size() > 1) {
    Fail(sources[1]->key.Mark(), "body: give only one of file, image_dir or inline, not both " +
                                     sources[0]->name + " and " + sources[1]->name);
  }
  if (const Field* s = fields->Find("file")) {
    if (auto path = Path(*s, PathKind::kFile)) body->file = *path;
  }
  if (const Field* s = fields->Find("image_dir")) {
    if (auto path = Path(*s, PathKind::kDirectory)) body->image_dir = *path;
  }
  if (const Field* s = fields->Find("inline")) {
    if (auto text = String(*s)) body->inline_body = *text;
  }
  const Field* encoding = fields->Find("encoding");
  if (encoding != nullptr) {
    if (auto e = Enum(*encoding, kEncodings)) body->encoding = *e;
  }
  const bool is_inline = fields->Find("inline") != nullptr;
  if (encoding != nullptr && is_inline && body->encoding != loadgen::BodyEncoding::kRaw) {
    Fail(Where(*encoding),
         "encoding: applies to file and image_dir bodies; an inline body is sent as written");
  }
  if (const Field* s = fields->Find("field")) {
    if (auto field = String(*s)) {
      if (body->encoding == loadgen::BodyEncoding::kRaw) {
        Fail(Where(*s), "field: applies to encoding base64_json or multipart only");
      } else if (field->empty() || HasLineBreak(*field) ||
                 field->find_first_of("\"\\") != std::string::npos) {
        Fail(Where(*s), "field: " + Quote(s->value.Scalar()) +
                            " must be a non-empty name without quotes, backslashes or line breaks");
      } else {
        body->field = *field;
      }
    }
  }
  if (const Field* s = fields->Find("content_type")) {
    if (auto type = String(*s)) {
      const std::size_t slash = type->find('/');
      if (slash == std::string::npos || slash == 0 || slash + 1 == type->size() ||
          HasLineBreak(*type)) {
        Fail(Where(*s), "content_type: " + Quote(s->value.Scalar()) +
                            " is not a media type (e.g. image/jpeg)");
      } else {
        body->content_type = *type;
      }
    }
  }
}

void Parser::ReadExpect(const Field& f, loadgen::Expect* expect) {
  std::optional<Fields> fields = Map(f, "expect", kExpectKeys);
  if (!fields) return;
  if (const Field* s = fields->Find("status")) {
    if (auto status = Integer(*s, 100, 599)) expect->status = static_cast<int>(*status);
  }
  if (const Field* s = fields->Find("body_contains")) {
    if (auto text = String(*s)) expect->body_contains = *text;
  }
  if (const Field* s = fields->Find("max_body_bytes")) {
    if (auto bytes = Integer(*s, 1, kMaxBodyBytes)) {
      expect->max_body_bytes = static_cast<std::size_t>(*bytes);
    }
  }
}

void Parser::ReadColdStart(const Field& f, loadgen::ColdStartDetection* cold_start) {
  std::optional<Fields> fields = Map(f, "cold_start", kColdStartKeys);
  if (!fields) return;
  if (const Field* s = fields->Find("header")) {
    if (auto header = HeaderName(*s)) cold_start->header = *header;
  }
  if (const Field* s = fields->Find("latency_above")) {
    cold_start->latency_above = Duration(*s, nanoseconds(0), true, kMaxTimeout);
  }
}

void Parser::ReadLoad(const Field& f, loadgen::LoadPlan* plan, bool* seeded) {
  std::optional<Fields> fields = Map(f, "load", kLoadKeys);
  if (!fields) return;
  plan->repeat = true;
  if (const Field* s = Require(*fields, "stages", "load: missing stages")) {
    if (!s->value.IsSequence()) {
      Fail(Where(*s), "stages: expected a list, got " + Describe(s->value));
    } else if (s->value.size() == 0) {
      Fail(Where(*s), "stages: give at least one stage");
    } else {
      bool complete = true;
      for (const YAML::Node& node : s->value) {
        std::optional<loadgen::Stage> stage = ReadStage(node);
        if (!stage) {
          complete = false;
          continue;
        }
        plan->stages.push_back(*stage);
      }
      const bool all_idle = std::all_of(
          plan->stages.begin(), plan->stages.end(),
          [](const loadgen::Stage& st) { return st.kind == loadgen::Stage::Kind::kIdle; });
      if (complete && all_idle) {
        Fail(s->key.Mark(), "stages: every stage is idle, so the target would never be loaded");
      }
    }
  }
  if (const Field* s = fields->Find("seed")) {
    if (auto seed = Unsigned(*s)) {
      plan->seed = *seed;
      *seeded = true;
    }
  }
  if (const Field* s = fields->Find("max_in_flight")) {
    if (auto max = Integer(*s, 1, kMaxInFlight)) plan->max_in_flight = static_cast<int>(*max);
    const bool open = std::any_of(
        plan->stages.begin(), plan->stages.end(),
        [](const loadgen::Stage& st) { return st.kind == loadgen::Stage::Kind::kOpen; });
    if (!open && !plan->stages.empty()) {
      Fail(s->key.Mark(), "max_in_flight: applies to rate stages only, and this load has none");
    }
  }
}

std::optional<loadgen::Stage> Parser::ReadStage(const YAML::Node& node) {
  if (!node.IsMap()) {
    Fail(node.Mark(),
         "stages: each stage must be a map like { duration: 5m, concurrency: 4 }, "
         "got " +
             Describe(node));
    return std::nullopt;
  }
  const std::size_t errors_before = errors_.size();
  const Fields fields = Keys(node, node.Mark(), "stage", kStageKeys);
  loadgen::Stage stage;
  if (const Field* f = Require(fields, "duration", "stage: missing duration")) {
    if (auto d = Duration(*f, nanoseconds(0), true, nanoseconds::max())) stage.duration = *d;
  }
  std::vector<const Field*> kinds;
  for (std::string_view key : {"concurrency", "rate", "idle"}) {
    if (const Field* f = fields.Find(key)) kinds.push_back(f);
  }
  if (kinds.empty()) {
    Fail(fields.anchor,
         "stage: give one of concurrency (closed loop), rate (open loop) or idle: true");
  } else if (kinds.size() > 1) {
    Fail(kinds[1]->key.Mark(), "stage: give only one of concurrency, rate or idle, not both " +
                                   kinds[0]->name + " and " + kinds[1]->name);
  } else if (kinds[0]->name == "concurrency") {
    stage.kind = loadgen::Stage::Kind::kClosed;
    if (auto c = Integer(*kinds[0], 1, kMaxConcurrency)) stage.concurrency = static_cast<int>(*c);
  } else if (kinds[0]->name == "rate") {
    stage.kind = loadgen::Stage::Kind::kOpen;
    if (auto rate = Real(*kinds[0], {0, true, kMaxRate}, " requests per second")) {
      stage.rate = *rate;
    }
  } else {
    stage.kind = loadgen::Stage::Kind::kIdle;
    if (std::optional<bool> idle = Bool(*kinds[0]); idle && !*idle) {
      Fail(Where(*kinds[0]),
           "idle: write idle: true for an idle stage; a loaded stage gives "
           "concurrency or rate instead");
    }
  }
  if (const Field* f = fields.Find("arrival")) {
    if (auto arrival = Enum(*f, kArrivals)) stage.arrival = *arrival;
    if (kinds.size() == 1 && kinds[0]->name != "rate") {
      Fail(f->key.Mark(), "arrival: applies to rate stages only");
    }
  }
  if (errors_.size() != errors_before) return std::nullopt;
  return stage;
}

void Parser::ReadPricing(const Field& f, PricingSpec* pricing) {
  std::optional<Fields> fields = Map(f, "pricing", kPricingKeys);
  if (!fields) return;
  std::optional<PricingModel> model;
  if (const Field* m = Require(*fields, "model",
                               "pricing: missing model (instance, hourly, lambda or "
                               "per_request)")) {
    model = Enum(*m, kModels);
  }
  if (model) {
    pricing->model = *model;
    const std::string model_name(NameOf(kModels, *model));
    for (const PricingKeyUse& use : kPricingKeyUses) {
      const Field* k = fields->Find(use.key);
      if (k == nullptr) continue;
      const std::span<const PricingModel> uses(use.models,
                                               static_cast<std::size_t>(use.model_count));
      if (std::find(uses.begin(), uses.end(), *model) != uses.end()) continue;
      std::vector<std::string_view> models;
      for (PricingModel m : uses) models.push_back(NameOf(kModels, m));
      Fail(k->key.Mark(), k->name + ": does not apply to model " + model_name + " (only to " +
                              Join(models, " and ") + ")");
    }
    auto need = [&](std::string_view key) {
      if (fields->Find(key) == nullptr) {
        Fail(fields->anchor, "pricing: model " + model_name + " needs " + std::string(key));
      }
    };
    switch (*model) {
      case PricingModel::kInstance:
        need("instance_type");
        break;
      case PricingModel::kHourly:
        need("usd_per_hour");
        break;
      case PricingModel::kLambda:
        need("memory_mb");
        break;
      case PricingModel::kPerRequest:
        need("usd_per_request");
        break;
    }
  }
  if (const Field* k = fields->Find("region")) {
    if (auto region = String(*k)) {
      const bool valid =
          !region->empty() && std::all_of(region->begin(), region->end(), [](char c) {
            return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
          });
      if (valid) {
        pricing->region = *region;
      } else {
        Fail(Where(*k),
             "region: " + Quote(k->value.Scalar()) + " is not an AWS region name like us-east-1");
      }
    }
  }
  if (const Field* k = fields->Find("price_basis")) {
    if (auto basis = Enum(*k, kBases)) {
      pricing->price_basis = *basis;
      if (*basis != PriceBasis::kOnDemand && model == PricingModel::kInstance &&
          fields->Find("usd_per_hour") == nullptr) {
        Fail(k->key.Mark(), "price_basis: " + std::string(NameOf(kBases, *basis)) +
                                " needs usd_per_hour, your own hourly figure (the catalog holds "
                                "on-demand prices)");
      }
    }
  }
  if (const Field* k = fields->Find("fixed_usd_per_hour")) {
    if (auto usd = Real(*k, {0, false})) pricing->fixed_usd_per_hour = *usd;
  }
  if (const Field* k = fields->Find("instance_type")) {
    instance_type_marks_.back() = Where(*k);
    if (auto type = String(*k)) {
      const bool valid = !type->empty() && std::all_of(type->begin(), type->end(), [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '.' || c == '-' || c == '_';
      });
      if (valid) {
        pricing->instance_type = *type;
      } else {
        Fail(Where(*k), "instance_type: " + Quote(k->value.Scalar()) +
                            " is not an instance type like t3.medium");
      }
    }
  }
  if (const Field* k = fields->Find("count")) {
    if (auto count = Integer(*k, 1, kMaxInstances)) pricing->count = static_cast<int>(*count);
  }
  if (const Field* k = fields->Find("usd_per_hour")) {
    pricing->usd_per_hour = Real(*k, {0, false});
  }
  if (const Field* k = fields->Find("cpu_credits")) {
    if (auto credits = Enum(*k, kCredits)) pricing->cpu_credits = *credits;
  }
  if (const Field* k = fields->Find("memory_mb")) {
    if (auto mb = Integer(*k, kMinLambdaMemoryMb, kMaxLambdaMemoryMb)) {
      pricing->memory_mb = static_cast<int>(*mb);
    }
  }
  if (const Field* k = fields->Find("architecture")) {
    if (auto arch = Enum(*k, kArchitectures)) pricing->architecture = *arch;
  }
  if (const Field* k = fields->Find("api_gateway")) {
    if (auto gateway = Enum(*k, kGateways)) pricing->api_gateway = *gateway;
  }
  if (const Field* k = fields->Find("provisioned_concurrency")) {
    if (auto pc = Integer(*k, 0, kMaxProvisionedConcurrency)) {
      pricing->provisioned_concurrency = static_cast<int>(*pc);
    }
  }
  if (const Field* k = fields->Find("usd_per_request")) {
    pricing->usd_per_request = Real(*k, {0, false});
  }
}

void Parser::ReadAuth(const Field& f, std::optional<loadgen::SigV4>* sigv4) {
  std::optional<Fields> fields = Map(f, "auth", kAuthKeys);
  if (!fields) return;
  const Field* aws = Require(*fields, "aws_sigv4", "auth: missing aws_sigv4");
  if (aws == nullptr) return;
  std::optional<Fields> keys = Map(*aws, "aws_sigv4", kSigV4Keys);
  if (!keys) return;
  loadgen::SigV4 sig;
  if (const Field* k = Require(*keys, "provider",
                               "aws_sigv4: missing provider, e.g. aws:amz:us-east-1:execute-api")) {
    if (auto provider = String(*k)) {
      // aws:amz:<region>:<service>, as libcurl's CURLOPT_AWS_SIGV4 takes it.
      int parts = 1;
      bool empty_part = provider->empty() || provider->back() == ':';
      for (std::size_t i = 0; i < provider->size(); ++i) {
        if ((*provider)[i] != ':') continue;
        ++parts;
        if (i == 0 || (*provider)[i - 1] == ':') empty_part = true;
      }
      if (!provider->starts_with("aws:amz:") || parts != 4 || empty_part) {
        Fail(Where(*k), "provider: " + Quote(k->value.Scalar()) +
                            " must be aws:amz:<region>:<service>, e.g. "
                            "aws:amz:us-east-1:execute-api");
      } else {
        sig.provider = *provider;
      }
    }
  }
  auto credential = [&](std::string_view key, std::string* out, bool required) {
    const Field* k =
        required ? Require(*keys, key, "aws_sigv4: missing " + std::string(key)) : keys->Find(key);
    if (k == nullptr) return;
    std::optional<std::string> value = String(*k);
    if (!value) return;
    if (value->empty() && required) {
      Fail(Where(*k), std::string(key) + ": must not be empty");
      return;
    }
    // Credentials are secret even when written out in the file.
    if (!value->empty() && std::find(secrets_.begin(), secrets_.end(), *value) == secrets_.end()) {
      secrets_.push_back(*value);
    }
    *out = std::move(*value);
  };
  credential("access_key", &sig.access_key, true);
  credential("secret_key", &sig.secret_key, true);
  credential("session_token", &sig.session_token, false);
  *sigv4 = std::move(sig);
}

void Parser::ReadTls(const Field& f, bool* verify_tls) {
  std::optional<Fields> fields = Map(f, "tls", kTlsKeys);
  if (!fields) return;
  if (const Field* k = fields->Find("insecure_skip_verify")) {
    if (auto skip = Bool(*k)) *verify_tls = !*skip;
  }
}

// The one place the config meets the price catalog: instance types must be known, or priced by
// the user. Runs once the whole file has been read without errors.
void Parser::CheckPricesAgainstCatalog(const Config& config) {
  // Resolve() (exporter/cost.h) lands with the cost model on branch `cost`; until then there is
  // no catalog to check against.
  (void)config;
}

}  // namespace

// ---- public --------------------------------------------------------------------------------

std::string ConfigError::ToString() const {
  if (line == 0) return file + ": " + message;
  return file + ":" + std::to_string(line) + ":" + std::to_string(column) + ": " + message;
}

EnvLookup ProcessEnv() {
  return [](const std::string& name) -> std::optional<std::string> {
    // getenv is safe here: the program does not modify its environment after start-up.
    const char* value = std::getenv(name.c_str());  // NOLINT(concurrency-mt-unsafe)
    if (value == nullptr) return std::nullopt;
    return std::string(value);
  };
}

ConfigResult ParseConfig(const std::string& yaml, const std::string& file_name,
                         const EnvLookup& env) {
  fs::path base = fs::path(file_name).parent_path();
  if (base.empty()) base = ".";
  return Parser(file_name, base, env).Run(yaml);
}

ConfigResult LoadConfigFile(const std::string& path, const EnvLookup& env) {
  std::error_code ec;
  if (fs::is_directory(path, ec)) {
    ConfigResult result;
    result.errors.push_back({path, 0, 0, "is a directory, not a config file"});
    return result;
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    ConfigResult result;
    result.errors.push_back(
        {path, 0, 0, "cannot read: " + std::make_error_code(std::errc(errno)).message()});
    return result;
  }
  std::ostringstream text;
  text << in.rdbuf();
  return ParseConfig(text.str(), path, env);
}

std::string Redact(const std::string& text, const std::vector<std::string>& secrets) {
  std::vector<std::string_view> by_length;
  for (const std::string& s : secrets) {
    if (!s.empty()) by_length.push_back(s);
  }
  if (by_length.empty()) return text;
  std::sort(by_length.begin(), by_length.end(),
            [](std::string_view a, std::string_view b) { return a.size() > b.size(); });
  std::string out;
  out.reserve(text.size());
  std::size_t i = 0;
  while (i < text.size()) {
    const std::string_view rest = std::string_view(text).substr(i);
    auto match = std::find_if(by_length.begin(), by_length.end(),
                              [&](std::string_view s) { return rest.starts_with(s); });
    if (match != by_length.end()) {
      out += "<redacted>";
      i += match->size();
    } else {
      out += text[i++];
    }
  }
  return out;
}

loadgen::LoadPlan ShardPlan(const loadgen::LoadPlan& plan, const Shard& shard,
                            std::size_t target_position) {
  if (shard.count <= 1) return plan;
  const auto count = static_cast<std::size_t>(shard.count);
  const auto index = static_cast<std::size_t>(shard.index);
  // This shard's place after the rotation that spreads remainders over generators.
  const std::size_t rotated = (index + count - target_position % count) % count;
  loadgen::LoadPlan part = plan;
  for (loadgen::Stage& stage : part.stages) {
    switch (stage.kind) {
      case loadgen::Stage::Kind::kClosed: {
        const auto total = static_cast<std::size_t>(stage.concurrency);
        const std::size_t mine = total / count + (rotated < total % count ? 1 : 0);
        stage.concurrency = static_cast<int>(mine);
        if (mine == 0) stage.kind = loadgen::Stage::Kind::kIdle;
        break;
      }
      case loadgen::Stage::Kind::kOpen:
        stage.rate /= static_cast<double>(count);
        break;
      case loadgen::Stage::Kind::kIdle:
        break;
    }
  }
  if (part.max_in_flight > 0) {
    part.max_in_flight = (part.max_in_flight + shard.count - 1) / shard.count;
  }
  // Distinct streams per shard: the golden-ratio step keeps nearby seeds of different targets
  // from colliding.
  part.seed = plan.seed + static_cast<uint64_t>(shard.index) * 0x9E3779B97F4A7C15ULL;
  return part;
}

std::string ListenAddressError(std::string_view address) {
  std::string_view host;
  std::string_view port;
  bool has_port = false;
  if (!SplitHostPort(address, &host, &port, &has_port) || !has_port) {
    return "must be HOST:PORT, e.g. 0.0.0.0:18090";
  }
  if (std::string error = HostError(host); !error.empty()) return error;
  if (!Port(port, 0)) return "has a bad port " + Quote(port) + " (0 to 65535)";
  return "";
}

std::string UrlError(std::string_view url) {
  if (url.empty()) return "is empty";
  for (char c : url) {
    const auto u = static_cast<unsigned char>(c);
    if (u <= 0x20 || u == 0x7f) return "contains a space or control character";
  }
  const std::size_t scheme_end = url.find("://");
  if (scheme_end == std::string_view::npos) return "must start with http:// or https://";
  std::string scheme;
  for (char c : url.substr(0, scheme_end)) scheme += Lower(c);
  if (scheme != "http" && scheme != "https") {
    return "has scheme " + Quote(scheme) + "; use http or https";
  }
  std::string_view rest = url.substr(scheme_end + 3);
  const std::size_t authority_end = rest.find_first_of("/?#");
  std::string_view authority = rest.substr(0, authority_end);
  const std::size_t at = authority.rfind('@');
  if (at != std::string_view::npos) authority.remove_prefix(at + 1);
  std::string_view host;
  std::string_view port;
  bool has_port = false;
  if (!SplitHostPort(authority, &host, &port, &has_port)) return "has a bad host";
  if (std::string error = HostError(host); !error.empty()) return error;
  if (has_port && !Port(port, 1)) return "has a bad port " + Quote(port) + " (1 to 65535)";
  const std::string_view tail =
      authority_end == std::string_view::npos ? std::string_view() : rest.substr(authority_end);
  for (std::size_t i = 0; i < tail.size(); ++i) {
    if (tail[i] != '%') continue;
    if (i + 2 >= tail.size() || std::isxdigit(static_cast<unsigned char>(tail[i + 1])) == 0 ||
        std::isxdigit(static_cast<unsigned char>(tail[i + 2])) == 0) {
      return "has a bad %-escape";
    }
  }
  return "";
}

}  // namespace infercost
