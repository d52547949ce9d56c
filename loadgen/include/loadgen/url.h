// Checks of target URLs and their host and port parts: the one place infercost decides whether a
// URL can be loaded. libcurl's URL parser is the final judge (what it rejects, the engine could
// not send); the checks before it only say more precisely what is wrong. Thread-safe (pure).
#ifndef LOADGEN_URL_H_
#define LOADGEN_URL_H_

#include <optional>
#include <string>
#include <string_view>

namespace loadgen {

// "" when `url` is an absolute http:// or https:// URL with a valid host (and port 1..65535) that
// libcurl accepts; otherwise what is wrong, as a phrase to follow the URL in a message, e.g.
// "has scheme 'ftp'; use http or https", "has no host", "has a bad port '99999' (1 to 65535)".
std::string UrlError(std::string_view url);

// "" when `host` is a DNS name (labels of letters, digits, '-' and '_', none starting with '-'),
// an IPv4 address or a bracketed IPv6 address; otherwise what is wrong ("has no host", ...).
std::string HostError(std::string_view host);

// "digits" as a port within [min, 65535]; nullopt otherwise.
std::optional<int> ParsePort(std::string_view text, int min);

// Splits "host:port" where host may be "[v6]"; `has_port` says whether a ':' part was there.
// False when the text cannot be split (a '[' without ']', or junk after "]").
bool SplitHostPort(std::string_view authority, std::string_view* host, std::string_view* port,
                   bool* has_port);

}  // namespace loadgen

#endif  // LOADGEN_URL_H_
