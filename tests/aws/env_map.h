// An injected environment for the credential tests: a map, so that no test calls setenv().
#ifndef TESTS_AWS_ENV_MAP_H_
#define TESTS_AWS_ENV_MAP_H_

#include <map>
#include <memory>
#include <string>

#include "aws/credentials.h"

namespace infercost::test {

inline aws::Environment EnvFrom(std::map<std::string, std::string> values) {
  auto shared = std::make_shared<const std::map<std::string, std::string>>(std::move(values));
  return [shared](std::string_view name) -> std::optional<std::string> {
    const auto it = shared->find(std::string(name));
    if (it == shared->end()) return std::nullopt;
    return it->second;
  };
}

// An STS AssumeRole / AssumeRoleWithWebIdentity answer in AWS's XML.
inline std::string StsXml(const std::string& action, const std::string& key,
                          const std::string& expiration) {
  return "<" + action + "Response xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\"><" + action +
         "Result><Credentials><AccessKeyId>" + key + "</AccessKeyId><SecretAccessKey>secret-of-" +
         key + "</SecretAccessKey><SessionToken>token-of-" + key + "</SessionToken><Expiration>" +
         expiration + "</Expiration></Credentials></" + action + "Result></" + action + "Response>";
}

}  // namespace infercost::test

#endif  // TESTS_AWS_ENV_MAP_H_
