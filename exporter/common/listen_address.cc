#include "common/listen_address.h"

#include <charconv>

namespace infercost {

std::optional<ListenAddress> ParseListenAddress(std::string_view text, std::string* error) {
  // The port follows the last colon; an IPv6 host has colons of its own, hence the brackets.
  const std::size_t colon = text.rfind(':');
  const std::string_view host = colon == std::string_view::npos ? text : text.substr(0, colon);
  const bool bracketed = !host.empty() && host.front() == '[';
  const bool host_ok = bracketed ? host.size() > 2 && host.back() == ']' &&
                                       host.find_first_of("[]", 1) == host.size() - 1
                                 : host.find_first_of(":[]") == std::string_view::npos;
  if (colon == std::string_view::npos || !host_ok) {
    *error = "must be HOST:PORT, e.g. 0.0.0.0:18090";
    return std::nullopt;
  }
  const std::string_view port_text = text.substr(colon + 1);
  int port = -1;
  const char* end = port_text.data() + port_text.size();
  const auto [stop, ec] = std::from_chars(port_text.data(), end, port);
  if (port_text.empty() || port_text.size() > 5 || ec != std::errc() || stop != end || port < 0 ||
      port > 65535) {
    *error = "has a bad port '" + std::string(port_text) + "' (0 to 65535)";
    return std::nullopt;
  }
  return ListenAddress{std::string(host), port};
}

}  // namespace infercost
