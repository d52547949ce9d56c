// A configured target's AWS side. See aws_targets.h.
#include "serve/aws_targets.h"

#include <sstream>
#include <utility>

#include "aws/endpoints.h"

namespace infercost {
namespace {

aws::Source ToSource(CredentialsSource source) {
  switch (source) {
    case CredentialsSource::kDefault:
      return aws::Source::kDefault;
    case CredentialsSource::kStatic:
      return aws::Source::kStatic;
    case CredentialsSource::kProfile:
      return aws::Source::kProfile;
    case CredentialsSource::kWebIdentity:
      return aws::Source::kWebIdentity;
    case CredentialsSource::kContainer:
      return aws::Source::kContainer;
    case CredentialsSource::kInstance:
      return aws::Source::kInstance;
    case CredentialsSource::kProcess:
      return aws::Source::kProcess;
  }
  return aws::Source::kDefault;
}

// How refreshers are named in logs and in the redaction registry: the source and what it names.
std::string RefresherName(const CredentialsConfig& c) {
  std::string name(Name(c.source));
  if (!c.profile.empty()) name += ":" + c.profile;
  if (!c.role_arn.empty()) name += ":" + c.role_arn;
  return name;
}

loadgen::SigV4 Signed(std::string provider) {
  loadgen::SigV4 sigv4;
  sigv4.provider = std::move(provider);
  return sigv4;
}

}  // namespace

aws::CredentialsSpec ToCredentialsSpec(const CredentialsConfig& c) {
  aws::CredentialsSpec spec;
  spec.source = ToSource(c.source);
  spec.static_keys = aws::Credentials{c.access_key, c.secret_key, c.session_token, std::nullopt};
  spec.profile = c.profile;
  spec.command = c.command;
  spec.role_arn = c.role_arn;
  spec.token_file = c.token_file;
  spec.role_session_name = c.role_session_name;
  return spec;
}

std::string CredentialsFingerprint(const CredentialsConfig& c) {
  std::ostringstream out;
  for (const std::string& field :
       {std::string(Name(c.source)), c.access_key, c.secret_key, c.session_token, c.profile,
        c.command, c.role_arn, c.token_file, c.role_session_name}) {
    out << field.size() << ':' << field << ';';
  }
  return out.str();
}

CredentialsPool::CredentialsPool(aws::Environment env, aws::RefreshPolicy policy)
    : env_(std::move(env)), policy_(policy) {}

CredentialsPool::Acquired CredentialsPool::Acquire(const CredentialsConfig& config) {
  const std::string key = CredentialsFingerprint(config);
  if (auto it = refreshers_.find(key); it != refreshers_.end()) return {it->second, ""};
  if (auto it = failed_.find(key); it != failed_.end()) return {nullptr, it->second};
  const aws::CredentialsSpec spec = ToCredentialsSpec(config);
  aws::Environment env = env_;
  auto refresher = std::make_shared<aws::CredentialsRefresher>(
      RefresherName(config), [spec, env] { return aws::Resolve(spec, env); }, policy_);
  refresher->RunDue();
  if (!refresher->HasCredentials()) {
    std::string error =
        "credentials (source " + std::string(Name(config.source)) + "): " + refresher->LastError();
    failed_.emplace(key, error);
    return {nullptr, std::move(error)};
  }
  refresher->Start();
  refreshers_.emplace(key, refresher);
  return {refresher, ""};
}

void CredentialsPool::Release() {
  failed_.clear();
  for (auto it = refreshers_.begin(); it != refreshers_.end();) {
    it = it->second.use_count() == 1 ? refreshers_.erase(it) : std::next(it);
  }
}

aws::Environment EmulatedAwsEnvironment(std::string emulator_url) {
  return [url = std::move(emulator_url)](std::string_view name) -> std::optional<std::string> {
    if (name == "AWS_EC2_METADATA_SERVICE_ENDPOINT") return url;
    return std::nullopt;
  };
}

AwsBinding PrepareAwsTarget(TargetConfig* target, CredentialsPool* pool) {
  const AwsTargetConfig& a = target->aws;
  loadgen::RequestSpec& request = target->request;
  const aws::Environment& env = pool->environment();
  switch (target->kind) {
    case TargetKind::kHttp:
      break;
    case TargetKind::kLambda:
      request.url =
          aws::LambdaInvokeUrl(aws::ServiceEndpoint(env, aws::kLambda, a.region, a.endpoint_url),
                               a.function, a.qualifier);
      request.method = "POST";
      request.protocol = loadgen::Protocol::kLambdaInvoke;
      request.sigv4 = Signed(aws::SigV4Provider(a.region, aws::kLambda.signing_name));
      break;
    case TargetKind::kSageMaker:
      request.url = aws::SageMakerInvokeUrl(
          aws::ServiceEndpoint(env, aws::kSageMakerRuntime, a.region, a.endpoint_url), a.endpoint);
      request.method = "POST";
      request.protocol = loadgen::Protocol::kSageMakerInvoke;
      if (!a.variant.empty()) {
        request.headers.push_back("X-Amzn-SageMaker-Target-Variant: " + a.variant);
      }
      request.sigv4 = Signed(aws::SigV4Provider(a.region, aws::kSageMakerRuntime.signing_name));
      break;
    case TargetKind::kLambdaUrl:
      if (a.sign) {
        request.sigv4 = Signed(aws::SigV4Provider(a.region, aws::kLambda.signing_name));
      }
      break;
  }
  if (!a.sign || !request.sigv4 || !request.sigv4->access_key.empty()) return {};
  if (a.credentials.source == CredentialsSource::kStatic) {
    request.sigv4->access_key = a.credentials.access_key;
    request.sigv4->secret_key = a.credentials.secret_key;
    request.sigv4->session_token = a.credentials.session_token;
    return {};
  }
  CredentialsPool::Acquired acquired = pool->Acquire(a.credentials);
  if (!acquired.refresher) return {nullptr, acquired.error};
  request.sigv4->credentials = acquired.refresher;
  return {acquired.refresher, ""};
}

}  // namespace infercost
