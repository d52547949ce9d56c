// The one HTTP server of `infercost serve` (CivetWeb, plain HTTP): `/` landing page, `/metrics`,
// `/-/healthy`, `/-/ready`, `POST /-/reload`, `/api/v1/targets`. Basic auth from the web config
// guards every endpoint. Thread contract: handlers run on CivetWeb's worker threads and only call
// the thread-safe callbacks given in HttpHandlers.
#ifndef INFERCOST_WEB_HTTP_SERVER_H_
#define INFERCOST_WEB_HTTP_SERVER_H_

#include <prometheus/collectable.h>

#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "web/web_config.h"

namespace infercost {

// A /metrics body in the Prometheus text format: text prepared earlier and shared (the service's
// exposition, megabytes with a thousand targets: sent as it is, never copied per scrape),
// followed by text made for this scrape.
struct MetricsBody {
  MetricsBody() = default;
  MetricsBody(std::string text) : now(std::move(text)) {}  // NOLINT: implicit, for tests
  std::shared_ptr<const std::string> prepared;             // may be null
  std::string now;
};

struct HttpHandlers {
  std::function<MetricsBody()> metrics;
  std::function<std::string()> targets_json;  // /api/v1/targets
  std::function<bool()> ready;
  // Reloads the config; returns the errors (empty on success).
  std::function<std::vector<std::string>()> reload;
};

class HttpServer {
 public:
  // Starts listening on HOST:PORT (port 0 picks a free one). Nullptr with *error set on failure.
  static std::unique_ptr<HttpServer> Start(const std::string& listen, HttpHandlers handlers,
                                           std::optional<WebConfig> web_config, std::string* error);
  ~HttpServer();  // stops the server and joins its threads
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  int port() const { return port_; }
  const std::string& address() const { return address_; }  // HOST:PORT as bound

  struct Context;

 private:
  HttpServer() = default;
  std::unique_ptr<Context> context_;
  int port_ = 0;
  std::string address_;
};

// The /metrics body: `serialized`, text already in the exposition format (the service's, serialized
// once per change), followed by the families of `collectable` serialized now (the process metrics,
// read at scrape time).
MetricsBody MetricsText(std::shared_ptr<const std::string> serialized,
                        const prometheus::Collectable& collectable);

}  // namespace infercost

#endif  // INFERCOST_WEB_HTTP_SERVER_H_
