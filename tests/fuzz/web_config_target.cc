// The fuzz target of web-config files (and the Authorization header's base64).
#include <optional>
#include <string>
#include <vector>

#include "targets.h"
#include "web/web_config.h"

namespace infercost::fuzz {

void FuzzWebConfig(std::string_view text) {
  // The Authorization header's decoder, on the same bytes.
  if (const auto decoded = Base64Decode(text); decoded.has_value()) {
    Require(decoded->size() <= text.size(), "decoded longer than its text");
  }
  std::vector<std::string> errors;
  const std::optional<WebConfig> web = WebConfig::Parse(std::string(text), "web.yml", &errors);
  Require(web.has_value() == errors.empty(), "a web-config both accepted and refused");
  if (!web.has_value()) return;
  // A login against whatever was loaded, only when no bcrypt hash can be slow: a hash's cost is
  // the web-config's own choice (bounded there), not the fuzzer's to explore here.
  if (!web->auth_required()) {
    Require(web->Check(nullptr) && web->Check("Basic YWxpY2U6eA=="),
            "a web-config without users refused a request");
  }
}

}  // namespace infercost::fuzz
