// Internals of the container provider, exposed for tests: the ECS relative-URI host has no SDK
// override (it is always 169.254.170.2), so tests reach it through this seam.
#ifndef INFERCOST_AWS_METADATA_H_
#define INFERCOST_AWS_METADATA_H_

#include <string>

#include "aws/credentials.h"

namespace infercost::aws::internal {

// FromContainer() with AWS_CONTAINER_CREDENTIALS_RELATIVE_URI resolved against `relative_host`
// (e.g. "http://127.0.0.1:4321") instead of http://169.254.170.2.
Lookup FromContainer(const Environment& env, const std::string& relative_host);

}  // namespace infercost::aws::internal

#endif  // INFERCOST_AWS_METADATA_H_
