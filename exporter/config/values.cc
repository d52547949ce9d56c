// The config's rules that need no YAML: URL and listen-address checks, redaction of secrets, and
// how a load plan is shared among generators. Also used for command-line flags.
#include <algorithm>
#include <cctype>
#include <charconv>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/listen_address.h"
#include "config/config.h"

namespace infercost {
namespace {

// Built with append: GCC 12 at -O3 reports a false -Werror=restrict on "'" + std::string(...).
std::string Quote(std::string_view text) {
  std::string quoted = "'";
  quoted.append(text);
  quoted += '\'';
  return quoted;
}

// "" when `host` is a DNS name, an IPv4 address or a bracketed IPv6 address.
std::string HostError(std::string_view host) {
  if (host.empty()) {
    return "has no host";
  }
  if (host.front() == '[') {
    if (host.size() < 3 || host.back() != ']') {
      return "has a bad IPv6 host " + Quote(host);
    }
    for (char c : host.substr(1, host.size() - 2)) {
      if (std::isxdigit(static_cast<unsigned char>(c)) == 0 && c != ':' && c != '.') {
        return "has a bad IPv6 host " + Quote(host);
      }
    }
    return "";
  }
  std::string_view rest = host;
  if (rest.back() == '.') {
    rest.remove_suffix(1);  // a fully qualified name
  }
  while (true) {
    const std::size_t dot = rest.find('.');
    const std::string_view label = rest.substr(0, dot);
    const bool ok =
        !label.empty() && label.size() <= 63 && label.front() != '-' &&
        std::all_of(label.begin(), label.end(), [](char c) {
          return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '-' || c == '_';
        });
    if (!ok) {
      return "has a bad host " + Quote(host);
    }
    if (dot == std::string_view::npos) {
      break;
    }
    rest.remove_prefix(dot + 1);
  }
  return "";
}

// Parses "digits" into a port within [min, 65535].
std::optional<int> Port(std::string_view text, int min) {
  int port = 0;
  if (text.empty() || text.size() > 5) {
    return std::nullopt;
  }
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), port);
  if (ec != std::errc() || end != text.data() + text.size() || port < min || port > 65535) {
    return std::nullopt;
  }
  return port;
}

// Splits "host:port" where host may be "[v6]". False when there is no port part.
bool SplitHostPort(std::string_view authority, std::string_view* host, std::string_view* port,
                   bool* has_port) {
  if (!authority.empty() && authority.front() == '[') {
    const std::size_t close = authority.find(']');
    if (close == std::string_view::npos) {
      return false;
    }
    *host = authority.substr(0, close + 1);
    const std::string_view after = authority.substr(close + 1);
    *has_port = !after.empty();
    if (*has_port && after.front() != ':') {
      return false;
    }
    *port = *has_port ? after.substr(1) : std::string_view();
    return true;
  }
  const std::size_t colon = authority.find(':');
  *has_port = colon != std::string_view::npos;
  *host = authority.substr(0, colon);
  *port = *has_port ? authority.substr(colon + 1) : std::string_view();
  return true;
}
}  // namespace

loadgen::LoadPlan ShardPlan(const loadgen::LoadPlan& plan, const Shard& shard,
                            std::size_t target_position) {
  if (shard.count <= 1) {
    return plan;
  }
  const auto count = static_cast<std::size_t>(shard.count);
  const auto index = static_cast<std::size_t>(shard.index);
  // This shard's place after the rotation that spreads remainders over generators.
  const std::size_t rotated = (index + count - target_position % count) % count;
  loadgen::LoadPlan part = plan;
  for (loadgen::Stage& stage : part.stages) {
    switch (stage.kind) {
      case loadgen::Stage::Kind::kClosed: {
        const auto total = static_cast<std::size_t>(stage.concurrency);
        const std::size_t mine = total / count + (rotated < total % count ? 1 : 0);
        stage.concurrency = static_cast<int>(mine);
        if (mine == 0) {
          stage.kind = loadgen::Stage::Kind::kIdle;
        }
        break;
      }
      case loadgen::Stage::Kind::kOpen:
        stage.rate /= static_cast<double>(count);
        break;
      case loadgen::Stage::Kind::kIdle:
        break;
    }
  }
  if (part.max_in_flight > 0) {
    part.max_in_flight = (part.max_in_flight + shard.count - 1) / shard.count;
  }
  // Distinct streams per shard: the golden-ratio step keeps nearby seeds of different targets
  // from colliding.
  part.seed = plan.seed + static_cast<uint64_t>(shard.index) * 0x9E3779B97F4A7C15ULL;
  return part;
}

std::string ListenAddressError(std::string_view address) {
  std::string error;
  const std::optional<ListenAddress> listen = ParseListenAddress(address, &error);
  if (!listen) {
    return error;
  }
  // ":PORT" is every interface; a named host must be one a URL could name.
  return listen->host.empty() ? "" : HostError(listen->host);
}

std::string UrlError(std::string_view url) {
  if (url.empty()) {
    return "is empty";
  }
  for (char c : url) {
    const auto u = static_cast<unsigned char>(c);
    if (u <= 0x20 || u == 0x7f) {
      return "contains a space or control character";
    }
  }
  const std::size_t scheme_end = url.find("://");
  if (scheme_end == std::string_view::npos) {
    return "must start with http:// or https://";
  }
  std::string scheme;
  for (char c : url.substr(0, scheme_end)) {
    scheme += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  if (scheme != "http" && scheme != "https") {
    return "has scheme " + Quote(scheme) + "; use http or https";
  }
  std::string_view rest = url.substr(scheme_end + 3);
  const std::size_t authority_end = rest.find_first_of("/?#");
  std::string_view authority = rest.substr(0, authority_end);
  const std::size_t at = authority.rfind('@');
  if (at != std::string_view::npos) {
    authority.remove_prefix(at + 1);
  }
  std::string_view host;
  std::string_view port;
  bool has_port = false;
  if (!SplitHostPort(authority, &host, &port, &has_port)) {
    return "has a bad host";
  }
  if (std::string error = HostError(host); !error.empty()) {
    return error;
  }
  if (has_port && !Port(port, 1)) {
    return "has a bad port " + Quote(port) + " (1 to 65535)";
  }
  const std::string_view tail =
      authority_end == std::string_view::npos ? std::string_view() : rest.substr(authority_end);
  for (std::size_t i = 0; i < tail.size(); ++i) {
    if (tail[i] != '%') {
      continue;
    }
    if (i + 2 >= tail.size() || std::isxdigit(static_cast<unsigned char>(tail[i + 1])) == 0 ||
        std::isxdigit(static_cast<unsigned char>(tail[i + 2])) == 0) {
      return "has a bad %-escape";
    }
  }
  return "";
}
}  // namespace infercost
