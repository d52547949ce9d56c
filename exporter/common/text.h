// Text from outside (config files, environment variables, peers) checked and shown safely: the
// one UTF-8 check of infercost, and the one escape that keeps such text on one printable line
// in a message.
#ifndef INFERCOST_COMMON_TEXT_H_
#define INFERCOST_COMMON_TEXT_H_

#include <cstddef>
#include <string>
#include <string_view>

namespace infercost {

// The offset of the first byte that is not part of well-formed UTF-8 (RFC 3629: no overlong
// forms, no surrogates, nothing above U+10FFFF), or npos when all of `text` is.
std::size_t FindInvalidUtf8(std::string_view text);
inline bool IsValidUtf8(std::string_view text) {
  return FindInvalidUtf8(text) == std::string_view::npos;
}

// `text` with every control character written as \n, \r, \t or \xNN, every byte that is not
// UTF-8 as \xNN and a backslash as \\, so that it prints as one line whatever it holds.
std::string EscapeForMessage(std::string_view text);

}  // namespace infercost

#endif  // INFERCOST_COMMON_TEXT_H_
