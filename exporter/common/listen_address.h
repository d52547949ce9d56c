// The one parser of a listen address (the config's `listen`, --listen flags), written as users
// of Prometheus exporters write it, after Go's net.Listen:
//   HOST:PORT     0.0.0.0:18090, 127.0.0.1:0, localhost:18090
//   [IPV6]:PORT   [::1]:18090, [::]:18090 (IPv6 only in brackets)
//   :PORT         every interface, like Go's ":18090" (bound as 0.0.0.0)
// PORT is 0 to 65535; 0 asks the kernel for a free port (tests, the embedded emulator). Whether a
// host name is valid is the caller's rule (the config checks it as it checks URL hosts); binding
// reports a host that is not this machine's.
#ifndef INFERCOST_COMMON_LISTEN_ADDRESS_H_
#define INFERCOST_COMMON_LISTEN_ADDRESS_H_

#include <optional>
#include <string>
#include <string_view>

namespace infercost {

struct ListenAddress {
  std::string host;  // as written, IPv6 in brackets ("[::1]"); "" = every interface
  int port = 0;

  bool ipv6() const { return !host.empty() && host.front() == '['; }
  // The host to bind, in URL form: "0.0.0.0" for every interface, else `host`.
  std::string BindHost() const { return host.empty() ? "0.0.0.0" : host; }
  // BindHost():PORT, e.g. "0.0.0.0:18090", "[::1]:0".
  std::string ToString() const { return BindHost() + ":" + std::to_string(port); }
};

// Nullopt when malformed, with *error saying why in words that follow the value:
// "must be HOST:PORT, e.g. 0.0.0.0:18090" or "has a bad port '70000' (0 to 65535)".
std::optional<ListenAddress> ParseListenAddress(std::string_view text, std::string* error);

}  // namespace infercost

#endif  // INFERCOST_COMMON_LISTEN_ADDRESS_H_
