// The config's rules that need no YAML: URL and listen-address checks, redaction of secrets, and
// how a load plan is shared among generators. Also used for command-line flags.
#include <algorithm>
#include <cctype>
#include <charconv>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "config/config.h"
#include "loadgen/url.h"

namespace infercost {
namespace {

// Built with append: GCC 12 at -O3 reports a false -Werror=restrict on "'" + std::string(...).
std::string Quote(std::string_view text) {
  std::string quoted = "'";
  quoted.append(text);
  quoted += '\'';
  return quoted;
}

}  // namespace

std::string Redact(const std::string& text, const std::vector<std::string>& secrets) {
  std::vector<std::string_view> by_length;
  for (const std::string& s : secrets) {
    if (!s.empty()) {
      by_length.push_back(s);
    }
  }
  if (by_length.empty()) {
    return text;
  }
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
  return loadgen::SplitPlan(plan, shard.count, shard.index, target_position);
}

std::string ListenAddressError(std::string_view address) {
  std::string_view host;
  std::string_view port;
  bool has_port = false;
  if (!loadgen::SplitHostPort(address, &host, &port, &has_port) || !has_port) {
    return "must be HOST:PORT, e.g. 0.0.0.0:18090";
  }
  if (std::string error = loadgen::HostError(host); !error.empty()) {
    return error;
  }
  if (!loadgen::ParsePort(port, 0)) {
    return "has a bad port " + Quote(port) + " (0 to 65535)";
  }
  return "";
}

std::string UrlError(std::string_view url) { return loadgen::UrlError(url); }

}  // namespace infercost
