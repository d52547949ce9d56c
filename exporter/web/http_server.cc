#include "web/http_server.h"

#include <civetweb.h>
#include <prometheus/text_serializer.h>

#include <cstring>
#include <mutex>
#include <string_view>

#include "common/listen_address.h"
#include "common/log.h"

namespace infercost {

extern const char kLandingPage[];  // assets/index.html, embedded

struct HttpServer::Context {
  HttpHandlers handlers;
  std::optional<WebConfig> web_config;
  mg_context* ctx = nullptr;
};

namespace {

// CivetWeb 1.15 (Debian 12) serves each connection on one worker thread from accept to close, so
// the number of workers is the number of connections served at once: 1,000 idle or slow
// connections must leave workers free for a scrape (bench/idle_connections.py measures it). The
// workers start with the server; each holds a buffer of max_request_size.
constexpr const char* kNumThreads = "1100";
// Connections accepted while every worker is busy wait here (then in the kernel's listen backlog).
constexpr const char* kConnectionQueue = "200";
// How long a request's header (and a body) may take to arrive, before auth is checked: a
// slow-header client holds its worker no longer. Prometheus sends its headers in one segment.
constexpr const char* kRequestTimeoutMs = "2000";
// How long a kept-alive connection may sit idle between requests.
constexpr const char* kKeepAliveTimeoutMs = "5000";
// Request line and headers; infercost's requests have small headers and no bodies.
constexpr const char* kMaxRequestSize = "8192";
constexpr const char* kPlainText = "text/plain; charset=utf-8";

void SendUnredacted(mg_connection* conn, int status, const char* content_type,
                    const std::string& body, const char* extra_headers = "") {
  const char* reason = mg_get_response_code_text(conn, status);
  mg_printf(conn,
            "HTTP/1.1 %d %s\r\nContent-Type: %s\r\nContent-Length: %zu\r\n"
            "Cache-Control: no-store\r\n%s\r\n",
            status, reason, content_type, body.size(), extra_headers);
  const mg_request_info* info = mg_get_request_info(conn);
  if (std::strcmp(info->request_method, "HEAD") != 0) {
    mg_write(conn, body.data(), body.size());
  }
}

// Every response body but /metrics goes through the one redaction step (common/log's registered
// secrets) so that no secret reaches a client, whatever the handler put in it. /metrics is
// exempt: its label values are target names ([a-z0-9_-]), enumerations and catalog names
// (regions, instance types), never a free configured string, and redacting it could turn a short
// secret such as "1" into broken exposition text.
void Send(mg_connection* conn, int status, const char* content_type, const std::string& body,
          const char* extra_headers = "") {
  SendUnredacted(conn, status, content_type, RedactRegistered(body), extra_headers);
}

HttpServer::Context* ContextOf(void* cbdata) { return static_cast<HttpServer::Context*>(cbdata); }

// Returns true when the request may proceed; otherwise a 401 has been sent.
bool Authorized(mg_connection* conn, HttpServer::Context* c) {
  if (!c->web_config || !c->web_config->auth_required()) return true;
  if (c->web_config->Excluded(mg_get_request_info(conn)->local_uri)) return true;
  if (c->web_config->Check(mg_get_header(conn, "Authorization"))) return true;
  Send(conn, 401, kPlainText, "Unauthorized\n", "WWW-Authenticate: Basic realm=\"infercost\"\r\n");
  return false;
}

bool MethodIs(mg_connection* conn, const char* method) {
  return std::strcmp(mg_get_request_info(conn)->request_method, method) == 0;
}

bool IsGetOrHead(mg_connection* conn) { return MethodIs(conn, "GET") || MethodIs(conn, "HEAD"); }

int MethodNotAllowed(mg_connection* conn, const char* allow) {
  std::string header = std::string("Allow: ") + allow + "\r\n";
  Send(conn, 405, kPlainText, std::string("Method not allowed; use ") + allow + "\n",
       header.c_str());
  return 405;
}

int HandleRoot(mg_connection* conn, void* cbdata) {
  HttpServer::Context* c = ContextOf(cbdata);
  if (!Authorized(conn, c)) return 401;
  const char* uri = mg_get_request_info(conn)->local_uri;
  if (std::strcmp(uri, "/") != 0) {
    Send(conn, 404, kPlainText,
         "Not found. Endpoints: /, /metrics, /-/healthy, /-/ready, POST /-/reload, "
         "/api/v1/targets\n");
    return 404;
  }
  if (!IsGetOrHead(conn)) return MethodNotAllowed(conn, "GET");
  Send(conn, 200, "text/html; charset=utf-8", kLandingPage);
  return 200;
}

int HandleMetrics(mg_connection* conn, void* cbdata) {
  HttpServer::Context* c = ContextOf(cbdata);
  if (!Authorized(conn, c)) return 401;
  if (!IsGetOrHead(conn)) return MethodNotAllowed(conn, "GET");
  const MetricsBody body = c->handlers.metrics();
  const std::size_t prepared = body.prepared ? body.prepared->size() : 0;
  mg_printf(conn,
            "HTTP/1.1 200 OK\r\nContent-Type: text/plain; version=0.0.4; charset=utf-8\r\n"
            "Content-Length: %zu\r\nCache-Control: no-store\r\n\r\n",
            prepared + body.now.size());
  if (!MethodIs(conn, "HEAD")) {
    if (prepared > 0) mg_write(conn, body.prepared->data(), prepared);
    mg_write(conn, body.now.data(), body.now.size());
  }
  return 200;
}

int HandleHealthy(mg_connection* conn, void* cbdata) {
  HttpServer::Context* c = ContextOf(cbdata);
  if (!Authorized(conn, c)) return 401;
  Send(conn, 200, kPlainText, "infercost is Healthy.\n");
  return 200;
}

int HandleReady(mg_connection* conn, void* cbdata) {
  HttpServer::Context* c = ContextOf(cbdata);
  if (!Authorized(conn, c)) return 401;
  if (c->handlers.ready()) {
    Send(conn, 200, kPlainText, "infercost is Ready.\n");
    return 200;
  }
  Send(conn, 503, kPlainText, "infercost is not ready yet.\n");
  return 503;
}

int HandleReload(mg_connection* conn, void* cbdata) {
  HttpServer::Context* c = ContextOf(cbdata);
  if (!Authorized(conn, c)) return 401;
  if (!MethodIs(conn, "POST") && !MethodIs(conn, "PUT")) return MethodNotAllowed(conn, "POST");
  const std::vector<std::string> errors = c->handlers.reload();
  if (errors.empty()) {
    Send(conn, 200, kPlainText, "config reloaded\n");
    return 200;
  }
  std::string body = "config reload failed; the previous config keeps running:\n";
  for (const std::string& e : errors) body += e + "\n";
  Send(conn, 500, kPlainText, body);
  return 500;
}

int HandleTargets(mg_connection* conn, void* cbdata) {
  HttpServer::Context* c = ContextOf(cbdata);
  if (!Authorized(conn, c)) return 401;
  if (!IsGetOrHead(conn)) return MethodNotAllowed(conn, "GET");
  Send(conn, 200, "application/json", c->handlers.targets_json());
  return 200;
}

// The exception barrier of every handler: an exception (a bug, or std::bad_alloc) becomes a 500
// and a log line, never std::terminate on a CivetWeb thread.
template <int (*Handler)(mg_connection*, void*)>
int Guarded(mg_connection* conn, void* cbdata) {
  std::string what;
  try {
    return Handler(conn, cbdata);
  } catch (const std::exception& e) {
    what = e.what();
  } catch (...) {
    what = "unknown exception";
  }
  try {
    Log(LogLevel::kError, "http handler failed",
        {{"path", mg_get_request_info(conn)->local_uri}, {"error", what}});
    Send(conn, 500, kPlainText, "internal error; see the log\n");
  } catch (...) {
    // Nothing more to do for this request; the server keeps serving.
  }
  return 500;
}

// Every request, routed here from CivetWeb's begin_request callback, which is set before the
// server listens: handlers registered with mg_set_request_handler after mg_start left a window in
// which a request (a probe, a scrape at start-up) got CivetWeb's own 404. A path is served by the
// route it equals or lies under (/metrics/x by /metrics), as CivetWeb matched them; everything
// else by the landing page's handler, which answers 404 for unknown paths.
int Route(mg_connection* conn) {
  struct Entry {
    std::string_view path;
    int (*handler)(mg_connection*, void*);
  };
  static constexpr Entry kRoutes[] = {{"/metrics", Guarded<HandleMetrics>},
                                      {"/-/healthy", Guarded<HandleHealthy>},
                                      {"/-/ready", Guarded<HandleReady>},
                                      {"/-/reload", Guarded<HandleReload>},
                                      {"/api/v1/targets", Guarded<HandleTargets>}};
  void* cbdata = mg_get_user_data(mg_get_context(conn));
  const char* local_uri = mg_get_request_info(conn)->local_uri;
  const std::string_view uri = local_uri != nullptr ? local_uri : "/";
  int (*handler)(mg_connection*, void*) = Guarded<HandleRoot>;
  for (const Entry& route : kRoutes) {
    if (uri.starts_with(route.path) &&
        (uri.size() == route.path.size() || uri[route.path.size()] == '/')) {
      handler = route.handler;
      break;
    }
  }
  const int status = handler(conn, cbdata);
  return status > 0 ? status : 500;  // non-zero: handled, CivetWeb adds nothing
}

int LogMessage(const mg_connection* /*conn*/, const char* message) {
  try {
    Log(LogLevel::kWarn, "http server", {{"detail", message}});
  } catch (...) {
    // A log line lost to std::bad_alloc; CivetWeb's thread must not unwind.
  }
  return 1;
}

}  // namespace

MetricsBody MetricsText(std::shared_ptr<const std::string> serialized,
                        const prometheus::Collectable& collectable) {
  MetricsBody body;
  body.prepared = std::move(serialized);
  body.now = prometheus::TextSerializer().Serialize(collectable.Collect());
  return body;
}

std::unique_ptr<HttpServer> HttpServer::Start(const std::string& listen, HttpHandlers handlers,
                                              std::optional<WebConfig> web_config,
                                              std::string* error) {
  std::string parse_error;
  const std::optional<ListenAddress> address = ParseListenAddress(listen, &parse_error);
  if (!address) {
    *error = "listen address '" + listen + "' " + parse_error;
    return nullptr;
  }
  static std::once_flag init_once;
  std::call_once(init_once, [] { mg_init_library(0); });

  std::unique_ptr<HttpServer> server(new HttpServer());
  server->context_ = std::make_unique<Context>();
  server->context_->handlers = std::move(handlers);
  server->context_->web_config = std::move(web_config);

  // CivetWeb takes "HOST:PORT" and "[V6HOST]:PORT"; 0.0.0.0 is every IPv4 interface.
  const std::string ports = address->ToString();
  // tcp_nodelay: without it the last partial segment of a response waits for the client's
  // delayed ACK, which added 40 ms to about one /metrics scrape in twenty.
  const char* options[] = {"listening_ports",
                           ports.c_str(),
                           "num_threads",
                           kNumThreads,
                           "connection_queue",
                           kConnectionQueue,
                           "request_timeout_ms",
                           kRequestTimeoutMs,
                           "max_request_size",
                           kMaxRequestSize,
                           "enable_keep_alive",
                           "yes",
                           "keep_alive_timeout_ms",
                           kKeepAliveTimeoutMs,
                           "tcp_nodelay",
                           "1",
                           nullptr};
  mg_callbacks callbacks{};
  callbacks.log_message = LogMessage;
  callbacks.begin_request = Route;
  server->context_->ctx = mg_start(&callbacks, server->context_.get(), options);
  if (server->context_->ctx == nullptr) {
    *error = "cannot listen on " + listen + " (address in use, or not an address of this host)";
    return nullptr;
  }
  mg_server_port bound[4];
  const int n = mg_get_server_ports(server->context_->ctx, 4, bound);
  if (n < 1) {
    *error = "cannot read the bound port of " + listen;
    return nullptr;
  }
  server->port_ = bound[0].port;
  server->address_ = address->BindHost() + ":" + std::to_string(server->port_);
  return server;
}

HttpServer::~HttpServer() {
  if (context_ && context_->ctx != nullptr) mg_stop(context_->ctx);
}

}  // namespace infercost
