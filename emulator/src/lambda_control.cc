#include "lambda_control.h"

#include <cstdlib>

#include "aws_api.h"
#include "sigv4.h"

namespace emulator {
namespace {

// The integer after "key": in a JSON object (botocore writes {"MemorySize": 2048}); nullopt when
// the key is absent or not followed by an integer.
std::optional<long long> JsonInteger(std::string_view json, std::string_view key) {
  const std::string quoted = "\"" + std::string(key) + "\"";
  size_t at = json.find(quoted);
  if (at == std::string_view::npos) return std::nullopt;
  at = json.find_first_not_of(" \t\r\n", at + quoted.size());
  if (at == std::string_view::npos || json[at] != ':') return std::nullopt;
  at = json.find_first_not_of(" \t\r\n", at + 1);
  if (at == std::string_view::npos) return std::nullopt;
  const std::string digits(json.substr(at, json.find_first_of(",} \t\r\n", at) - at));
  char* end = nullptr;
  const long long value = std::strtoll(digits.c_str(), &end, 10);
  if (digits.empty() || *end != '\0') return std::nullopt;
  return value;
}

bool IsVersionNumber(std::string_view text) {
  return !text.empty() && text.size() < 10 && text.find_first_not_of("0123456789") == text.npos;
}

// Lambda's LastModified: "2026-12-02T05:16:08.000+0000".
std::string LastModified() {
  std::string iso = IsoTime(SystemClock::now());  // 2026-12-02T05:16:08Z
  if (!iso.empty() && iso.back() == 'Z') iso.pop_back();
  return iso + ".000+0000";
}

}  // namespace

LambdaControl::LambdaControl(const AwsOptions& options,
                             const std::vector<std::unique_ptr<Target>>& functions,
                             const TimeScale& scale)
    : options_(options), scale_(scale) {
  for (const auto& t : functions) {
    Function f;
    f.target = t.get();
    f.memory_mb = f.running_memory_mb = t->profile().lambda.memory_mb;
    f.last_modified = LastModified();
    functions_.emplace(t->profile().name, std::move(f));
  }
}

bool LambdaControl::HandlesProvisioned(std::string_view method, std::string_view rest) {
  return rest == "/provisioned-concurrency" &&
         (method == "GET" || method == "PUT" || method == "DELETE");
}

bool LambdaControl::Handles(std::string_view method, std::string_view rest) {
  if (rest == "/configuration") return method == "GET" || method == "PUT";
  if (rest == "/versions") return method == "POST";
  return rest.empty() && method == "DELETE";
}

std::string LambdaControl::Arn(std::string_view name) const {
  return "arn:aws:lambda:" + options_.region + ":" + options_.account_id +
         ":function:" + std::string(name);
}

void LambdaControl::Settle(Function& f) {
  for (auto& [version, pc] : f.provisioned) {
    if (pc.ready || scale_.Now() < pc.ready_at) continue;
    pc.ready = true;
    f.target->SetProvisioned(std::to_string(version), pc.requested);
  }
  if (!f.updating || scale_.Now() < f.update_done) return;
  f.updating = false;
  f.running_memory_mb = f.memory_mb;
  f.target->ResetEnvironments("$LATEST");
}

std::optional<Target::Run> LambdaControl::Resolve(const std::string& name,
                                                  const std::string& qualifier) {
  std::lock_guard lock(mutex_);
  auto it = functions_.find(name);
  if (it == functions_.end()) return std::nullopt;
  Function& f = it->second;
  Settle(f);
  if (qualifier.empty() || qualifier == "$LATEST") {
    return Target::Run{.version = "$LATEST", .memory_mb = f.running_memory_mb};
  }
  if (!IsVersionNumber(qualifier)) {  // an alias
    const auto v = f.versions.find(1);
    return Target::Run{.version = "1",
                       .memory_mb = v == f.versions.end() ? f.running_memory_mb : v->second};
  }
  const auto v = f.versions.find(std::atoi(qualifier.c_str()));
  if (v == f.versions.end()) return std::nullopt;
  return Target::Run{.version = qualifier, .memory_mb = v->second};
}

ApiReply LambdaControl::Handle(const HttpRequest& request, const std::string& name,
                               std::string_view rest) {
  std::lock_guard lock(mutex_);
  Function& f = functions_.at(name);
  Settle(f);
  const std::string qualifier = FormValue(request.query, "Qualifier");
  if (rest == "/versions") return Publish(f);
  if (rest == "/provisioned-concurrency") return Provisioned(f, request, qualifier);
  if (request.method == "DELETE") return Delete(f, qualifier);
  if (request.method == "PUT") return Update(f, request.body);
  return Get(f, qualifier);
}

std::string LambdaControl::ConfigurationJson(const Function& f, std::string_view version,
                                             int memory_mb) const {
  const std::string& name = f.target->profile().name;
  const bool latest = version == "$LATEST";
  const bool in_progress = latest && f.updating;
  const LambdaSettings& l = f.target->profile().lambda;
  std::string json = R"({"FunctionName":")" + JsonText(name) + R"(","FunctionArn":")" +
                     JsonText(Arn(name)) + (latest ? "" : ":" + std::string(version)) + "\",";
  json += R"("Role":"arn:aws:iam::)" + options_.account_id + R"(:role/infercost-emulator",)";
  json += R"("CodeSize":0,"Description":"","PackageType":"Image",)";
  json += R"("Timeout":)" + std::to_string(static_cast<int>(l.function_timeout_ms / 1000)) + ",";
  json += R"("MemorySize":)" + std::to_string(memory_mb) + ",";
  json += R"("LastModified":")" + f.last_modified + R"(",)";
  json += R"("CodeSha256":"emulated","Version":")" + JsonText(version) + R"(",)";
  json += R"("RevisionId":"00000000-0000-4000-8000-)";
  char revision[16];
  std::snprintf(revision, sizeof revision, "%012d", f.revision);
  json += std::string(revision) + R"(","State":"Active",)";
  json +=
      R"("LastUpdateStatus":")" + std::string(in_progress ? "InProgress" : "Successful") + "\",";
  if (in_progress) {
    json += R"("LastUpdateStatusReason":"The function is being created.",)";
    json += R"("LastUpdateStatusReasonCode":"Creating",)";
  }
  json += R"("Architectures":[")" + l.architecture + R"("],"EphemeralStorage":{"Size":512}})";
  return json;
}

ApiReply LambdaControl::Get(Function& f, const std::string& qualifier) {
  ApiReply reply;
  reply.headers = {{"x-amzn-RequestId", NewRequestId()}};
  if (qualifier.empty() || qualifier == "$LATEST") {
    reply.body = ConfigurationJson(f, "$LATEST", f.memory_mb);
    return reply;
  }
  const auto v = f.versions.find(std::atoi(qualifier.c_str()));
  if (!IsVersionNumber(qualifier) || v == f.versions.end()) {
    return JsonError(404, "ResourceNotFoundException",
                     "Function not found: " + Arn(f.target->profile().name) + ":" + qualifier);
  }
  reply.body = ConfigurationJson(f, qualifier, v->second);
  return reply;
}

ApiReply LambdaControl::Update(Function& f, const std::string& body) {
  const std::string arn = Arn(f.target->profile().name);
  if (f.updating) {
    return JsonError(409, "ResourceConflictException",
                     "The operation cannot be performed at this time. An update is in progress "
                     "for resource: " +
                         arn);
  }
  const std::optional<long long> memory = JsonInteger(body, "MemorySize");
  if (memory && (*memory < 128 || *memory > 10240)) {
    return JsonError(
        400, "ValidationException",
        "1 validation error detected: Value '" + std::to_string(*memory) +
            "' at 'memorySize' failed to satisfy constraint: Member must have value " +
            (*memory < 128 ? "greater than or equal to 128" : "less than or equal to 10240"));
  }
  if (memory && *memory > options_.lambda_max_memory_mb) {
    return JsonError(400, "InvalidParameterValueException",
                     "'MemorySize' value failed to satisfy constraint: Member must have value "
                     "less than or equal to " +
                         std::to_string(options_.lambda_max_memory_mb));
  }
  if (memory) f.memory_mb = static_cast<int>(*memory);
  f.updating = true;
  f.update_done = scale_.Now() + FromMs(f.target->profile().lambda.update_ms);
  f.last_modified = LastModified();
  ++f.revision;
  ApiReply reply;
  reply.headers = {{"x-amzn-RequestId", NewRequestId()}};
  reply.body = ConfigurationJson(f, "$LATEST", f.memory_mb);
  Settle(f);  // an update_ms of 0 is done at once
  return reply;
}

ApiReply LambdaControl::Publish(Function& f) {
  if (f.updating) {
    return JsonError(409, "ResourceConflictException",
                     "The operation cannot be performed at this time. An update is in progress "
                     "for resource: " +
                         Arn(f.target->profile().name));
  }
  const int version = f.next_version++;
  f.versions[version] = f.memory_mb;
  ApiReply reply;
  reply.status = 201;
  reply.headers = {{"x-amzn-RequestId", NewRequestId()}};
  reply.body = ConfigurationJson(f, std::to_string(version), f.memory_mb);
  return reply;
}

ApiReply LambdaControl::Delete(Function& f, const std::string& qualifier) {
  const std::string arn = Arn(f.target->profile().name);
  if (qualifier.empty() || qualifier == "$LATEST") {
    return JsonError(400, "InvalidParameterValueException",
                     qualifier.empty()
                         ? "the emulator does not delete whole functions: name a version in "
                           "Qualifier"
                         : "$LATEST version cannot be deleted without deleting the function.");
  }
  const auto v = f.versions.find(std::atoi(qualifier.c_str()));
  if (!IsVersionNumber(qualifier) || v == f.versions.end()) {
    return JsonError(404, "ResourceNotFoundException",
                     "Function not found: " + arn + ":" + qualifier);
  }
  f.provisioned.erase(v->first);
  f.versions.erase(v);
  f.target->ResetEnvironments(qualifier);
  return {.status = 204,
          .content_type = "",
          .headers = {{"x-amzn-RequestId", NewRequestId()}},
          .body = {}};
}

std::string LambdaControl::ProvisionedJson(const Function::Provisioned& pc) const {
  const std::string available = std::to_string(pc.ready ? pc.requested : 0);
  return R"({"RequestedProvisionedConcurrentExecutions":)" + std::to_string(pc.requested) +
         R"(,"AvailableProvisionedConcurrentExecutions":)" + available +
         R"(,"AllocatedProvisionedConcurrentExecutions":)" + available + R"(,"Status":")" +
         (pc.ready ? "READY" : "IN_PROGRESS") + R"(","LastModified":")" + pc.last_modified + "\"}";
}

ApiReply LambdaControl::Provisioned(Function& f, const HttpRequest& request,
                                    const std::string& qualifier) {
  const std::string arn = Arn(f.target->profile().name);
  if (qualifier.empty() || qualifier == "$LATEST") {
    return JsonError(400, "InvalidParameterValueException",
                     "Provisioned Concurrency Configs cannot be applied to unpublished function "
                     "versions.");
  }
  const int version = IsVersionNumber(qualifier) ? std::atoi(qualifier.c_str()) : -1;
  if (!f.versions.contains(version)) {
    return JsonError(404, "ResourceNotFoundException",
                     "Function not found: " + arn + ":" + qualifier);
  }
  const auto pc = f.provisioned.find(version);
  ApiReply reply;
  reply.headers = {{"x-amzn-RequestId", NewRequestId()}};
  if (request.method == "PUT") {
    const std::optional<long long> count =
        JsonInteger(request.body, "ProvisionedConcurrentExecutions");
    if (!count || *count < 1 || *count > f.target->profile().lambda.concurrency_limit) {
      return JsonError(400, "InvalidParameterValueException",
                       "ProvisionedConcurrentExecutions must be from 1 to the function's "
                       "concurrency limit (" +
                           std::to_string(f.target->profile().lambda.concurrency_limit) + ")");
    }
    Function::Provisioned& config = f.provisioned[version];
    config = {.requested = static_cast<int>(*count),
              .ready = false,
              .ready_at = scale_.Now() + FromMs(f.target->profile().lambda.provisioned_ready_ms),
              .last_modified = LastModified()};
    reply.status = 202;
    reply.body = ProvisionedJson(config);
    Settle(f);  // a provisioned_ready_ms of 0 is READY at once
    return reply;
  }
  if (pc == f.provisioned.end()) {
    if (request.method == "DELETE") {
      return JsonError(
          404, "ResourceNotFoundException",
          "No Provisioned Concurrency Config found for this function: " + arn + ":" + qualifier);
    }
    return JsonError(404, "ProvisionedConcurrencyConfigNotFoundException",
                     "No Provisioned Concurrency Config found for this function");
  }
  if (request.method == "DELETE") {
    f.provisioned.erase(pc);
    f.target->ResetEnvironments(qualifier);
    reply.status = 204;
    reply.content_type = "";
    return reply;
  }
  reply.body = ProvisionedJson(pc->second);
  return reply;
}

}  // namespace emulator
