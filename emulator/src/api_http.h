// A request and a reply as the AWS API side of the emulator sees them, free of CivetWeb:
// server.cc fills HttpRequest from the connection and writes ApiReply back.
#ifndef EMULATOR_SRC_API_HTTP_H_
#define EMULATOR_SRC_API_HTTP_H_

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace emulator {

struct HttpRequest {
  std::string method;
  std::string path;   // as sent: still percent-encoded, without the query
  std::string query;  // as sent, after '?'
  std::vector<std::pair<std::string, std::string>> headers;  // as received, in order
  std::string body;

  // The first header named `name` (case-insensitive); "" when absent.
  std::string_view Header(std::string_view name) const;
  bool HasHeader(std::string_view name) const;
};

struct ApiReply {
  int status = 200;
  std::string content_type = "application/json";
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
};

// Percent-decoding of a URI component ("%3A" → ":"); '+' stays '+'.
std::string PercentDecode(std::string_view text);
// RFC 3986 encoding as SigV4 wants it: everything but A-Z a-z 0-9 - _ . ~ (and '/' when
// `keep_slash`) becomes %XX with upper-case hex.
std::string PercentEncode(std::string_view text, bool keep_slash);
// The value of `name` in an application/x-www-form-urlencoded body or a query string ('+' is a
// space there); "" when absent.
std::string FormValue(std::string_view form, std::string_view name);

// The text of a JSON string (without its quotes) and of XML character data or an attribute.
std::string JsonText(std::string_view text);
std::string XmlText(std::string_view text);

}  // namespace emulator

#endif  // EMULATOR_SRC_API_HTTP_H_
