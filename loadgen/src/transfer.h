// Internal to the engine: one target's request as libcurl easy handles. RequestTemplate builds
// what every request of a target shares (header lists, handle options); Transfer is one reusable
// easy handle and the response it is reading (body check, cold-start and billed-duration headers,
// Lambda's log tail and function error).
// Thread contract: owned and used by the worker that runs the target.
#ifndef LOADGEN_TRANSFER_H_
#define LOADGEN_TRANSFER_H_

#include <curl/curl.h>

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "loadgen/record.h"
#include "loadgen/request.h"

namespace loadgen::internal {

bool EqualsIgnoreCase(std::string_view a, std::string_view b);
// A header name or value without the blanks around it (and the line end libcurl leaves on it).
std::string_view Trim(std::string_view s);

// libcurl closes its sockets through this callback (the event loop's epoll bookkeeping).
struct CloseSocketHook {
  curl_closesocket_callback function = nullptr;
  void* data = nullptr;
};

// A target's own connection cache (a libcurl share of CURL_LOCK_DATA_CONNECT). Without it every
// target on a worker shares the multi handle's cache, where libcurl looks for an idle connection
// by walking every cached connection to the same host and port: with a thousand targets on one
// endpoint, thousands per request. Used only on the worker's thread (no locking). Destroy it
// after the easy handles that use it.
class ConnectionShare {
 public:
  ConnectionShare();
  ~ConnectionShare();
  ConnectionShare(const ConnectionShare&) = delete;
  ConnectionShare& operator=(const ConnectionShare&) = delete;
  CURLSH* get() const { return share_; }  // nullptr when libcurl could not make one

 private:
  CURLSH* share_ = nullptr;
};

struct Transfer;

class RequestTemplate {
 public:
  explicit RequestTemplate(RequestSpec spec);
  ~RequestTemplate();
  RequestTemplate(const RequestTemplate&) = delete;
  RequestTemplate& operator=(const RequestTemplate&) = delete;

  const RequestSpec& spec() const { return spec_; }
  bool keep_body() const { return keep_body_; }

  // A new easy handle with every per-target option set; its callbacks write into `transfer`.
  // nullptr when libcurl is out of memory.
  // `share`, when not null, is the target's connection cache.
  CURL* NewEasy(void* transfer, const CloseSocketHook& close_socket, CURLSH* share) const;
  // Points the transfer's handle at the request body number `sequence` (cycled) and its header
  // list, and with changing AWS credentials at the current keys. False when those keys are
  // unavailable (expired): the request must not be sent (auth_error).
  bool Prepare(Transfer* t, std::size_t sequence) const;

 private:
  curl_slist* HeaderList(const std::string& content_type) const;

  RequestSpec spec_;
  std::vector<curl_slist*> header_lists_;  // one per payload, or one for bodiless requests
  bool keep_body_ = false;
};

// One easy handle and the state of the request it carries. Reused from request to request so
// that the hot path allocates nothing and libcurl keeps its connection cache warm.
struct Transfer {
  CURL* easy = nullptr;
  const RequestTemplate* request = nullptr;
  void* owner = nullptr;  // the engine's target
  RequestRecord record;
  std::string body;  // kept only when the body must be checked
  uint64_t body_bytes = 0;
  bool body_too_large = false;
  bool cold_header = false;
  std::optional<std::chrono::nanoseconds> billed;
  bool function_error = false;           // X-Amz-Function-Error was present (Lambda Invoke)
  AwsError aws_error = AwsError::kNone;  // x-amzn-ErrorType (API Gateway, Lambda's Invoke API)
  std::optional<LambdaReport> report;    // from X-Amz-Log-Result (Lambda Invoke)
  std::string log_tail;                  // X-Amz-Log-Result decoded; kept for its capacity
  bool active = false;
  // Times libcurl was about to send this request. libcurl sends a request again, on a new
  // connection, when the reused keep-alive connection it went out on died before any response
  // byte: the target would see (and may bill) a request nobody counted. The second send is
  // refused (OnPrereq) and the request ends once, as the connect_error it met.
  int sends = 0;
  bool resend_refused = false;
  // With changing AWS credentials: the keys this request is signed with and its header list
  // (the template's plus x-amz-security-token), both kept until the next request.
  std::shared_ptr<const SigningKeys> keys;
  curl_slist* signed_headers = nullptr;

  ~Transfer();
  void ReleaseSigning();
  // Readies the handle for a new request intended for `scheduled_at` and sent at `now`.
  void Begin(Clock::time_point scheduled_at, Clock::time_point now);
  // Fills `record` once the transfer has ended (or was aborted): status, bytes, outcome (the
  // response checks), cold start, billed duration, and Lambda's REPORT line, whose word wins.
  void Complete(CURLcode code, Clock::time_point now, bool aborted);
  // libcurl's header and body callbacks; `user` is the Transfer.
  static size_t OnHeader(char* data, size_t size, size_t count, void* user);
  static size_t OnBody(char* data, size_t size, size_t count, void* user);
  // libcurl's pre-request callback, called right before each send of the request.
  static int OnPrereq(void* user, char* remote_ip, char* local_ip, int remote_port, int local_port);

 private:
  // One response header line's name and value (blanks trimmed).
  void ReadHeader(std::string_view name, std::string_view value);
};

}  // namespace loadgen::internal

#endif  // LOADGEN_TRANSFER_H_
