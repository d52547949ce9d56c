#include "web/http_server.h"

#include <civetweb.h>
#include <prometheus/text_serializer.h>

#include <cstring>
#include <mutex>

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

// Bounds that keep a slow or huge request from tying up the server.
constexpr const char* kRequestTimeoutMs = "10000";
constexpr const char* kNumThreads = "16";
constexpr const char* kMaxRequestSize = "16384";

void Send(mg_connection* conn, int status, const char* content_type, const std::string& body,
          const char* extra_headers = "") {
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

HttpServer::Context* ContextOf(void* cbdata) { return static_cast<HttpServer::Context*>(cbdata); }

// Returns true when the request may proceed; otherwise a 401 has been sent.
bool Authorized(mg_connection* conn, HttpServer::Context* c) {
  if (!c->web_config || !c->web_config->auth_required()) return true;
  if (c->web_config->Check(mg_get_header(conn, "Authorization"))) return true;
  Send(conn, 401, "text/plain; charset=utf-8", "Unauthorized\n",
       "WWW-Authenticate: Basic realm=\"infercost\"\r\n");
  return false;
}

bool MethodIs(mg_connection* conn, const char* method) {
  return std::strcmp(mg_get_request_info(conn)->request_method, method) == 0;
}

bool IsGetOrHead(mg_connection* conn) { return MethodIs(conn, "GET") || MethodIs(conn, "HEAD"); }

int MethodNotAllowed(mg_connection* conn, const char* allow) {
  std::string header = std::string("Allow: ") + allow + "\r\n";
  Send(conn, 405, "text/plain; charset=utf-8",
       std::string("Method not allowed; use ") + allow + "\n", header.c_str());
  return 405;
}

int HandleRoot(mg_connection* conn, void* cbdata) {
  HttpServer::Context* c = ContextOf(cbdata);
  if (!Authorized(conn, c)) return 401;
  const char* uri = mg_get_request_info(conn)->local_uri;
  if (std::strcmp(uri, "/") != 0) {
    Send(conn, 404, "text/plain; charset=utf-8",
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
  Send(conn, 200, "text/plain; version=0.0.4; charset=utf-8", c->handlers.metrics());
  return 200;
}

int HandleHealthy(mg_connection* conn, void* cbdata) {
  HttpServer::Context* c = ContextOf(cbdata);
  if (!Authorized(conn, c)) return 401;
  Send(conn, 200, "text/plain; charset=utf-8", "infercost is Healthy.\n");
  return 200;
}

int HandleReady(mg_connection* conn, void* cbdata) {
  HttpServer::Context* c = ContextOf(cbdata);
  if (!Authorized(conn, c)) return 401;
  if (c->handlers.ready()) {
    Send(conn, 200, "text/plain; charset=utf-8", "infercost is Ready.\n");
    return 200;
  }
  Send(conn, 503, "text/plain; charset=utf-8", "infercost is not ready yet.\n");
  return 503;
}

int HandleReload(mg_connection* conn, void* cbdata) {
  HttpServer::Context* c = ContextOf(cbdata);
  if (!Authorized(conn, c)) return 401;
  if (!MethodIs(conn, "POST") && !MethodIs(conn, "PUT")) return MethodNotAllowed(conn, "POST");
  const std::vector<std::string> errors = c->handlers.reload();
  if (errors.empty()) {
    Send(conn, 200, "text/plain; charset=utf-8", "config reloaded\n");
    return 200;
  }
  std::string body = "config reload failed; the previous config keeps running:\n";
  for (const std::string& e : errors) body += e + "\n";
  Send(conn, 500, "text/plain; charset=utf-8", body);
  return 500;
}

int HandleTargets(mg_connection* conn, void* cbdata) {
  HttpServer::Context* c = ContextOf(cbdata);
  if (!Authorized(conn, c)) return 401;
  if (!IsGetOrHead(conn)) return MethodNotAllowed(conn, "GET");
  Send(conn, 200, "application/json", c->handlers.targets_json());
  return 200;
}

int LogMessage(const mg_connection* /*conn*/, const char* message) {
  Log(LogLevel::kWarn, "http server", {{"detail", message}});
  return 1;
}

}  // namespace

std::string MetricsText(const std::string& serialized, const prometheus::Collectable& collectable) {
  const std::string own = prometheus::TextSerializer().Serialize(collectable.Collect());
  std::string text;
  text.reserve(serialized.size() + own.size());
  text += serialized;
  text += own;
  return text;
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
                           "request_timeout_ms",
                           kRequestTimeoutMs,
                           "max_request_size",
                           kMaxRequestSize,
                           "enable_keep_alive",
                           "yes",
                           "keep_alive_timeout_ms",
                           "30000",
                           "tcp_nodelay",
                           "1",
                           nullptr};
  mg_callbacks callbacks{};
  callbacks.log_message = LogMessage;
  server->context_->ctx = mg_start(&callbacks, nullptr, options);
  if (server->context_->ctx == nullptr) {
    *error = "cannot listen on " + listen + " (address in use, or not an address of this host)";
    return nullptr;
  }
  mg_context* ctx = server->context_->ctx;
  void* cbdata = server->context_.get();
  mg_set_request_handler(ctx, "/", HandleRoot, cbdata);
  mg_set_request_handler(ctx, "/metrics", HandleMetrics, cbdata);
  mg_set_request_handler(ctx, "/-/healthy", HandleHealthy, cbdata);
  mg_set_request_handler(ctx, "/-/ready", HandleReady, cbdata);
  mg_set_request_handler(ctx, "/-/reload", HandleReload, cbdata);
  mg_set_request_handler(ctx, "/api/v1/targets", HandleTargets, cbdata);

  mg_server_port bound[4];
  const int n = mg_get_server_ports(ctx, 4, bound);
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
