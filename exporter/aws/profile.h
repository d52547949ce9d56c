// The shared config and credentials files (~/.aws/config, ~/.aws/credentials): their INI form as
// the SDKs read it, and the merged properties of one profile. Thread contract: pure.
#ifndef INFERCOST_AWS_PROFILE_H_
#define INFERCOST_AWS_PROFILE_H_

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "aws/credentials.h"

namespace infercost::aws {

using ProfileProperties = std::map<std::string, std::string, std::less<>>;
using IniSections = std::map<std::string, ProfileProperties, std::less<>>;

// Sections and their `key = value` lines. Keys are lower-cased; whole-line comments (# or ;) and
// indented sub-properties (`s3 =` followed by indented lines) are skipped; values are trimmed,
// with no inline comments (as Python's configparser, which botocore uses).
IniSections ParseIni(std::string_view text);

// The properties of profile `name`: the config file's [profile name] (or [default] for
// "default"; a bare [name] there is not a profile) overlaid by the credentials file's [name].
// nullopt when neither file has it.
std::optional<ProfileProperties> FindProfile(const IniSections& config,
                                             const IniSections& credentials, std::string_view name);

// Splits a credential_process command line into arguments: blanks separate, '…' and "…" quote,
// a backslash escapes the next character outside single quotes.
std::vector<std::string> SplitCommandLine(std::string_view command);

}  // namespace infercost::aws

#endif  // INFERCOST_AWS_PROFILE_H_
