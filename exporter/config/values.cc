// The config's rules that need no YAML: URL and listen-address checks, and how a load plan is
// shared among generators. Also used for command-line flags.
#include <algorithm>
#include <cctype>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/listen_address.h"
#include "config/config.h"
#include "loadgen/url.h"

namespace infercost {

namespace {

bool IsAlnum(char c) { return std::isalnum(static_cast<unsigned char>(c)) != 0; }

bool AllOf(std::string_view text, std::string_view extra) {
  return std::all_of(text.begin(), text.end(),
                     [&](char c) { return IsAlnum(c) || extra.find(c) != std::string_view::npos; });
}

bool IsAccountId(std::string_view text) {
  return text.size() == 12 &&
         std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; });
}

std::vector<std::string_view> Split(std::string_view text, char sep) {
  std::vector<std::string_view> parts;
  std::size_t start = 0;
  while (true) {
    const std::size_t end = text.find(sep, start);
    parts.push_back(text.substr(start, end == std::string_view::npos ? end : end - start));
    if (end == std::string_view::npos) break;
    start = end + 1;
  }
  return parts;
}

}  // namespace

bool IsRegionName(std::string_view region) {
  // us-east-1, eu-central-2, us-gov-west-1, cn-north-1: lower-case words, a digit last.
  return region.size() >= 4 && region.size() <= 32 &&
         std::isdigit(static_cast<unsigned char>(region.back())) != 0 &&
         std::all_of(
             region.begin(), region.end(),
             [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-'; }) &&
         region.find('-') != std::string_view::npos && region.front() != '-';
}

bool IsLambdaQualifier(std::string_view q) {
  return !q.empty() && q.size() <= 128 && (q == "$LATEST" || AllOf(q, "-_"));
}

bool IsSageMakerName(std::string_view name) {
  return !name.empty() && name.size() <= 63 && IsAlnum(name.front()) && IsAlnum(name.back()) &&
         AllOf(name, "-");
}

std::optional<FunctionName> ParseFunctionName(std::string_view text) {
  // my-function[:qualifier] | 123456789012:function:my-function[:qualifier] |
  // arn:<partition>:lambda:<region>:123456789012:function:my-function[:qualifier]
  const std::vector<std::string_view> parts = Split(text, ':');
  FunctionName out;
  std::size_t name_at = 0;
  if (parts.size() >= 7 && parts[0] == "arn") {
    if (!parts[1].starts_with("aws") || parts[2] != "lambda" || !IsRegionName(parts[3]) ||
        !IsAccountId(parts[4]) || parts[5] != "function" || parts.size() > 8) {
      return std::nullopt;
    }
    out.region = std::string(parts[3]);
    name_at = 6;
  } else if (parts.size() >= 3 && parts[1] == "function") {
    if (!IsAccountId(parts[0]) || parts.size() > 4) return std::nullopt;
    name_at = 2;
  } else if (parts.size() > 2) {
    return std::nullopt;
  }
  const std::string_view name = parts[name_at];
  if (name.empty() || name.size() > 64 || !AllOf(name, "-_")) return std::nullopt;
  if (parts.size() > name_at + 1) {
    if (!IsLambdaQualifier(parts[name_at + 1])) return std::nullopt;
    out.qualifier = std::string(parts[name_at + 1]);
  }
  out.name = std::string(name);
  return out;
}

std::string_view RegionOfFunctionUrl(std::string_view url) {
  // https://<url-id>.lambda-url.<region>.on.aws/...
  const std::size_t scheme = url.find("://");
  if (scheme == std::string_view::npos) return {};
  std::string_view host = url.substr(scheme + 3);
  host = host.substr(0, host.find_first_of("/:?#"));
  constexpr std::string_view kMarker = ".lambda-url.";
  constexpr std::string_view kSuffix = ".on.aws";
  const std::size_t at = host.find(kMarker);
  if (at == std::string_view::npos || !host.ends_with(kSuffix)) return {};
  const std::size_t from = at + kMarker.size();
  if (from + kSuffix.size() > host.size()) return {};
  return host.substr(from, host.size() - kSuffix.size() - from);
}

loadgen::LoadPlan ShardPlan(const loadgen::LoadPlan& plan, const Shard& shard,
                            std::size_t target_position) {
  return loadgen::SplitPlan(plan, shard.count, shard.index, target_position);
}

std::string ListenAddressError(std::string_view address) {
  std::string error;
  const std::optional<ListenAddress> listen = ParseListenAddress(address, &error);
  if (!listen) {
    return error;
  }
  // ":PORT" is every interface; a named host must be one a URL could name.
  return listen->host.empty() ? "" : loadgen::HostError(listen->host);
}

std::string UrlError(std::string_view url) { return loadgen::UrlError(url); }

}  // namespace infercost
