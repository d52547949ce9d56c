// `--web-config FILE` in the Prometheus exporter-toolkit format:
//
//   basic_auth_users:
//     alice: $2y$10$...   # bcrypt hash, e.g. from `htpasswd -nBC 10 alice`
//
// TLS is refused (`tls_server_config`): Debian 12's CivetWeb crashes on its first HTTPS request
// with OpenSSL 3, so infercost serves plain HTTP behind a TLS-terminating proxy (deploy/).
// Thread contract: a WebConfig is immutable after loading; Check() is thread-safe.
#ifndef INFERCOST_WEB_WEB_CONFIG_H_
#define INFERCOST_WEB_WEB_CONFIG_H_

#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace infercost {

class WebConfig {
 public:
  // Errors as FILE:LINE:COL: message lines.
  static std::optional<WebConfig> Load(const std::string& path, std::vector<std::string>* errors);
  static std::optional<WebConfig> Parse(const std::string& yaml, const std::string& file_name,
                                        std::vector<std::string>* errors);

  bool auth_required() const { return !users_.empty(); }
  // Checks an Authorization header value ("Basic base64(user:password)") against the bcrypt
  // hashes. Verified credentials are cached in memory so that a scrape every few seconds does
  // not pay a bcrypt each time.
  bool Check(const char* authorization_header) const;

 private:
  std::map<std::string, std::string> users_;  // name -> bcrypt hash
  struct Cache {
    std::mutex mu;
    std::set<std::string> verified;  // "user\npassword\nhash" that matched
  };
  std::shared_ptr<Cache> cache_ = std::make_shared<Cache>();
};

std::optional<std::string> Base64Decode(std::string_view text);

}  // namespace infercost

#endif  // INFERCOST_WEB_WEB_CONFIG_H_
