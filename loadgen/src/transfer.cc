#include "transfer.h"

#include <algorithm>

#include "loadgen/base64.h"
#include "loadgen/billed_duration.h"
#include "loadgen/lambda_report.h"
#include "loadgen/outcome.h"

namespace loadgen::internal {
namespace {

using std::chrono::milliseconds;
using std::chrono::nanoseconds;

bool HasHeader(const std::vector<std::string>& headers, std::string_view name) {
  for (const std::string& h : headers) {
    const std::size_t colon = h.find(':');
    if (colon != std::string::npos &&
        EqualsIgnoreCase(Trim(std::string_view(h).substr(0, colon)), name)) {
      return true;
    }
  }
  return false;
}

bool HasBody(const RequestSpec& spec) {
  return spec.payloads != nullptr && !spec.payloads->empty();
}

void SetMethod(CURL* e, const RequestSpec& spec) {
  if (EqualsIgnoreCase(spec.method, "GET") && !HasBody(spec)) {
    curl_easy_setopt(e, CURLOPT_HTTPGET, 1L);
  } else if (EqualsIgnoreCase(spec.method, "HEAD")) {
    curl_easy_setopt(e, CURLOPT_NOBODY, 1L);
  } else {
    curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(0));
    curl_easy_setopt(e, CURLOPT_POSTFIELDS, "");
    if (!EqualsIgnoreCase(spec.method, "POST")) {
      curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, spec.method.c_str());
    }
  }
}

}  // namespace

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() &&
         (s.back() == ' ' || s.back() == '\t' || s.back() == '\r' || s.back() == '\n')) {
    s.remove_suffix(1);
  }
  return s;
}

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    char x = a[i];
    char y = b[i];
    if (x >= 'A' && x <= 'Z') x = static_cast<char>(x - 'A' + 'a');
    if (y >= 'A' && y <= 'Z') y = static_cast<char>(y - 'A' + 'a');
    if (x != y) return false;
  }
  return true;
}

RequestTemplate::RequestTemplate(RequestSpec spec) : spec_(std::move(spec)) {
  keep_body_ = !spec_.expect.body_contains.empty();
  // Header lists are built once per payload; the request path only points at them.
  if (HasBody(spec_)) {
    for (const Payload& p : *spec_.payloads) header_lists_.push_back(HeaderList(p.content_type));
  } else {
    header_lists_.push_back(HeaderList(""));
  }
}

RequestTemplate::~RequestTemplate() {
  for (curl_slist* list : header_lists_) curl_slist_free_all(list);
}

curl_slist* RequestTemplate::HeaderList(const std::string& content_type) const {
  curl_slist* list = nullptr;
  for (const std::string& h : spec_.headers) list = curl_slist_append(list, h.c_str());
  if (!content_type.empty() && !HasHeader(spec_.headers, "Content-Type")) {
    list = curl_slist_append(list, ("Content-Type: " + content_type).c_str());
  }
  // No "Expect: 100-continue" round trip before large bodies: it adds latency (up to a second
  // with servers that ignore it) that the target never caused.
  if (!HasHeader(spec_.headers, "Expect")) list = curl_slist_append(list, "Expect:");
  // Lambda's Invoke API: wait for the result and hand back the log tail with its REPORT line.
  if (spec_.protocol == Protocol::kLambdaInvoke) {
    if (!HasHeader(spec_.headers, "X-Amz-Invocation-Type")) {
      list = curl_slist_append(list, "X-Amz-Invocation-Type: RequestResponse");
    }
    if (!HasHeader(spec_.headers, "X-Amz-Log-Type")) {
      list = curl_slist_append(list, "X-Amz-Log-Type: Tail");
    }
  }
  // Static keys' token is fixed; changing credentials add theirs per request (Prepare).
  if (spec_.sigv4.has_value() && !spec_.sigv4->credentials && !spec_.sigv4->session_token.empty()) {
    list = curl_slist_append(list, ("x-amz-security-token: " + spec_.sigv4->session_token).c_str());
  }
  return list;
}

ConnectionShare::ConnectionShare() : share_(curl_share_init()) {
  if (share_ != nullptr) curl_share_setopt(share_, CURLSHOPT_SHARE, CURL_LOCK_DATA_CONNECT);
}

ConnectionShare::~ConnectionShare() {
  // Closes the cached connections (through each one's close-socket callback).
  if (share_ != nullptr) curl_share_cleanup(share_);
}

CURL* RequestTemplate::NewEasy(void* transfer, const CloseSocketHook& close_socket,
                               CURLSH* share) const {
  CURL* e = curl_easy_init();
  if (e == nullptr) return nullptr;
  curl_easy_setopt(e, CURLOPT_URL, spec_.url.c_str());
  if (share != nullptr) curl_easy_setopt(e, CURLOPT_SHARE, share);
  curl_easy_setopt(e, CURLOPT_PRIVATE, transfer);
  curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(e, CURLOPT_CLOSESOCKETFUNCTION, close_socket.function);
  curl_easy_setopt(e, CURLOPT_CLOSESOCKETDATA, close_socket.data);
  curl_easy_setopt(e, CURLOPT_PREREQFUNCTION, &Transfer::OnPrereq);
  curl_easy_setopt(e, CURLOPT_PREREQDATA, transfer);
  curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, &Transfer::OnBody);
  curl_easy_setopt(e, CURLOPT_WRITEDATA, transfer);
  // Always: x-amzn-ErrorType tells AWS's own errors from the target's (what AWS bills).
  curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, &Transfer::OnHeader);
  curl_easy_setopt(e, CURLOPT_HEADERDATA, transfer);
  const auto timeout_ms = std::max<int64_t>(
      1, std::chrono::duration_cast<milliseconds>(spec_.timeout + milliseconds(1) - nanoseconds(1))
             .count());
  curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, static_cast<long>(timeout_ms));
  curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(timeout_ms));
  curl_easy_setopt(e, CURLOPT_HTTP_VERSION, static_cast<long>(CURL_HTTP_VERSION_2TLS));
  if (!spec_.verify_tls) {
    curl_easy_setopt(e, CURLOPT_SSL_VERIFYPEER, 0L);
    curl_easy_setopt(e, CURLOPT_SSL_VERIFYHOST, 0L);
  }
  SetMethod(e, spec_);
  if (spec_.sigv4.has_value()) {
    curl_easy_setopt(e, CURLOPT_AWS_SIGV4, spec_.sigv4->provider.c_str());
    if (!spec_.sigv4->credentials) {
      curl_easy_setopt(e, CURLOPT_USERNAME, spec_.sigv4->access_key.c_str());
      curl_easy_setopt(e, CURLOPT_PASSWORD, spec_.sigv4->secret_key.c_str());
    }
  }
  return e;
}

bool RequestTemplate::Prepare(Transfer* t, std::size_t sequence) const {
  CURL* easy = t->easy;
  std::size_t index = 0;
  if (HasBody(spec_)) {
    index = sequence % spec_.payloads->size();
    const Payload& p = (*spec_.payloads)[index];
    curl_easy_setopt(easy, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(p.bytes.size()));
    curl_easy_setopt(easy, CURLOPT_POSTFIELDS, p.bytes.data());
  }
  curl_easy_setopt(easy, CURLOPT_HTTPHEADER, header_lists_[index]);
  t->ReleaseSigning();
  if (!spec_.sigv4.has_value() || !spec_.sigv4->credentials) return true;
  // Changing credentials: this request's keys, held by the transfer until the next request.
  t->keys = spec_.sigv4->credentials->Current();
  if (t->keys == nullptr) return false;
  curl_easy_setopt(easy, CURLOPT_USERNAME, t->keys->access_key.c_str());
  curl_easy_setopt(easy, CURLOPT_PASSWORD, t->keys->secret_key.c_str());
  if (!t->keys->session_token.empty()) {
    for (const curl_slist* h = header_lists_[index]; h != nullptr; h = h->next) {
      t->signed_headers = curl_slist_append(t->signed_headers, h->data);
    }
    t->signed_headers = curl_slist_append(
        t->signed_headers, ("x-amz-security-token: " + t->keys->session_token).c_str());
    curl_easy_setopt(easy, CURLOPT_HTTPHEADER, t->signed_headers);
  }
  return true;
}

Transfer::~Transfer() {
  if (easy != nullptr) curl_easy_cleanup(easy);
  ReleaseSigning();
}

void Transfer::ReleaseSigning() {
  if (signed_headers != nullptr) curl_slist_free_all(signed_headers);
  signed_headers = nullptr;
  keys.reset();
}

void Transfer::Begin(Clock::time_point scheduled_at, Clock::time_point now) {
  record = RequestRecord{};
  record.scheduled_at = scheduled_at;
  record.sent_at = now;
  body.clear();
  body_bytes = 0;
  body_too_large = false;
  cold_header = false;
  billed.reset();
  function_error = false;
  aws_error = AwsError::kNone;
  report.reset();
  sends = 0;
  resend_refused = false;
  active = true;
}

void Transfer::Complete(CURLcode code, Clock::time_point now, bool aborted) {
  const RequestSpec& spec = request->spec();
  RequestRecord& r = record;
  r.done_at = now;
  long status = 0;
  curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &status);
  curl_off_t uploaded = 0;
  curl_easy_getinfo(easy, CURLINFO_SIZE_UPLOAD_T, &uploaded);
  r.http_status = static_cast<int>(status);
  r.bytes_sent = static_cast<uint64_t>(std::max<curl_off_t>(uploaded, 0));
  r.bytes_received = std::min<uint64_t>(body_bytes, spec.expect.max_body_bytes);
  r.aborted = aborted;
  r.billed_duration = billed;
  r.report = report;
  if (report.has_value()) r.billed_duration = report->billed_duration;  // AWS's word first
  if (aborted) {
    r.outcome = Outcome::kTimeout;
  } else if (resend_refused) {
    r.outcome = Outcome::kConnectError;  // the connection it was sent on died unanswered
  } else {
    const Expect& expect = spec.expect;
    bool checks = !body_too_large;
    if (expect.status != 0) {
      checks = checks && status == expect.status;
    } else {
      checks = checks && status >= 200 && status <= 299;
    }
    if (checks && !expect.body_contains.empty()) {
      checks = body.find(expect.body_contains) != std::string::npos;
    }
    // An oversized body was cut by us, not by the network: classify it by its status.
    const int effective_code = body_too_large ? CURLE_OK : static_cast<int>(code);
    r.outcome =
        ClassifyOutcome(effective_code, status, checks, spec.sigv4.has_value(), function_error);
  }
  r.aws_error = aws_error;
  r.billing_class =
      BillingClassOf(r.outcome, status, aws_error, spec.protocol == Protocol::kLambdaInvoke);
  if (report.has_value()) {
    // AWS's word: Init Duration is there exactly when the invocation started a new environment.
    r.cold_start = report->init_duration.has_value();
  } else {
    r.cold_start = cold_header;
    if (!r.cold_start && r.outcome == Outcome::kOk && spec.cold_start.latency_above &&
        r.Latency() > *spec.cold_start.latency_above) {
      r.cold_start = true;
    }
  }
  active = false;
}

size_t Transfer::OnBody(char* data, size_t size, size_t count, void* user) {
  auto* t = static_cast<Transfer*>(user);
  const size_t n = size * count;
  t->body_bytes += n;
  if (t->body_bytes > t->request->spec().expect.max_body_bytes) {
    t->body_too_large = true;
    return 0;  // CURLE_WRITE_ERROR: stop reading a body we would not accept anyway
  }
  if (t->request->keep_body()) t->body.append(data, n);
  return n;
}

int Transfer::OnPrereq(void* user, char* /*remote_ip*/, char* /*local_ip*/, int /*remote_port*/,
                       int /*local_port*/) {
  auto* t = static_cast<Transfer*>(user);
  if (++t->sends > 1) {
    t->resend_refused = true;
    return CURL_PREREQFUNC_ABORT;
  }
  return CURL_PREREQFUNC_OK;
}

size_t Transfer::OnHeader(char* data, size_t size, size_t count, void* user) {
  auto* t = static_cast<Transfer*>(user);
  const size_t n = size * count;
  const std::string_view line(data, n);
  if (line.starts_with("HTTP/")) {
    // A new response (after a 1xx): forget what an earlier one said.
    t->cold_header = false;
    t->billed.reset();
    t->function_error = false;
    t->aws_error = AwsError::kNone;
    t->report.reset();
    return n;
  }
  const std::size_t colon = line.find(':');
  if (colon != std::string_view::npos) {
    t->ReadHeader(Trim(line.substr(0, colon)), Trim(line.substr(colon + 1)));
  }
  return n;
}

void Transfer::ReadHeader(std::string_view name, std::string_view value) {
  const RequestSpec& spec = request->spec();
  if (!spec.cold_start.header.empty() && EqualsIgnoreCase(name, spec.cold_start.header)) {
    cold_header = EqualsIgnoreCase(value, "true");
  } else if (!spec.billed_duration_header.empty() &&
             EqualsIgnoreCase(name, spec.billed_duration_header)) {
    billed = ParseBilledDuration(value);
  } else if (EqualsIgnoreCase(name, "x-amzn-ErrorType")) {
    aws_error = ClassifyAwsErrorType(value);
  } else if (spec.protocol != Protocol::kLambdaInvoke) {
    return;
  } else if (EqualsIgnoreCase(name, "X-Amz-Function-Error")) {
    function_error = true;  // Unhandled or Handled: the function ran and failed
  } else if (EqualsIgnoreCase(name, "X-Amz-Log-Result")) {
    report.reset();
    if (Base64Decode(value, &log_tail)) report = ParseLambdaReport(log_tail);
  }
}

}  // namespace loadgen::internal
