// A strict reader for the one JSON shape the AWS credential endpoints answer with: a single flat
// object whose values are strings, numbers, booleans or null, e.g. credential_process's
//   {"Version": 1, "AccessKeyId": "AKIA...", "SecretAccessKey": "...", "Expiration": "..."}
// Nested objects and arrays, duplicate keys, trailing commas and anything after the object are
// refused: a credential answer that is not exactly this shape is an error, not a guess.
// Thread contract: pure functions.
#ifndef INFERCOST_AWS_FLAT_JSON_H_
#define INFERCOST_AWS_FLAT_JSON_H_

#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace infercost::aws {

// Every member as text: strings unescaped, numbers, true, false and null as written.
struct FlatJsonObject {
  std::map<std::string, std::string, std::less<>> members;

  // The member's text, or nullopt when it is absent.
  std::optional<std::string> Get(std::string_view key) const;
};

// The object in `text`, or nullopt with `*error` saying where it went wrong (never quoting a
// value: the values are secrets).
std::optional<FlatJsonObject> ParseFlatJsonObject(std::string_view text, std::string* error);

}  // namespace infercost::aws

#endif  // INFERCOST_AWS_FLAT_JSON_H_
