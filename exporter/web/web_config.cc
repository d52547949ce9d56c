#include "web/web_config.h"

#include <crypt.h>

#include <algorithm>
#include <cctype>
#include <cstring>
#include <fstream>
#include <sstream>
#include <string_view>

#include "common/yaml.h"

namespace infercost {
namespace {

constexpr std::string_view kKeys[] = {"basic_auth_users", "basic_auth_excluded_paths",
                                      "http_server_config"};
// The endpoints a web config may open to anonymous requests (Kubernetes probes, load balancers):
// they tell nothing beyond "up" and "ready".
constexpr std::string_view kExcludablePaths[] = {"/-/healthy", "/-/ready"};

// Reads the exporter-toolkit web config; see web_config.h.
class WebConfigReader : public YamlReader {
 public:
  using YamlReader::YamlReader;

  // The users and the paths open without auth, or nullopt and errors.
  std::optional<WebConfigFile> Read(const std::string& yaml) {
    WebConfigFile file;
    const std::optional<YamlNode> root = ReadDocument(yaml, "web config");
    if (!root) {
      return std::nullopt;
    }
    if (root->IsNull()) {
      return file;  // an empty file: no auth
    }
    if (!root->IsMap()) {
      Fail(root->mark, "the web config must be a mapping");
      return std::nullopt;
    }
    // TLS gets its own message rather than "unknown key"; only HTTP/1.1 is served, and
    // http_server_config is accepted for compatibility with shared web configs.
    YamlNode rest = *root;
    std::erase_if(rest.entries, [this](const YamlEntry& entry) {
      if (!entry.key.IsScalar() || entry.key.text != "tls_server_config") {
        return false;
      }
      Fail(entry.key.mark,
           "tls_server_config is not supported: Debian 12's CivetWeb crashes on HTTPS with "
           "OpenSSL 3; terminate TLS in a reverse proxy instead (see deploy/nginx-tls.conf) and "
           "remove this key");
      return true;
    });
    const YamlFields fields = Keys(rest, root->mark, "the web config", kKeys);
    if (const YamlField* f = fields.Find("basic_auth_users")) {
      ReadUsers(*f, &file.users);
    }
    if (const YamlField* f = fields.Find("basic_auth_excluded_paths")) {
      ReadExcludedPaths(*f, &file.excluded_paths);
    }
    if (error_count() != 0) {
      return std::nullopt;
    }
    return file;
  }

 private:
  void ReadExcludedPaths(const YamlField& f, std::set<std::string>* paths) {
    if (f.value->IsNull()) {
      return;
    }
    if (!f.value->IsSequence()) {
      Fail(f.Where(), "basic_auth_excluded_paths must be a list of paths, e.g. [/-/healthy]");
      return;
    }
    for (const YamlNode& item : f.value->items) {
      const bool known =
          item.IsScalar() && std::find(std::begin(kExcludablePaths), std::end(kExcludablePaths),
                                       item.text) != std::end(kExcludablePaths);
      if (!known) {
        Fail(item.mark, "basic_auth_excluded_paths: " +
                            (item.IsScalar() ? yaml::Quote(item.text) : yaml::Describe(item)) +
                            " cannot be opened without auth; only /-/healthy and /-/ready can");
        continue;
      }
      paths->insert(item.text);
    }
  }

  void ReadUsers(const YamlField& f, std::map<std::string, std::string>* users) {
    if (f.value->IsNull()) {
      return;
    }
    if (!f.value->IsMap()) {
      Fail(f.value->mark, "basic_auth_users must map user names to bcrypt hashes");
      return;
    }
    const YamlFields names = Keys(*f.value, f.key->mark, "basic_auth_users", {});
    for (const YamlField& user : names.entries) {
      const std::string& name = user.name;
      if (!user.value->IsScalar()) {
        Fail(user.value->mark, "the hash of user '" + name + "' must be a string");
        continue;
      }
      const std::string& hash = user.value->text;
      if (const std::string problem = BcryptHashProblem(hash); !problem.empty()) {
        Fail(user.value->mark, "the hash of user '" + name + "' " + problem +
                                   "; make one with `htpasswd -nBC 10 " + name + "`");
        continue;
      }
      (*users)[name] = hash;
    }
  }
};

bool IsBcryptChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
         c == '/';
}

// The cost of a hash that BcryptHashProblem() accepted.
int BcryptCost(std::string_view hash) { return (hash[4] - '0') * 10 + (hash[5] - '0'); }

bool ConstantTimeEquals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  unsigned char diff = 0;
  for (std::size_t i = 0; i < a.size(); ++i) {
    diff = static_cast<unsigned char>(
        diff | (static_cast<unsigned char>(a[i]) ^ static_cast<unsigned char>(b[i])));
  }
  return diff == 0;
}

}  // namespace

std::string BcryptHashProblem(std::string_view hash) {
  // $2y$CC$ + 22 characters of salt + 31 of hash, in bcrypt's base-64 alphabet.
  constexpr std::size_t kLength = 60;
  if (!(hash.starts_with("$2y$") || hash.starts_with("$2b$") || hash.starts_with("$2a$"))) {
    return "is not a bcrypt hash ($2y$...)";
  }
  const bool cost_digits = hash.size() > 7 && std::isdigit(static_cast<unsigned char>(hash[4])) &&
                           std::isdigit(static_cast<unsigned char>(hash[5])) && hash[6] == '$';
  if (!cost_digits || hash.size() != kLength ||
      !std::all_of(hash.begin() + 7, hash.end(), IsBcryptChar)) {
    return "is a malformed bcrypt hash (want $2y$ and a two-digit cost, $, then 53 characters of "
           "./A-Za-z0-9; it was cut or altered)";
  }
  const int cost = BcryptCost(hash);
  if (cost < kMinBcryptCost || cost > kMaxBcryptCost) {
    return "has bcrypt cost " + std::to_string(cost) + ", outside " +
           std::to_string(kMinBcryptCost) + ".." + std::to_string(kMaxBcryptCost) +
           (cost > kMaxBcryptCost ? " (each login would hold a worker for seconds)"
                                  : " (too weak)");
  }
  return "";
}

std::optional<std::string> Base64Decode(std::string_view text) {
  auto value = [](char c) -> int {
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    if (c == '+') return 62;
    if (c == '/') return 63;
    return -1;
  };
  while (!text.empty() && text.back() == '=') text.remove_suffix(1);
  std::string out;
  uint32_t buffer = 0;
  int bits = 0;
  for (char c : text) {
    const int v = value(c);
    if (v < 0) return std::nullopt;
    buffer = (buffer << 6) | static_cast<uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out += static_cast<char>((buffer >> bits) & 0xFF);
    }
  }
  return out;
}

std::optional<WebConfig> WebConfig::Load(const std::string& path,
                                         std::vector<std::string>* errors) {
  std::ifstream in(path);
  if (!in) {
    errors->push_back(path + ": cannot read the web config file: " + std::strerror(errno));
    return std::nullopt;
  }
  std::stringstream text;
  text << in.rdbuf();
  return Parse(text.str(), path, errors);
}

std::optional<WebConfig> WebConfig::Parse(const std::string& yaml, const std::string& file_name,
                                          std::vector<std::string>* errors) {
  WebConfigReader reader(file_name);
  std::optional<WebConfigFile> file = reader.Read(yaml);
  for (const YamlError& e : reader.TakeErrors()) {
    errors->push_back(e.ToString());
  }
  if (!file) {
    return std::nullopt;
  }
  WebConfig config;
  config.users_ = std::move(file->users);
  config.excluded_paths_ = std::move(file->excluded_paths);
  // Unknown users are checked against a salt of the highest cost in use, so that they take as
  // long as a known user with a wrong password.
  int cost = kMinBcryptCost;
  for (const auto& [name, hash] : config.users_) cost = std::max(cost, BcryptCost(hash));
  char salt[CRYPT_GENSALT_OUTPUT_SIZE];
  if (crypt_gensalt_rn("$2y$", static_cast<unsigned long>(cost), nullptr, 0, salt, sizeof salt) ==
      nullptr) {
    errors->push_back(file_name + ": cannot make a bcrypt salt: " + std::strerror(errno));
    return std::nullopt;
  }
  config.unknown_user_setting_ = salt;
  return config;
}

int WebConfig::unknown_user_cost() const { return BcryptCost(unknown_user_setting_); }

bool WebConfig::Excluded(std::string_view path) const {
  return excluded_paths_.find(std::string(path)) != excluded_paths_.end();
}

bool WebConfig::Check(const char* authorization_header) const {
  if (users_.empty()) return true;
  if (authorization_header == nullptr) return false;
  std::string_view header = authorization_header;
  constexpr std::string_view kBasic = "Basic ";
  if (!header.starts_with(kBasic)) return false;
  header.remove_prefix(kBasic.size());
  const std::optional<std::string> decoded = Base64Decode(header);
  if (!decoded) return false;
  const std::size_t colon = decoded->find(':');
  if (colon == std::string::npos) return false;
  const std::string user = decoded->substr(0, colon);
  const std::string password = decoded->substr(colon + 1);
  const auto it = users_.find(user);
  // crypt_r reads the password up to its first NUL: "pw\0anything" would pass as "pw". Such a
  // password, like an unknown user, costs one bcrypt of the same cost and fails.
  const bool known = it != users_.end() && password.find('\0') == std::string::npos;
  const std::string& setting = known ? it->second : unknown_user_setting_;
  const std::string key = user + '\n' + password + '\n' + setting;
  if (known) {
    std::lock_guard lock(cache_->mu);
    if (cache_->verified.count(key) > 0) return true;
  }
  const std::string computed = Bcrypt(password, setting);
  if (!known || !ConstantTimeEquals(computed, it->second)) return false;
  std::lock_guard lock(cache_->mu);
  if (cache_->verified.size() > 64) cache_->verified.clear();
  cache_->verified.insert(key);
  return true;
}

std::string WebConfig::Bcrypt(const std::string& password, const std::string& setting) const {
  // One bcrypt at a time, as exporter-toolkit does: failed logins burn at most one core, and the
  // load engine keeps the rest.
  std::lock_guard lock(cache_->bcrypt_mu);
  auto data = std::make_unique<crypt_data>();
  const char* out = crypt_r(password.c_str(), setting.c_str(), data.get());
  if (out == nullptr || out[0] == '*') return "";
  return out;
}

}  // namespace infercost
