// STS, the two calls the credential chain makes: AssumeRole (SigV4-signed with the source keys)
// and AssumeRoleWithWebIdentity (unsigned: the web identity token is the proof). Both use the
// Query API (POST, form-encoded, Version=2011-06-15) and read the XML answer.
// Thread contract: pure, blocking (HTTP).
#ifndef INFERCOST_AWS_STS_H_
#define INFERCOST_AWS_STS_H_

#include <optional>
#include <string>
#include <string_view>

#include "aws/credentials.h"

namespace infercost::aws {

struct AssumeRoleRequest {
  std::string role_arn;
  std::string session_name;  // empty: infercost-<unix seconds>
  std::string external_id;   // optional
  std::optional<int> duration_seconds;
  std::string region;  // empty: AWS_REGION, AWS_DEFAULT_REGION, else the global endpoint
};

// The endpoint STS calls go to: AWS_ENDPOINT_URL_STS, else AWS_ENDPOINT_URL, else
// https://sts.<region>.amazonaws.com (the SDKs' regional default), or https://sts.amazonaws.com
// when no region is known. `*signing_region` gets the region to sign for (us-east-1 for global).
std::string StsEndpoint(const Environment& env, std::string_view region,
                        std::string* signing_region);

Lookup AssumeRole(const Environment& env, const Credentials& source,
                  const AssumeRoleRequest& request);
// `token` is the web identity token (a JWT), sent as WebIdentityToken.
Lookup AssumeRoleWithWebIdentity(const Environment& env, const AssumeRoleRequest& request,
                                 const std::string& token);

namespace internal {
// The credentials of an AssumeRole / AssumeRoleWithWebIdentity XML answer, or the error its
// ErrorResponse states (Code: Message), or an error naming what was missing.
Lookup ParseStsAnswer(long http_status, std::string_view xml, std::string_view action);
}  // namespace internal

}  // namespace infercost::aws

#endif  // INFERCOST_AWS_STS_H_
