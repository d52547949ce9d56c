// The config's reader: a target, its request, body, checks and TLS. See parser.h.
#include <algorithm>
#include <string>
#include <unordered_set>
#include <utility>

#include "common/log.h"
#include "config/parser.h"

namespace infercost::config_internal {
namespace {

constexpr std::string_view kMethods[] = {"GET",    "POST", "PUT",    "PATCH",
                                         "DELETE", "HEAD", "OPTIONS"};

}  // namespace

std::optional<TargetConfig> Parser::ReadTarget(const YamlNode& node, std::string* name_out,
                                               YamlMark* name_mark) {
  if (!node.IsMap()) {
    Fail(node.mark,
         "targets: each target must be a map with name, url and pricing, got " + Describe(node));
    return std::nullopt;
  }
  const std::size_t errors_before = error_count();
  const YamlFields fields = Keys(node, node.mark, "target", kTargetKeys);
  TargetConfig target;
  const bool named = ReadName(fields, &target, name_mark);
  if (named) {
    *name_out = target.name;
  }
  ReadKind(fields, &target);
  // A Function URL is signed unless `auth: none` says otherwise (AWS_IAM is its default).
  target.aws.sign = target.aws.sign || target.kind == TargetKind::kLambdaUrl;
  ReadRequest(fields, &target);
  if (const YamlField* f = fields.Find("body")) {
    ReadBody(*f, &target.body);
  }
  bool seeded = false;
  if (const YamlField* f = fields.Find("load")) {
    ReadLoad(*f, &target.load, &seeded);
  } else {
    // No load: one request at a time for as long as the service runs.
    loadgen::Stage stage;
    stage.kind = loadgen::Stage::Kind::kClosed;
    stage.concurrency = 1;
    target.load.stages = {stage};
    target.load.repeat = false;
  }
  if (!seeded) {
    target.load.seed = NameSeed(target.name);
  }
  // Each target's constant arrivals on their own phase: targets started together do not send
  // in lockstep. From the seed, so a target keeps its schedule when the config is reordered.
  target.load.phase = loadgen::PhaseOf(target.load.seed);
  if (const YamlField* f = Require(fields, "pricing",
                                   "target: missing pricing (model instance, hourly, lambda, "
                                   "per_request, sagemaker or sagemaker_serverless)")) {
    // The target's own region is the pricing's default, so a target in eu-west-1 is priced
    // there (or refused when the catalog has no prices for it), never at us-east-1's prices.
    if (!target.aws.region.empty()) target.pricing.region = target.aws.region;
    ReadPricing(*f, &target.pricing);
  }
  if (const YamlField* f = fields.Find("budget_usd_per_million")) {
    target.budget_usd_per_million = Real(*f, {0, true});
  }
  if (const YamlField* f = fields.Find("spend_limit_usd")) {
    target.spend_limit_usd = Real(*f, {0, true});
  }
  if (const YamlField* f = fields.Find("slo_p95")) {
    target.slo_p95 = Duration(*f, nanoseconds(0), true, kMaxTimeout);
  }
  if (const YamlField* f = fields.Find("csv")) {
    if (auto path = Path(*f, PathKind::kOutputFile)) {
      target.csv = *path;
    }
  }
  if (const YamlField* f = fields.Find("auth")) {
    ReadAuth(*f, &target);
  }
  const YamlField* pricing = fields.Find("pricing");
  const bool pricing_region =
      pricing != nullptr && pricing->value->IsMap() &&
      std::any_of(pricing->value->entries.begin(), pricing->value->entries.end(),
                  [](const YamlEntry& e) { return e.key.text == "region"; });
  SettleAws(fields, &target, pricing_region);
  ReadTargetCredentials(fields, &target);
  if (const YamlField* f = fields.Find("tls")) {
    ReadTls(*f, &target.request.verify_tls);
  }
  if (!named || error_count() != errors_before) {
    return std::nullopt;
  }
  return target;
}

bool Parser::ReadName(const YamlFields& fields, TargetConfig* target, YamlMark* name_mark) {
  if (const YamlField* f = Require(fields, "name", "target: missing name")) {
    *name_mark = f->Where();
    if (std::optional<std::string> name = String(*f)) {
      const bool valid =
          !name->empty() && name->size() <= kMaxNameLength &&
          std::all_of(name->begin(), name->end(), [](char c) {
            return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
          });
      if (valid) {
        target->name = std::move(*name);
        return true;
      } else {
        Fail(f->Where(), "name: " + Quote(f->value->text) +
                             " may hold only a-z, 0-9, '_' and '-', 1 to 64 of them (it becomes "
                             "the target label)");
      }
    }
  }
  return false;
}

void Parser::ReadRequest(const YamlFields& fields, TargetConfig* target) {
  loadgen::RequestSpec* request = &target->request;
  const bool addressed =
      target->kind == TargetKind::kHttp || target->kind == TargetKind::kLambdaUrl;
  if (const YamlField* f = addressed ? Require(fields, "url", "target: missing url") : nullptr) {
    if (std::optional<std::string> url = String(*f)) {
      for (const std::string& secret : UrlSecrets(*url)) {
        AddSecret(secret);  // before any message can quote the URL
      }
      if (std::string error = UrlError(*url); !error.empty()) {
        Fail(f->Where(), "url: " + Quote(f->value->text) + " " + error);
      } else {
        request->url = std::move(*url);
      }
    }
  }
  if (const YamlField* f = fields.Find("method")) {
    if (std::optional<std::size_t> i = Choice(*f, kMethods, "an HTTP method")) {
      request->method = kMethods[*i];
    }
  }
  if (const YamlField* f = fields.Find("headers")) {
    ReadHeaders(*f, &request->headers);
  }
  if (const YamlField* f = fields.Find("expect")) {
    ReadExpect(*f, &request->expect);
  }
  if (const YamlField* f = fields.Find("timeout")) {
    if (auto timeout = Duration(*f, nanoseconds(0), true, kMaxTimeout)) {
      request->timeout = *timeout;
    }
  }
  if (const YamlField* f = fields.Find("cold_start")) {
    ReadColdStart(*f, &request->cold_start);
  }
  if (const YamlField* f = fields.Find("billed_duration_header")) {
    if (auto header = HeaderName(*f)) {
      request->billed_duration_header = *header;
    }
  }
}

void Parser::ReadTargetCredentials(const YamlFields& fields, TargetConfig* target) {
  const bool static_keys = target->request.sigv4 && !target->request.sigv4->access_key.empty();
  const YamlField* f = fields.Find("credentials");
  if (f != nullptr) {
    if (!target->aws.sign) {
      Fail(f->Where(),
           "credentials: this target does not sign its requests (kind " +
               std::string(Name(target->kind)) +
               (target->kind == TargetKind::kLambdaUrl ? " with auth: none)"
                                                       : " without auth: { aws_sigv4: ... })"));
      return;
    }
    if (static_keys) {
      Fail(f->Where(),
           "credentials: the target's aws_sigv4 already has access_key and secret_key; give the "
           "keys in one place");
      return;
    }
    target->aws.credentials = CredentialsConfig{};
    ReadCredentials(*f, &target->aws.credentials);
  } else {
    target->aws.credentials = default_credentials_;
  }
}

void Parser::ReadHeaders(const YamlField& f, std::vector<std::string>* headers) {
  if (!f.value->IsMap()) {
    Fail(f.Where(), "headers: expected a map of Name: value, got " + Describe(*f.value));
    return;
  }
  if (f.value->entries.size() > kMaxHeaders) {
    Fail(f.Where(), "headers: " + std::to_string(f.value->entries.size()) +
                        " headers; a target may send at most " + std::to_string(kMaxHeaders));
    return;
  }
  std::unordered_set<std::string> names;  // lower case; a set, so many headers stay linear
  for (const YamlEntry& entry : f.value->entries) {
    const YamlNode& key = entry.key;
    if (!key.IsScalar() || !IsHeaderName(key.text)) {
      Fail(key.mark, "headers: " + Describe(key) + " is not a valid header name");
      continue;
    }
    std::string lower;
    for (char c : key.text) {
      lower += Lower(c);
    }
    if (!names.insert(lower).second) {
      Fail(key.mark, "headers: duplicate header " + Quote(key.text));
      continue;
    }
    const YamlField header{key.text, &key, &entry.value};
    std::optional<std::string> value = String(header);
    if (!value) {
      continue;
    }
    if (IsSecretName(key.text)) {
      AddSecret(*value);
      // "Bearer <token>": the token alone is as secret as the whole value.
      if (const std::size_t space = value->rfind(' '); space != std::string::npos) {
        AddSecret(value->substr(space + 1));
      }
    }
    if (HasLineBreak(*value)) {
      Fail(header.Where(), header.name + ": a header value must not contain a line break");
      continue;
    }
    if (key.text.size() + value->size() > kMaxHeaderBytes) {
      Fail(header.Where(), header.name + ": a header may hold at most " +
                               std::to_string(kMaxHeaderBytes) + " bytes");
      continue;
    }
    headers->push_back(key.text + ": " + *value);
  }
}

void Parser::ReadBody(const YamlField& f, loadgen::PayloadSpec* body) {
  std::optional<YamlFields> fields = Map(f, "body", kBodyKeys);
  if (!fields) {
    return;
  }
  std::vector<const YamlField*> sources;
  for (std::string_view key : {"file", "image_dir", "inline"}) {
    if (const YamlField* s = fields->Find(key)) {
      sources.push_back(s);
    }
  }
  if (sources.empty()) {
    Fail(fields->anchor, "body: give one of file, image_dir or inline");
  } else if (sources.size() > 1) {
    Fail(sources[1]->key->mark, "body: give only one of file, image_dir or inline, not both " +
                                    sources[0]->name + " and " + sources[1]->name);
  }
  if (const YamlField* s = fields->Find("file")) {
    if (auto path = Path(*s, PathKind::kFile)) {
      body->file = *path;
    }
  }
  if (const YamlField* s = fields->Find("image_dir")) {
    if (auto path = Path(*s, PathKind::kDirectory)) {
      body->image_dir = *path;
    }
  }
  if (const YamlField* s = fields->Find("inline")) {
    if (auto text = String(*s)) {
      body->inline_body = *text;
    }
  }
  const YamlField* encoding = fields->Find("encoding");
  if (encoding != nullptr) {
    if (auto e = Enum(*encoding, loadgen::kBodyEncodings)) {
      body->encoding = *e;
    }
  }
  const bool is_inline = fields->Find("inline") != nullptr;
  if (encoding != nullptr && is_inline && body->encoding != loadgen::BodyEncoding::kRaw) {
    Fail(encoding->Where(),
         "encoding: applies to file and image_dir bodies; an inline body is sent as written");
  }
  if (const YamlField* s = fields->Find("field")) {
    if (auto field = String(*s)) {
      if (body->encoding == loadgen::BodyEncoding::kRaw) {
        Fail(s->Where(), "field: applies to encoding base64_json or multipart only");
      } else if (field->empty() || HasLineBreak(*field) ||
                 field->find_first_of("\"\\") != std::string::npos) {
        Fail(s->Where(),
             "field: " + Quote(s->value->text) +
                 " must be a non-empty name without quotes, backslashes or line breaks");
      } else {
        body->field = *field;
      }
    }
  }
  if (const YamlField* s = fields->Find("content_type")) {
    if (auto type = String(*s)) {
      const std::size_t slash = type->find('/');
      if (slash == std::string::npos || slash == 0 || slash + 1 == type->size() ||
          HasLineBreak(*type)) {
        Fail(s->Where(),
             "content_type: " + Quote(s->value->text) + " is not a media type (e.g. image/jpeg)");
      } else {
        body->content_type = *type;
      }
    }
  }
}

void Parser::ReadExpect(const YamlField& f, loadgen::Expect* expect) {
  std::optional<YamlFields> fields = Map(f, "expect", kExpectKeys);
  if (!fields) {
    return;
  }
  if (const YamlField* s = fields->Find("status")) {
    if (auto status = Integer(*s, 100, 599)) {
      expect->status = static_cast<int>(*status);
    }
  }
  if (const YamlField* s = fields->Find("body_contains")) {
    if (auto text = String(*s)) {
      expect->body_contains = *text;
    }
  }
  if (const YamlField* s = fields->Find("max_body_bytes")) {
    if (auto bytes = Integer(*s, 1, kMaxBodyBytes)) {
      expect->max_body_bytes = static_cast<std::size_t>(*bytes);
    }
  }
}

void Parser::ReadColdStart(const YamlField& f, loadgen::ColdStartDetection* cold_start) {
  std::optional<YamlFields> fields = Map(f, "cold_start", kColdStartKeys);
  if (!fields) {
    return;
  }
  if (const YamlField* s = fields->Find("header")) {
    if (auto header = HeaderName(*s)) {
      cold_start->header = *header;
    }
  }
  if (const YamlField* s = fields->Find("latency_above")) {
    cold_start->latency_above = Duration(*s, nanoseconds(0), true, kMaxTimeout);
  }
}
void Parser::ReadTls(const YamlField& f, bool* verify_tls) {
  std::optional<YamlFields> fields = Map(f, "tls", kTlsKeys);
  if (!fields) {
    return;
  }
  if (const YamlField* k = fields->Find("insecure_skip_verify")) {
    if (auto skip = Bool(*k)) {
      *verify_tls = !*skip;
    }
  }
}

}  // namespace infercost::config_internal
