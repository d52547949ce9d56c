#include "web/http_server.h"

#include <civetweb.h>

#include <cstring>
#include <mutex>

#include "common/log.h"

namespace infercost {

extern const char kLandingPage[];

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

std::optional<std::pair<std::string, int>> SplitHostPort(const std::string& listen) {
  const std::size_t colon = listen.rfind(':');
  if (colon == std::string::npos) return std::nullopt;
  std::string host = listen.substr(0, colon);
  const std::string port_text = listen.substr(colon + 1);
  if (port_text.empty() || port_text.size() > 5 ||
      port_text.find_first_not_of("0123456789") != std::string::npos) {
    return std::nullopt;
  }
  const int port = std::stoi(port_text);
  if (port > 65535) return std::nullopt;
  if (host.starts_with('[')) {
    if (!host.ends_with(']') || host.size() < 3) return std::nullopt;
  } else if (host.find(':') != std::string::npos) {
    return std::nullopt;  // IPv6 must be bracketed
  }
  return std::make_pair(host, port);
}

std::unique_ptr<HttpServer> HttpServer::Start(const std::string& listen, HttpHandlers handlers,
                                              std::optional<WebConfig> web_config,
                                              std::string* error) {
  const auto host_port = SplitHostPort(listen);
  if (!host_port) {
    *error = "bad listen address '" + listen + "': want HOST:PORT, e.g. 0.0.0.0:18090";
    return nullptr;
  }
  static std::once_flag init_once;
  std::call_once(init_once, [] { mg_init_library(0); });

  std::unique_ptr<HttpServer> server(new HttpServer());
  server->context_ = std::make_unique<Context>();
  server->context_->handlers = std::move(handlers);
  server->context_->web_config = std::move(web_config);

  // CivetWeb wants "HOST:PORT" for IPv4, "[HOST]:PORT" with a '+'-less form for IPv6, and just
  // "PORT" for every address.
  std::string ports;
  const auto& [host, port] = *host_port;
  if (host.empty() || host == "0.0.0.0") {
    ports = std::to_string(port);
  } else {
    ports = host + ":" + std::to_string(port);
  }
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
  const std::string shown_host = host.empty() ? "0.0.0.0" : host;
  server->address_ = shown_host + ":" + std::to_string(server->port_);
  return server;
}

HttpServer::~HttpServer() {
  if (context_ && context_->ctx != nullptr) mg_stop(context_->ctx);
}

}  // namespace infercost
