#include "aws/profile.h"

#include <fstream>
#include <set>
#include <sstream>

#include "aws/sts.h"

namespace infercost::aws {
namespace {

// role_arn chains (a source_profile that itself assumes a role) longer than this are refused.
constexpr int kMaxRoleChain = 5;

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) {
    s.remove_suffix(1);
  }
  return s;
}

std::string Lower(std::string_view s) {
  std::string out;
  for (char c : s) out.push_back(static_cast<char>(c >= 'A' && c <= 'Z' ? c + 32 : c));
  return out;
}

std::string Get(const ProfileProperties& p, std::string_view key) {
  const auto it = p.find(key);
  return it == p.end() ? std::string() : it->second;
}

// The two files, read once per lookup (they may change between refreshes).
struct SharedFiles {
  IniSections config;
  IniSections credentials;
  std::string config_path;
  std::string credentials_path;
};

SharedFiles ReadSharedFiles(const Environment& env) {
  const std::string home = env("HOME").value_or("");
  SharedFiles files;
  files.config_path = env("AWS_CONFIG_FILE").value_or(home + "/.aws/config");
  files.credentials_path = env("AWS_SHARED_CREDENTIALS_FILE").value_or(home + "/.aws/credentials");
  for (auto [path, sections] : {std::pair{&files.config_path, &files.config},
                                std::pair{&files.credentials_path, &files.credentials}}) {
    std::ifstream in(*path, std::ios::binary);
    if (!in) continue;  // a missing file is an empty one, as in the SDKs
    std::ostringstream text;
    text << in.rdbuf();
    *sections = ParseIni(text.str());
  }
  return files;
}

class ProfileResolver {
 public:
  ProfileResolver(const Environment& env, SharedFiles files)
      : env_(env), files_(std::move(files)) {}

  Lookup Resolve(const std::string& name, bool explicit_profile, int depth) {
    visited_.insert(name);
    const std::optional<ProfileProperties> found =
        FindProfile(files_.config, files_.credentials, name);
    if (!found) {
      const std::string why = "profile " + name + " is in neither " + files_.config_path + " nor " +
                              files_.credentials_path;
      return explicit_profile ? Lookup::Error(why) : Lookup::NotConfigured(why);
    }
    const ProfileProperties& p = *found;
    if (!Get(p, "role_arn").empty()) return AssumeRoleProfile(name, p, depth);
    if (!Get(p, "aws_access_key_id").empty() || !Get(p, "aws_secret_access_key").empty()) {
      return StaticKeys(name, p);
    }
    if (!Get(p, "credential_process").empty()) return FromProcess(Get(p, "credential_process"));
    if (!Get(p, "sso_start_url").empty() || !Get(p, "sso_session").empty()) {
      return Lookup::Error("profile " + name +
                           " uses IAM Identity Center (SSO), which infercost "
                           "does not support; use credential_process or a role");
    }
    const std::string why = "profile " + name + " has no credentials";
    return explicit_profile ? Lookup::Error(why) : Lookup::NotConfigured(why);
  }

 private:
  static Lookup StaticKeys(const std::string& name, const ProfileProperties& p) {
    Credentials c;
    c.access_key_id = Get(p, "aws_access_key_id");
    c.secret_access_key = Get(p, "aws_secret_access_key");
    c.session_token = Get(p, "aws_session_token");
    if (c.access_key_id.empty() || c.secret_access_key.empty()) {
      return Lookup::Error("profile " + name +
                           " needs both aws_access_key_id and aws_secret_access_key");
    }
    return Lookup::Found(std::move(c));
  }

  Lookup SourceCredentials(const std::string& name, const ProfileProperties& p, int depth) {
    const std::string source_profile = Get(p, "source_profile");
    const std::string credential_source = Get(p, "credential_source");
    if (!source_profile.empty() && !credential_source.empty()) {
      return Lookup::Error("profile " + name + " sets both source_profile and credential_source");
    }
    if (!source_profile.empty()) {
      // A profile naming itself takes its own static keys (as botocore allows).
      if (source_profile == name) return StaticKeys(name, p);
      if (!visited_.insert(source_profile).second || depth >= kMaxRoleChain) {
        return Lookup::Error("profile " + name + ": source_profile " + source_profile +
                             " forms a loop or a chain longer than " +
                             std::to_string(kMaxRoleChain));
      }
      return Resolve(source_profile, true, depth + 1);
    }
    if (credential_source == "Environment") return FromEnvironment(env_);
    if (credential_source == "Ec2InstanceMetadata") return FromInstanceMetadata(env_);
    if (credential_source == "EcsContainer") return FromContainer(env_);
    if (!credential_source.empty()) {
      return Lookup::Error("profile " + name +
                           ": credential_source must be Environment, "
                           "Ec2InstanceMetadata or EcsContainer");
    }
    return Lookup::Error("profile " + name +
                         " has role_arn but no source_profile, credential_source or "
                         "web_identity_token_file");
  }

  Lookup AssumeRoleProfile(const std::string& name, const ProfileProperties& p, int depth) {
    if (!Get(p, "mfa_serial").empty()) {
      return Lookup::Error("profile " + name +
                           " needs an MFA code (mfa_serial), which a "
                           "long-running service cannot type");
    }
    if (!Get(p, "web_identity_token_file").empty() && Get(p, "source_profile").empty() &&
        Get(p, "credential_source").empty()) {
      return FromWebIdentity(env_, Get(p, "role_arn"), Get(p, "web_identity_token_file"),
                             Get(p, "role_session_name"));
    }
    Lookup source = SourceCredentials(name, p, depth);
    if (!source.found()) {
      if (source.status == Lookup::Status::kNotConfigured) source.status = Lookup::Status::kError;
      return source;
    }
    AssumeRoleRequest request;
    request.role_arn = Get(p, "role_arn");
    request.session_name = Get(p, "role_session_name");
    request.external_id = Get(p, "external_id");
    request.region = Get(p, "region");
    if (const std::string d = Get(p, "duration_seconds"); !d.empty()) {
      try {
        request.duration_seconds = std::stoi(d);
      } catch (const std::exception&) {
        return Lookup::Error("profile " + name + ": duration_seconds is not a number");
      }
    }
    return AssumeRole(env_, *source.credentials, request);
  }

  const Environment& env_;
  SharedFiles files_;
  std::set<std::string, std::less<>> visited_;
};

}  // namespace

IniSections ParseIni(std::string_view text) {
  IniSections sections;
  ProfileProperties* current = nullptr;
  while (!text.empty()) {
    const std::size_t eol = text.find('\n');
    std::string_view line = text.substr(0, eol);
    text = eol == std::string_view::npos ? std::string_view() : text.substr(eol + 1);
    const bool indented = !line.empty() && (line.front() == ' ' || line.front() == '\t');
    line = Trim(line);
    if (line.empty() || line.front() == '#' || line.front() == ';') continue;
    if (line.front() == '[' && line.back() == ']') {
      current = &sections[std::string(Trim(line.substr(1, line.size() - 2)))];
      continue;
    }
    const std::size_t eq = line.find('=');
    if (current == nullptr || indented || eq == std::string_view::npos) continue;
    (*current)[Lower(Trim(line.substr(0, eq)))] = std::string(Trim(line.substr(eq + 1)));
  }
  return sections;
}

std::optional<ProfileProperties> FindProfile(const IniSections& config,
                                             const IniSections& credentials,
                                             std::string_view name) {
  std::optional<ProfileProperties> merged;
  auto overlay = [&merged](const ProfileProperties& p) {
    if (!merged) merged.emplace();
    for (const auto& [key, value] : p) (*merged)[key] = value;
  };
  if (name == "default") {
    if (const auto it = config.find("default"); it != config.end()) overlay(it->second);
  }
  if (const auto it = config.find("profile " + std::string(name)); it != config.end()) {
    overlay(it->second);
  }
  if (const auto it = credentials.find(name); it != credentials.end()) overlay(it->second);
  return merged;
}

std::vector<std::string> SplitCommandLine(std::string_view command) {
  std::vector<std::string> args;
  std::string arg;
  bool in_arg = false;
  char quote = 0;
  for (std::size_t i = 0; i < command.size(); ++i) {
    const char c = command[i];
    if (quote != 0) {
      if (c == quote) {
        quote = 0;
      } else if (c == '\\' && quote == '"' && i + 1 < command.size()) {
        arg.push_back(command[++i]);
      } else {
        arg.push_back(c);
      }
    } else if (c == ' ' || c == '\t' || c == '\n') {
      if (in_arg) args.push_back(std::move(arg));
      arg.clear();
      in_arg = false;
    } else if (c == '\'' || c == '"') {
      quote = c;
      in_arg = true;
    } else if (c == '\\' && i + 1 < command.size()) {
      arg.push_back(command[++i]);
      in_arg = true;
    } else {
      arg.push_back(c);
      in_arg = true;
    }
  }
  if (in_arg) args.push_back(std::move(arg));
  return args;
}

Lookup FromProfile(const Environment& env, std::string name, bool explicit_profile) {
  if (name.empty()) {
    if (const std::optional<std::string> from_env = env("AWS_PROFILE");
        from_env && !from_env->empty()) {
      name = *from_env;
      explicit_profile = true;  // the SDKs fail, not fall through, on a missing AWS_PROFILE
    } else {
      name = "default";
    }
  }
  ProfileResolver resolver(env, ReadSharedFiles(env));
  return resolver.Resolve(name, explicit_profile, 0);
}

}  // namespace infercost::aws
