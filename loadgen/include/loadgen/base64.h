// Base64 (RFC 4648, standard alphabet): the one encoder (request bodies) and the one decoder
// (Lambda's X-Amz-Log-Result) of the engine. Pure and thread-safe.
#ifndef LOADGEN_BASE64_H_
#define LOADGEN_BASE64_H_

#include <string>
#include <string_view>

namespace loadgen {

// With '=' padding to a multiple of four characters.
std::string Base64Encode(std::string_view bytes);

// Replaces `*out` with the bytes `text` encodes (reusing its capacity: the engine decodes into a
// buffer per request). Padding is optional, but when present it must end the text and complete
// its last group. False, with `*out` unspecified, for anything else: characters outside the
// alphabet (blanks, line breaks, the URL-safe '-' and '_' too), '=' inside the text, or a length
// that no encoding has (a lone character in the last group).
bool Base64Decode(std::string_view text, std::string* out);

}  // namespace loadgen

#endif  // LOADGEN_BASE64_H_
