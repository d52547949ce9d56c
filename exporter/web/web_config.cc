#include "web/web_config.h"

#include <crypt.h>
#include <yaml-cpp/yaml.h>

#include <cstring>
#include <fstream>
#include <sstream>

namespace infercost {
namespace {

std::string Where(const std::string& file, const YAML::Mark& mark) {
  return file + ":" + std::to_string(mark.line + 1) + ":" + std::to_string(mark.column + 1) + ": ";
}

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
  WebConfig config;
  YAML::Node root;
  try {
    root = YAML::Load(yaml);
  } catch (const YAML::Exception& e) {
    errors->push_back(Where(file_name, e.mark) + "malformed YAML: " + e.msg);
    return std::nullopt;
  }
  if (!root || root.IsNull()) return config;  // an empty file: no auth
  if (!root.IsMap()) {
    errors->push_back(Where(file_name, root.Mark()) + "the web config must be a mapping");
    return std::nullopt;
  }
  const std::size_t errors_before = errors->size();
  for (const auto& entry : root) {
    const std::string key = entry.first.as<std::string>();
    const YAML::Node& value = entry.second;
    if (key == "tls_server_config") {
      errors->push_back(Where(file_name, entry.first.Mark()) +
                        "tls_server_config is not supported: Debian 12's CivetWeb crashes on "
                        "HTTPS with OpenSSL 3; terminate TLS in a reverse proxy instead (see "
                        "deploy/nginx-tls.conf) and remove this key");
    } else if (key == "http_server_config") {
      // Only HTTP/1.1 is served; accept the key for compatibility with shared web configs.
    } else if (key == "basic_auth_users") {
      if (value.IsNull()) continue;
      if (!value.IsMap()) {
        errors->push_back(Where(file_name, value.Mark()) +
                          "basic_auth_users must map user names to bcrypt hashes");
        continue;
      }
      for (const auto& user : value) {
        const std::string name = user.first.as<std::string>();
        if (!user.second.IsScalar()) {
          errors->push_back(Where(file_name, user.second.Mark()) + "the hash of user '" + name +
                            "' must be a string");
          continue;
        }
        const std::string hash = user.second.as<std::string>();
        if (!(hash.starts_with("$2y$") || hash.starts_with("$2b$") || hash.starts_with("$2a$"))) {
          errors->push_back(Where(file_name, user.second.Mark()) + "the hash of user '" + name +
                            "' is not a bcrypt hash ($2y$...); make one with `htpasswd -nBC 10 " +
                            name + "`");
          continue;
        }
        config.users_[name] = hash;
      }
    } else {
      errors->push_back(Where(file_name, entry.first.Mark()) + "unknown key '" + key +
                        "' (known: basic_auth_users, http_server_config)");
    }
  }
  if (errors->size() != errors_before) return std::nullopt;
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
