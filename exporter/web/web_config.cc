#include "web/web_config.h"

#include <crypt.h>

#include <cstring>
#include <fstream>
#include <sstream>
#include <string_view>

#include "common/yaml.h"

namespace infercost {
namespace {

constexpr std::string_view kKeys[] = {"basic_auth_users", "http_server_config"};

// Reads the exporter-toolkit web config; see web_config.h.
class WebConfigReader : public YamlReader {
 public:
  using YamlReader::YamlReader;

  // The users, or nullopt and errors.
  std::optional<std::map<std::string, std::string>> Read(const std::string& yaml) {
    std::map<std::string, std::string> users;
    const std::optional<YamlNode> root = ReadDocument(yaml, "web config");
    if (!root) {
      return std::nullopt;
    }
    if (root->IsNull()) {
      return users;  // an empty file: no auth
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
      ReadUsers(*f, &users);
    }
    if (error_count() != 0) {
      return std::nullopt;
    }
    return users;
  }

 private:
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
      if (!(hash.starts_with("$2y$") || hash.starts_with("$2b$") || hash.starts_with("$2a$"))) {
        Fail(user.value->mark, "the hash of user '" + name +
                                   "' is not a bcrypt hash ($2y$...); make one with `htpasswd "
                                   "-nBC 10 " +
                                   name + "`");
        continue;
      }
      (*users)[name] = hash;
    }
  }
};

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
  std::optional<std::map<std::string, std::string>> users = reader.Read(yaml);
  for (const YamlError& e : reader.TakeErrors()) {
    errors->push_back(e.ToString());
  }
  if (!users) {
    return std::nullopt;
  }
  WebConfig config;
  config.users_ = std::move(*users);
  return config;
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
  if (it == users_.end()) {
    // Spend a bcrypt anyway so that unknown users take as long as wrong passwords.
    auto data = std::make_unique<crypt_data>();
    crypt_r(password.c_str(), "$2y$10$abcdefghijklmnopqrstuu", data.get());
    return false;
  }
  const std::string key = user + '\n' + password + '\n' + it->second;
  {
    std::lock_guard lock(cache_->mu);
    if (cache_->verified.count(key) > 0) return true;
  }
  auto data = std::make_unique<crypt_data>();
  const char* out = crypt_r(password.c_str(), it->second.c_str(), data.get());
  if (out == nullptr || out[0] == '*' || !ConstantTimeEquals(out, it->second)) return false;
  std::lock_guard lock(cache_->mu);
  if (cache_->verified.size() > 64) cache_->verified.clear();
  cache_->verified.insert(key);
  return true;
}

}  // namespace infercost
