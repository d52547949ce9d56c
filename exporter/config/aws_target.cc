// The config's reader: a target's kind (http, lambda, lambda_url, sagemaker), its AWS names and
// region, request signing (`auth:`) and where its AWS credentials come from (`credentials:`).
// See parser.h. The names are checked here against AWS's own patterns; the URLs they become are
// derived by the aws module when the target is started (serve/aws_targets.h).
#include <algorithm>
#include <cctype>
#include <string>
#include <utility>

#include "config/parser.h"

namespace infercost::config_internal {
namespace {

// Which kinds each kind-specific target key applies to.
struct KindKeyUse {
  std::string_view key;
  std::vector<TargetKind> kinds;
  std::string_view note;  // appended to "applies to ... only"
};
const KindKeyUse kKindKeyUses[] = {
    {"url", {TargetKind::kHttp, TargetKind::kLambdaUrl}, "; lambda and sagemaker are named"},
    {"function", {TargetKind::kLambda}, ""},
    {"qualifier", {TargetKind::kLambda}, ""},
    {"endpoint", {TargetKind::kSageMaker}, ""},
    {"variant", {TargetKind::kSageMaker}, ""},
    {"endpoint_url", {TargetKind::kLambda, TargetKind::kSageMaker}, ""},
};

}  // namespace

void Parser::ReadKind(const YamlFields& fields, TargetConfig* target) {
  if (const YamlField* f = fields.Find("kind")) {
    if (auto kind = Enum(*f, kTargetKinds)) target->kind = *kind;
  }
  const std::string kind(Name(target->kind));
  for (const KindKeyUse& use : kKindKeyUses) {
    const YamlField* f = fields.Find(use.key);
    if (f == nullptr ||
        std::find(use.kinds.begin(), use.kinds.end(), target->kind) != use.kinds.end()) {
      continue;
    }
    std::string kinds;
    for (std::size_t i = 0; i < use.kinds.size(); ++i) {
      kinds += (i == 0                      ? ""
                : i + 1 == use.kinds.size() ? " and "
                                            : ", ") +
               std::string(Name(use.kinds[i]));
    }
    Fail(f->Where(), std::string(use.key) + ": applies to kind " + kinds + " only, not " + kind +
                         std::string(use.note));
  }
  AwsTargetConfig& aws = target->aws;
  if (const YamlField* f = fields.Find("region")) {
    if (auto region = String(*f)) {
      if (IsRegionName(*region)) {
        aws.region = *region;
      } else {
        Fail(f->Where(),
             "region: " + Quote(f->value->text) + " is not an AWS region name like us-east-1");
      }
    }
  }
  switch (target->kind) {
    case TargetKind::kLambda:
      ReadLambda(fields, &aws);
      break;
    case TargetKind::kSageMaker:
      ReadSageMaker(fields, &aws);
      break;
    case TargetKind::kLambdaUrl:
    case TargetKind::kHttp:
      break;
  }
  if (const YamlField* f = fields.Find("endpoint_url")) {
    if (auto url = String(*f)) {
      if (std::string error = UrlError(*url); !error.empty()) {
        Fail(f->Where(), "endpoint_url: " + Quote(f->value->text) + " " + error);
      } else {
        aws.endpoint_url = *url;
      }
    }
  }
}

void Parser::ReadLambda(const YamlFields& fields, AwsTargetConfig* aws) {
  aws->sign = true;
  std::string derived_qualifier;
  if (const YamlField* f =
          Require(fields, "function", "target: kind lambda needs function: its name or ARN")) {
    if (auto text = String(*f)) {
      if (std::optional<FunctionName> name = ParseFunctionName(*text)) {
        aws->function = *text;
        derived_qualifier = name->qualifier;
        if (!name->region.empty()) {
          if (!aws->region.empty() && aws->region != name->region) {
            Fail(f->Where(), "function: the ARN's region " + Quote(name->region) +
                                 " differs from region " + Quote(aws->region));
          }
          aws->region = name->region;
        }
      } else {
        Fail(f->Where(), "function: " + Quote(f->value->text) +
                             " is not a Lambda function name (1 to 64 of A-Z, a-z, 0-9, '-', "
                             "'_') or ARN (arn:aws:lambda:REGION:ACCOUNT:function:NAME)");
      }
    }
  }
  if (const YamlField* f = fields.Find("qualifier")) {
    if (auto q = String(*f)) {
      if (!IsLambdaQualifier(*q)) {
        Fail(f->Where(), "qualifier: " + Quote(f->value->text) +
                             " is not a version or alias ($LATEST, 1, live, ...)");
      } else if (!derived_qualifier.empty() && derived_qualifier != *q) {
        Fail(f->Where(), "qualifier: " + Quote(*q) + " differs from the function's own " +
                             Quote(derived_qualifier));
      } else {
        aws->qualifier = *q;
      }
    }
  }
}

void Parser::ReadSageMaker(const YamlFields& fields, AwsTargetConfig* aws) {
  aws->sign = true;
  auto name = [&](const YamlField& f, std::string_view what, std::string* out) {
    if (auto text = String(f)) {
      if (IsSageMakerName(*text)) {
        *out = *text;
      } else {
        Fail(f.Where(), f.name + ": " + Quote(f.value->text) + " is not a SageMaker " +
                            std::string(what) +
                            " name (1 to 63 of A-Z, a-z, 0-9 and '-', starting and ending with "
                            "a letter or digit)");
      }
    }
  };
  if (const YamlField* f =
          Require(fields, "endpoint", "target: kind sagemaker needs endpoint: its name")) {
    name(*f, "endpoint", &aws->endpoint);
  }
  if (const YamlField* f = fields.Find("variant")) name(*f, "variant", &aws->variant);
}

// After url, pricing and auth are read: the region every part agrees on, and the signing.
void Parser::SettleAws(const YamlFields& fields, TargetConfig* target, bool pricing_region) {
  AwsTargetConfig& aws = target->aws;
  if (target->kind == TargetKind::kLambdaUrl && aws.region.empty()) {
    aws.region = std::string(RegionOfFunctionUrl(target->request.url));
  }
  if (aws.region.empty()) {
    aws.region = target->pricing.region;
  } else if (pricing_region && target->pricing.region != aws.region) {
    const YamlField* pricing = fields.Find("pricing");
    Fail(pricing != nullptr ? pricing->Where() : fields.anchor,
         "pricing.region: " + Quote(target->pricing.region) + " differs from the target's region " +
             Quote(aws.region) + "; price a target in its own region");
  }
  if (target->kind == TargetKind::kLambda || target->kind == TargetKind::kSageMaker) {
    if (const YamlField* f = fields.Find("method");
        f != nullptr && target->request.method != "POST") {
      Fail(f->Where(),
           "method: " + std::string(Name(target->kind)) + " targets are invoked with POST only");
    }
  }
}

void Parser::ReadAuth(const YamlField& f, TargetConfig* target) {
  if (target->kind == TargetKind::kLambda || target->kind == TargetKind::kSageMaker) {
    Fail(f.Where(), "auth: " + std::string(Name(target->kind)) +
                        " targets are always SigV4-signed; give their keys' source in "
                        "credentials:");
    return;
  }
  if (target->kind == TargetKind::kLambdaUrl) {
    constexpr std::string_view kAuthTypes[] = {"aws_iam", "none"};
    if (!f.value->IsScalar()) {
      Fail(f.Where(), "auth: a Function URL takes auth: aws_iam (the default) or auth: none");
    } else if (auto i = Choice(f, kAuthTypes)) {
      target->aws.sign = *i == 0;
    }
    return;
  }
  std::optional<YamlFields> fields = Map(f, "auth", kAuthKeys);
  if (!fields) return;
  const YamlField* aws = Require(*fields, "aws_sigv4", "auth: missing aws_sigv4");
  if (aws == nullptr) return;
  std::optional<YamlFields> keys = Map(*aws, "aws_sigv4", kSigV4Keys);
  if (!keys) return;
  loadgen::SigV4 sig;
  if (const YamlField* k = Require(
          *keys, "provider", "aws_sigv4: missing provider, e.g. aws:amz:us-east-1:execute-api")) {
    if (auto provider = String(*k)) {
      // aws:amz:<region>:<service>, as libcurl's CURLOPT_AWS_SIGV4 takes it.
      const auto colons = std::count(provider->begin(), provider->end(), ':');
      const bool empty_part = provider->find("::") != std::string::npos ||
                              provider->ends_with(":") || provider->starts_with(":");
      if (!provider->starts_with("aws:amz:") || colons != 3 || empty_part) {
        Fail(k->Where(), "provider: " + Quote(k->value->text) +
                             " must be aws:amz:<region>:<service>, e.g. "
                             "aws:amz:us-east-1:execute-api");
      } else {
        sig.provider = *provider;
      }
    }
  }
  // Static keys here (both or neither); without them the target signs with its credentials.
  const YamlField* access = keys->Find("access_key");
  const YamlField* secret = keys->Find("secret_key");
  if ((access == nullptr) != (secret == nullptr)) {
    Fail(keys->anchor, std::string("aws_sigv4: missing ") +
                           (access == nullptr ? "access_key" : "secret_key") +
                           " (give both keys, or neither to sign with the credentials: source)");
  }
  for (auto [key, out] :
       {std::pair{"access_key", &sig.access_key}, std::pair{"secret_key", &sig.secret_key},
        std::pair{"session_token", &sig.session_token}}) {
    const YamlField* k = keys->Find(key);
    if (k == nullptr) continue;
    if (std::optional<std::string> value = String(*k)) {
      if (value->empty() && std::string_view(key) != "session_token") {
        Fail(k->Where(), std::string(key) + ": must not be empty");
        continue;
      }
      AddSecret(*value);  // credentials are secret even when written out in the file
      *out = std::move(*value);
    }
  }
  target->aws.sign = true;
  target->request.sigv4 = std::move(sig);
}

void Parser::ReadCredentials(const YamlField& f, CredentialsConfig* credentials) {
  std::optional<YamlFields> fields = Map(f, "credentials", kCredentialsKeys);
  if (!fields) return;
  if (const YamlField* s = fields->Find("source")) {
    if (auto source = Enum(*s, kCredentialsSources)) credentials->source = *source;
  }
  using S = CredentialsSource;
  struct KeyUse {
    std::string_view key;
    std::vector<S> sources;
    std::string* out;
    bool secret;
  };
  const KeyUse uses[] = {
      {"access_key", {S::kStatic}, &credentials->access_key, true},
      {"secret_key", {S::kStatic}, &credentials->secret_key, true},
      {"session_token", {S::kStatic}, &credentials->session_token, true},
      {"profile", {S::kProfile, S::kProcess}, &credentials->profile, false},
      {"command", {S::kProcess}, &credentials->command, false},
      {"role_arn", {S::kWebIdentity}, &credentials->role_arn, false},
      {"token_file", {S::kWebIdentity}, &credentials->token_file, false},
      {"role_session_name", {S::kWebIdentity}, &credentials->role_session_name, false},
  };
  for (const KeyUse& use : uses) {
    const YamlField* k = fields->Find(use.key);
    if (k == nullptr) continue;
    if (std::find(use.sources.begin(), use.sources.end(), credentials->source) ==
        use.sources.end()) {
      std::string sources;
      for (std::size_t i = 0; i < use.sources.size(); ++i) {
        sources += (i == 0 ? "" : " or ") + std::string(Name(use.sources[i]));
      }
      Fail(k->Where(), "credentials: " + std::string(use.key) + " applies to source " + sources +
                           " only, not " + std::string(Name(credentials->source)));
      continue;
    }
    if (std::optional<std::string> value = String(*k)) {
      if (value->empty()) {
        Fail(k->Where(), std::string(use.key) + ": must not be empty");
        continue;
      }
      if (use.secret) AddSecret(*value);
      *use.out = std::move(*value);
    }
  }
  if (credentials->source == S::kStatic &&
      (fields->Find("access_key") == nullptr || fields->Find("secret_key") == nullptr)) {
    Fail(fields->anchor, "credentials: source static needs access_key and secret_key");
  }
}

}  // namespace infercost::config_internal
