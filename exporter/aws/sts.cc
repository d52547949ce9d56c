#include "aws/sts.h"

#include <chrono>
#include <fstream>
#include <sstream>

#include "aws/endpoints.h"
#include "aws/http.h"

namespace infercost::aws {
namespace {

// The text between <tag> and </tag> after `from`, XML entities decoded; nullopt when absent.
// STS answers are machine-written with no attributes on these elements, so this targeted search
// is enough; it is not an XML parser.
std::optional<std::string> Element(std::string_view xml, std::string_view tag,
                                   std::size_t from = 0) {
  const std::string open = "<" + std::string(tag) + ">";
  const std::string close = "</" + std::string(tag) + ">";
  const std::size_t start = xml.find(open, from);
  if (start == std::string_view::npos) return std::nullopt;
  const std::size_t begin = start + open.size();
  const std::size_t end = xml.find(close, begin);
  if (end == std::string_view::npos) return std::nullopt;
  std::string out;
  const std::string_view raw = xml.substr(begin, end - begin);
  for (std::size_t i = 0; i < raw.size(); ++i) {
    if (raw[i] != '&') {
      out.push_back(raw[i]);
      continue;
    }
    static constexpr std::pair<std::string_view, char> kEntities[] = {
        {"&amp;", '&'}, {"&lt;", '<'}, {"&gt;", '>'}, {"&quot;", '"'}, {"&apos;", '\''}};
    bool decoded = false;
    for (const auto& [entity, c] : kEntities) {
      if (raw.substr(i).starts_with(entity)) {
        out.push_back(c);
        i += entity.size() - 1;
        decoded = true;
        break;
      }
    }
    if (!decoded) out.push_back('&');
  }
  return out;
}

std::string SessionName(const std::string& name) {
  if (!name.empty()) return name;
  const auto now = std::chrono::system_clock::now().time_since_epoch();
  return "infercost-" +
         std::to_string(std::chrono::duration_cast<std::chrono::seconds>(now).count());
}

std::string CommonParameters(const AssumeRoleRequest& request) {
  std::string body = "&Version=2011-06-15&RoleArn=" + FormEscape(request.role_arn) +
                     "&RoleSessionName=" + FormEscape(SessionName(request.session_name));
  if (request.duration_seconds) {
    body += "&DurationSeconds=" + std::to_string(*request.duration_seconds);
  }
  return body;
}

HttpCall StsCall(const std::string& endpoint, std::string body) {
  HttpCall call;
  call.method = "POST";
  call.url = endpoint;
  if (!call.url.empty() && call.url.back() != '/') call.url += '/';
  call.headers = {"Content-Type: application/x-www-form-urlencoded; charset=utf-8",
                  "Accept: text/xml"};
  call.body = std::move(body);
  return call;
}

Lookup Answer(const HttpAnswer& answer, std::string_view action, const std::string& endpoint) {
  if (!answer.error.empty()) {
    return Lookup::Error(std::string(action) + " at " + endpoint + " failed: " + answer.error);
  }
  return internal::ParseStsAnswer(answer.status, answer.body, action);
}

}  // namespace

std::string StsEndpoint(const Environment& env, std::string_view region,
                        std::string* signing_region) {
  const std::string resolved = DefaultRegion(env, region);
  *signing_region = resolved.empty() ? "us-east-1" : resolved;
  if (std::optional<std::string> configured = ConfiguredEndpoint(env, kSts)) return *configured;
  // Without a region the SDKs call the global endpoint (which signs as us-east-1).
  if (resolved.empty()) return "https://sts.amazonaws.com";
  return ServiceEndpoint(env, kSts, resolved);
}

Lookup AssumeRole(const Environment& env, const Credentials& source,
                  const AssumeRoleRequest& request) {
  std::string region;
  const std::string endpoint = StsEndpoint(env, request.region, &region);
  std::string body = "Action=AssumeRole" + CommonParameters(request);
  if (!request.external_id.empty()) body += "&ExternalId=" + FormEscape(request.external_id);
  HttpCall call = StsCall(endpoint, std::move(body));
  call.sigv4_provider = "aws:amz:" + region + ":sts";
  call.access_key_id = source.access_key_id;
  call.secret_access_key = source.secret_access_key;
  if (!source.session_token.empty()) {
    call.headers.push_back("x-amz-security-token: " + source.session_token);
  }
  return Answer(Send(call), "AssumeRole", endpoint);
}

Lookup AssumeRoleWithWebIdentity(const Environment& env, const AssumeRoleRequest& request,
                                 const std::string& token) {
  std::string region;
  const std::string endpoint = StsEndpoint(env, request.region, &region);
  const std::string body = "Action=AssumeRoleWithWebIdentity" + CommonParameters(request) +
                           "&WebIdentityToken=" + FormEscape(token);
  return Answer(Send(StsCall(endpoint, body)), "AssumeRoleWithWebIdentity", endpoint);
}

Lookup FromWebIdentity(const Environment& env, std::string role_arn, std::string token_file,
                       std::string session_name) {
  if (role_arn.empty()) role_arn = env("AWS_ROLE_ARN").value_or("");
  if (token_file.empty()) token_file = env("AWS_WEB_IDENTITY_TOKEN_FILE").value_or("");
  if (session_name.empty()) session_name = env("AWS_ROLE_SESSION_NAME").value_or("");
  if (token_file.empty() && role_arn.empty()) {
    return Lookup::NotConfigured("AWS_WEB_IDENTITY_TOKEN_FILE is not set");
  }
  if (token_file.empty() || role_arn.empty()) {
    return Lookup::Error(
        std::string(token_file.empty() ? "the web identity token file" : "the role ARN") +
        " is not set (AWS_WEB_IDENTITY_TOKEN_FILE and AWS_ROLE_ARN go together)");
  }
  // Read on every call: the token file is rotated by the platform (EKS renews it hourly).
  std::ifstream in(token_file, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  if (!in) return Lookup::Error("cannot read the web identity token file " + token_file);
  std::string token = text.str();
  while (!token.empty() && (token.back() == '\n' || token.back() == '\r' || token.back() == ' ')) {
    token.pop_back();
  }
  if (token.empty())
    return Lookup::Error("the web identity token file " + token_file + " is empty");
  AssumeRoleRequest request;
  request.role_arn = role_arn;
  request.session_name = session_name;
  return AssumeRoleWithWebIdentity(env, request, token);
}

namespace internal {

Lookup ParseStsAnswer(long http_status, std::string_view xml, std::string_view action) {
  if (http_status < 200 || http_status > 299) {
    const std::string code = Element(xml, "Code").value_or("no error code");
    const std::string message = Element(xml, "Message").value_or("no message");
    return Lookup::Error(std::string(action) + " answered HTTP " + std::to_string(http_status) +
                         ": " + code + ": " + message);
  }
  const std::size_t block = xml.find("<Credentials>");
  if (block == std::string_view::npos) {
    return Lookup::Error(std::string(action) + " answered without <Credentials>");
  }
  Credentials c;
  c.access_key_id = Element(xml, "AccessKeyId", block).value_or("");
  c.secret_access_key = Element(xml, "SecretAccessKey", block).value_or("");
  c.session_token = Element(xml, "SessionToken", block).value_or("");
  const std::optional<std::string> expiration = Element(xml, "Expiration", block);
  if (c.access_key_id.empty() || c.secret_access_key.empty() || c.session_token.empty() ||
      !expiration) {
    return Lookup::Error(std::string(action) +
                         " answered without AccessKeyId, SecretAccessKey, SessionToken or "
                         "Expiration");
  }
  c.expiration = ParseTimestamp(*expiration);
  if (!c.expiration) {
    return Lookup::Error(std::string(action) + " answered an Expiration that is not ISO 8601");
  }
  return Lookup::Found(std::move(c));
}

}  // namespace internal
}  // namespace infercost::aws
