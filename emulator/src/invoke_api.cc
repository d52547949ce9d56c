// Lambda Invoke (RequestResponse, Event, DryRun) and Function URLs, which share each function's
// Target through RunFunction, and SageMaker InvokeEndpoint on its own Target.
#include <algorithm>
#include <cmath>
#include <cstdio>

#include "aws_api.h"
#include "digest.h"

namespace emulator {

void SplitFunctionName(std::string_view text, std::string* name, std::string* qualifier) {
  constexpr std::string_view kFunction = ":function:";
  const size_t at = text.find(kFunction);
  if (at != std::string_view::npos) text = text.substr(at + kFunction.size());
  const size_t colon = text.find(':');
  *name = std::string(text.substr(0, colon));
  if (colon != std::string_view::npos) *qualifier = std::string(text.substr(colon + 1));
}

namespace {

constexpr std::string_view kThrottleBody =
    R"({"Reason":"ReservedFunctionConcurrentInvocationLimitExceeded","Type":"User",)"
    R"("message":"Rate Exceeded."})";

std::string Ms(const char* label, double ms) {
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, "%s: %.2f ms\t", label, ms);
  return buffer;
}

// The log tail Lambda returns for X-Amz-Log-Type: Tail, ending with the REPORT line.
std::string LogTail(std::string_view request_id, std::string_view version,
                    const Target::Ticket& ticket, const LambdaSettings& settings,
                    std::string_view error_line) {
  std::string tail =
      "START RequestId: " + std::string(request_id) + " Version: " + std::string(version) + "\n";
  tail += error_line;
  tail += "END RequestId: " + std::string(request_id) + "\n";
  tail += "REPORT RequestId: " + std::string(request_id) + "\t";
  tail += Ms("Duration", ticket.service_ms - ticket.init_ms);
  tail += "Billed Duration: " + std::to_string(ticket.billed_ms) + " ms\t";
  tail += "Memory Size: " + std::to_string(ticket.memory_mb) + " MB\t";
  tail += "Max Memory Used: " +
          std::to_string(std::min(settings.max_memory_used_mb, ticket.memory_mb)) + " MB\t";
  if (ticket.cold) tail += Ms("Init Duration", ticket.init_ms);
  tail += "\n";
  return tail;
}

}  // namespace

FunctionRun RunFunction(Target& target, Target::Fault fault, StopSignal& stop,
                        const TimeScale& scale, bool retry_throttles, const Target::Run& to_run) {
  constexpr double kFirstRetryMs = 1000, kMaxRetryMs = 300000;
  FunctionRun run;
  run.fault = fault;
  for (double retry_ms = kFirstRetryMs;; retry_ms = std::min(retry_ms * 2, kMaxRetryMs)) {
    bool served = false;
    run.ticket = AdmitAndWait(target, stop, &served, to_run);
    if (!served) {
      run.result = FunctionRun::Result::kStopping;
      return run;
    }
    if (run.ticket.status != 429) break;
    run.result = FunctionRun::Result::kThrottled;
    if (!retry_throttles) return run;
    if (!stop.WaitUntil(WallClock::now() + scale.ToWall(FromMs(retry_ms)))) {
      run.result = FunctionRun::Result::kStopping;
      return run;
    }
  }
  run.result = run.ticket.status != 200             ? FunctionRun::Result::kTimedOut
               : run.fault == Target::Fault::kError ? FunctionRun::Result::kError
                                                    : FunctionRun::Result::kOk;
  return run;
}

ApiReply AwsApi::Invoke(const HttpRequest& request, std::string_view function, bool too_large) {
  if (auto denied = Authenticate(request, "lambda", Protocol::kJson)) return *denied;
  std::string name, qualifier = FormValue(request.query, "Qualifier");
  SplitFunctionName(function, &name, &qualifier);
  Target* target = FindTarget(functions_, name);
  if (target == nullptr) {
    return JsonError(404, "ResourceNotFoundException",
                     "Function not found: arn:aws:lambda:" + options_.region + ":" +
                         options_.account_id + ":function:" + name);
  }
  if (too_large) {
    target->CountTooLarge();
    return JsonError(413, "RequestTooLargeException",
                     "Request must be smaller than 6291456 bytes for the InvokeFunction operation");
  }
  const std::string_view type = request.Header("X-Amz-Invocation-Type");
  if (type == "DryRun") {
    return {.status = 204,
            .content_type = "",
            .headers = {{"x-amzn-RequestId", NewRequestId()}},
            .body = {}};
  }
  if (type == "Event") return InvokeEvent(*target);
  if (!type.empty() && type != "RequestResponse") {
    return JsonError(400, "ValidationException",
                     "1 validation error detected: Value '" + std::string(type) +
                         "' at 'invocationType' failed to satisfy constraint: Member must satisfy "
                         "enum value set: [Event, RequestResponse, DryRun]");
  }
  // A number names a published version; an alias here points at version 1.
  const std::optional<Target::Run> to_run = control_->Resolve(name, qualifier);
  if (!to_run) {
    return JsonError(404, "ResourceNotFoundException",
                     "Function not found: arn:aws:lambda:" + options_.region + ":" +
                         options_.account_id + ":function:" + name + ":" + qualifier);
  }
  const std::string& version = to_run->version;
  const FunctionRun run =
      RunFunction(*target, target->BeginRequest(), *stop_, scale_, false, *to_run);
  const std::string request_id = NewRequestId();
  if (run.result == FunctionRun::Result::kStopping) {
    target->Finish(503, Target::Fault::kNone);
    return JsonError(503, "ServiceException", "the emulator is stopping", "Service");
  }
  if (run.result == FunctionRun::Result::kThrottled) {
    target->Finish(429, Target::Fault::kNone);
    ApiReply reply = JsonError(429, "TooManyRequestsException", "Rate Exceeded.");
    reply.body = kThrottleBody;
    return reply;
  }
  ApiReply reply;
  reply.headers = {{"x-amzn-RequestId", request_id}, {"X-Amz-Executed-Version", version}};
  std::string error_line;
  if (run.result == FunctionRun::Result::kTimedOut) {
    char message[160];
    std::snprintf(message, sizeof message, "%s %s Task timed out after %.2f seconds",
                  IsoTime(SystemClock::now()).c_str(), request_id.c_str(),
                  target->profile().lambda.function_timeout_ms / 1000);
    error_line = std::string(message) + "\n";
    reply.body = R"({"errorMessage":")" + JsonText(message) + "\"}";
  } else if (run.result == FunctionRun::Result::kError) {
    error_line = "[ERROR] RuntimeError: injected fault\n";
    reply.body = R"({"errorMessage":"injected fault","errorType":"RuntimeError"})";
  } else {
    reply.body = kPredictionBody;
  }
  if (!error_line.empty()) reply.headers.emplace_back("X-Amz-Function-Error", "Unhandled");
  if (request.Header("X-Amz-Log-Type") == "Tail") {
    const std::string tail =
        LogTail(request_id, version, run.ticket, target->profile().lambda, error_line);
    // Lambda returns the last 4 KB of the log.
    reply.headers.emplace_back(
        "X-Amz-Log-Result",
        Base64(std::string_view(tail).substr(tail.size() > 4096 ? tail.size() - 4096 : 0)));
  }
  // An injected fault counts as one (Finish counts it on a 500); the client still sees 200.
  const bool injected = run.fault == Target::Fault::kError;
  target->Finish(injected ? 500 : 200, injected ? run.fault : Target::Fault::kNone);
  return reply;
}

ApiReply AwsApi::InvokeEvent(Target& target) {
  // Counted as accepted, as Lambda's AsyncEventsReceived; it runs when a queue thread is free.
  events_.Push([&target, fault = target.BeginRequest(), stop = stop_, &scale = scale_] {
    const FunctionRun run = RunFunction(target, fault, *stop, scale, true);
    // Nobody hears the answer: a run that succeeded counts as ok, an injected fault as one.
    const bool injected = run.result == FunctionRun::Result::kError;
    target.Finish(run.result == FunctionRun::Result::kOk ? 200
                  : injected                             ? 500
                                                         : 0,
                  injected ? run.fault : Target::Fault::kNone);
  });
  return {.status = 202,
          .content_type = "",
          .headers = {{"x-amzn-RequestId", NewRequestId()}},
          .body = {}};
}

ApiReply AwsApi::FunctionUrl(const HttpRequest& request, std::string_view function,
                             bool too_large) {
  Target* target = FindTarget(functions_, function);
  if (target == nullptr) {
    return {.status = 404,
            .content_type = "application/json",
            .headers = {{"x-amzn-RequestId", NewRequestId()}},
            .body = R"({"Message":"no Function URL /lambda-url/)" + JsonText(function) +
                    R"(/: the emulator serves one per lambda profile, named as it"})"};
  }
  if (options_.UrlAuthOf(function) == FunctionUrlAuth::kAwsIam) {
    if (auto denied = Authenticate(request, "lambda", Protocol::kFunctionUrl)) return *denied;
  }
  ApiReply reply{.status = 200,
                 .content_type = "application/json",
                 .headers = {{"x-amzn-RequestId", NewRequestId()}},
                 .body = {}};
  if (too_large) {
    target->CountTooLarge();
    reply.status = 413;
    reply.headers.emplace_back("x-amzn-ErrorType", "RequestTooLargeException");
    reply.body = R"({"Message":"Request must be smaller than 6291456 bytes for the )"
                 R"(InvokeFunction operation"})";
    return reply;
  }
  const FunctionRun run = RunFunction(*target, target->BeginRequest(), *stop_, scale_, false);
  switch (run.result) {
    case FunctionRun::Result::kOk:
      reply.body = kPredictionBody;
      break;
    case FunctionRun::Result::kThrottled:
      reply.status = 429;
      reply.headers.emplace_back("x-amzn-ErrorType", "TooManyRequestsException");
      reply.body = kThrottleBody;
      break;
    case FunctionRun::Result::kError:
    case FunctionRun::Result::kTimedOut:  // Lambda answers a failed function with a bare 502
      reply.status = 502;
      reply.content_type = "text/plain";
      reply.body = "Internal Server Error";
      break;
    case FunctionRun::Result::kStopping:
      reply.status = 503;
      reply.body = R"({"Message":"the emulator is stopping"})";
      break;
  }
  const bool injected = run.result == FunctionRun::Result::kError;
  target->Finish(reply.status == 502 && injected ? 500 : reply.status,
                 injected ? run.fault : Target::Fault::kNone);
  return reply;
}

ApiReply AwsApi::InvokeEndpoint(const HttpRequest& request, std::string_view endpoint,
                                bool too_large) {
  if (auto denied = Authenticate(request, "sagemaker", Protocol::kJson)) return *denied;
  Target* target = FindTarget(endpoints_, endpoint);
  if (target == nullptr) {
    return JsonError(
        400, "ValidationError",
        "Endpoint " + std::string(endpoint) + " of account " + options_.account_id + " not found.");
  }
  if (too_large || static_cast<int64_t>(request.body.size()) > target->profile().max_body_bytes) {
    target->CountTooLarge();
    return JsonError(413, "ValidationError", "Request payload is too large");
  }
  const Target::Fault fault = target->BeginRequest();
  bool served = false;
  const Target::Ticket ticket = AdmitAndWait(*target, *stop_, &served);
  if (!served || ticket.status != 200) {
    target->Finish(503, Target::Fault::kNone);
    return JsonError(503, "ServiceUnavailable",
                     served ? "The endpoint is overloaded" : "the emulator is stopping", "Service");
  }
  if (fault == Target::Fault::kError) {
    target->Finish(500, fault);
    ApiReply reply = JsonError(424, "ModelError", "");
    reply.body = R"({"ErrorCode":"CLIENT_ERROR_FROM_MODEL","LogStreamArn":"","OriginalMessage":)"
                 R"("injected fault","OriginalStatusCode":500,"Message":"Received server error )"
                 R"((500) from primary with message \"injected fault\"."})";
    return reply;
  }
  target->Finish(200, Target::Fault::kNone);
  ApiReply reply;
  const std::string_view accept = request.Header("Accept");
  reply.content_type = accept.empty() || accept == "*/*" ? "application/json" : std::string(accept);
  const std::string_view variant = request.Header("X-Amzn-SageMaker-Target-Variant");
  reply.headers = {
      {"x-amzn-RequestId", NewRequestId()},
      {"X-Amzn-Invoked-Production-Variant", variant.empty() ? "AllTraffic" : std::string(variant)}};
  reply.body = kPredictionBody;
  return reply;
}

}  // namespace emulator
