// Service endpoints and target-kind URLs. See endpoints.h.
#include "aws/endpoints.h"

#include <cctype>
#include <optional>

namespace infercost::aws {
namespace {

bool IgnoreConfiguredEndpoints(const Environment& env) {
  const std::optional<std::string> value = env("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS");
  if (!value) return false;
  std::string lower;
  for (char c : *value) lower += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return lower == "true";
}

std::string WithoutTrailingSlash(std::string url) {
  while (!url.empty() && url.back() == '/') url.pop_back();
  return url;
}

}  // namespace

std::optional<std::string> ConfiguredEndpoint(const Environment& env, const Service& service) {
  if (IgnoreConfiguredEndpoints(env)) return std::nullopt;
  const std::string specific = "AWS_ENDPOINT_URL_" + std::string(service.env_id);
  for (const std::string& name : {specific, std::string("AWS_ENDPOINT_URL")}) {
    const std::optional<std::string> value = env(name);
    if (value && !value->empty()) return WithoutTrailingSlash(*value);
  }
  return std::nullopt;
}

std::string ServiceEndpoint(const Environment& env, const Service& service, std::string_view region,
                            std::string_view override_url) {
  if (!override_url.empty()) return WithoutTrailingSlash(std::string(override_url));
  if (std::optional<std::string> configured = ConfiguredEndpoint(env, service)) {
    return *configured;
  }
  const bool china = region.starts_with("cn-");
  return "https://" + std::string(service.host_prefix) + "." + std::string(region) +
         (china ? ".amazonaws.com.cn" : ".amazonaws.com");
}

std::string DefaultRegion(const Environment& env, std::string_view region) {
  if (!region.empty()) return std::string(region);
  for (const char* name : {"AWS_REGION", "AWS_DEFAULT_REGION"}) {
    const std::optional<std::string> value = env(name);
    if (value && !value->empty()) return *value;
  }
  return "";
}

std::string SigV4Provider(std::string_view region, std::string_view service) {
  return "aws:amz:" + std::string(region) + ":" + std::string(service);
}

std::string UriEncode(std::string_view value) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(value.size());
  for (char c : value) {
    const auto u = static_cast<unsigned char>(c);
    if (std::isalnum(u) || c == '-' || c == '_' || c == '.' || c == '~') {
      out += c;
    } else {
      out += '%';
      out += kHex[u >> 4];
      out += kHex[u & 0xF];
    }
  }
  return out;
}

std::string LambdaInvokeUrl(std::string_view endpoint, std::string_view function,
                            std::string_view qualifier) {
  std::string url =
      std::string(endpoint) + "/2015-03-31/functions/" + UriEncode(function) + "/invocations";
  if (!qualifier.empty()) url += "?Qualifier=" + UriEncode(qualifier);
  return url;
}

std::string SageMakerInvokeUrl(std::string_view endpoint, std::string_view endpoint_name) {
  return std::string(endpoint) + "/endpoints/" + UriEncode(endpoint_name) + "/invocations";
}

}  // namespace infercost::aws
