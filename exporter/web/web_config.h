// `--web-config FILE` in the Prometheus exporter-toolkit format:
//
//   basic_auth_users:
//     alice: $2y$10$...   # bcrypt hash, e.g. from `htpasswd -nBC 10 alice`
//   basic_auth_excluded_paths: [/-/healthy, /-/ready]   # infercost's: open for probes
//
// Hashes are checked at load: well-formed bcrypt, cost kMinBcryptCost..kMaxBcryptCost.
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
#include <string_view>
#include <vector>

namespace infercost {

// bcrypt costs accepted: each step doubles the time of a login (cost 10 takes about 70 ms on a
// current core); above 12 a single request holds a worker for seconds.
inline constexpr int kMinBcryptCost = 4;
inline constexpr int kMaxBcryptCost = 12;

// What is wrong with a bcrypt hash, or "" when it is well-formed with a cost in range.
std::string BcryptHashProblem(std::string_view hash);

// What a web config file holds.
struct WebConfigFile {
  std::map<std::string, std::string> users;  // name -> bcrypt hash
  std::set<std::string> excluded_paths;      // answered without auth
};

class WebConfig {
 public:
  // Errors as FILE:LINE:COL: message lines.
  static std::optional<WebConfig> Load(const std::string& path, std::vector<std::string>* errors);
  static std::optional<WebConfig> Parse(const std::string& yaml, const std::string& file_name,
                                        std::vector<std::string>* errors);

  bool auth_required() const { return !users_.empty(); }
  // True when `path` is answered without auth (basic_auth_excluded_paths).
  bool Excluded(std::string_view path) const;
  // Checks an Authorization header value ("Basic base64(user:password)") against the bcrypt
  // hashes. Verified credentials are cached in memory so that a scrape every few seconds does
  // not pay a bcrypt each time. An unknown user, or a password holding a NUL, costs a bcrypt of
  // the users' highest cost too, so that user names cannot be found by timing.
  bool Check(const char* authorization_header) const;
  // The bcrypt cost an unknown user's check pays (tests).
  int unknown_user_cost() const;

 private:
  // crypt_r of `password` with `setting` (a hash or a salt); "" when it fails.
  std::string Bcrypt(const std::string& password, const std::string& setting) const;

  std::map<std::string, std::string> users_;  // name -> bcrypt hash
  std::set<std::string> excluded_paths_;
  std::string unknown_user_setting_;  // a bcrypt salt of the users' highest cost
  struct Cache {
    std::mutex mu;
    std::set<std::string> verified;  // "user\npassword\nhash" that matched
    std::mutex bcrypt_mu;            // one bcrypt at a time
  };
  std::shared_ptr<Cache> cache_ = std::make_shared<Cache>();
};

std::optional<std::string> Base64Decode(std::string_view text);

}  // namespace infercost

#endif  // INFERCOST_WEB_WEB_CONFIG_H_
