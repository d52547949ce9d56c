// The HTTP server, web config and logs, without the load engine: fake handlers on a real
// CivetWeb server bound to 127.0.0.1:0, driven with libcurl.
#include "web/http_server.h"

#include <crypt.h>
#include <curl/curl.h>
#include <gtest/gtest.h>

#include <atomic>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "common/log.h"
#include "web/web_config.h"

namespace infercost {
namespace {

struct Response {
  long status = 0;
  std::string body;
  std::string headers;
};

size_t Append(char* data, size_t size, size_t n, void* out) {
  static_cast<std::string*>(out)->append(data, size * n);
  return size * n;
}

Response Fetch(int port, const std::string& path, const std::string& method = "GET",
               const std::string& user_password = "") {
  Response r;
  CURL* curl = curl_easy_init();
  const std::string url = "http://127.0.0.1:" + std::to_string(port) + path;
  curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, method.c_str());
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, Append);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &r.body);
  curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, Append);
  curl_easy_setopt(curl, CURLOPT_HEADERDATA, &r.headers);
  curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, 10000L);
  if (!user_password.empty()) {
    curl_easy_setopt(curl, CURLOPT_HTTPAUTH, CURLAUTH_BASIC);
    curl_easy_setopt(curl, CURLOPT_USERPWD, user_password.c_str());
  }
  if (curl_easy_perform(curl) == CURLE_OK) {
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &r.status);
  }
  curl_easy_cleanup(curl);
  return r;
}

std::string Bcrypt(const std::string& password) {
  char salt[64];
  EXPECT_NE(crypt_gensalt_rn("$2b$", 4, nullptr, 0, salt, sizeof salt), nullptr);
  auto data = std::make_unique<crypt_data>();
  return crypt_r(password.c_str(), salt, data.get());
}

class HttpServerTest : public ::testing::Test {
 protected:
  void StartServer(std::optional<WebConfig> web_config = std::nullopt) {
    HttpHandlers handlers;
    handlers.metrics = [] { return std::string("# HELP x y\n# TYPE x gauge\nx 1\n"); };
    handlers.targets_json = [] { return std::string(R"({"targets":[]})"); };
    handlers.ready = [this] { return ready_.load(); };
    handlers.reload = [this]() -> std::vector<std::string> {
      ++reloads_;
      if (fail_reload_) return {"cfg.yaml:3:5: unknown key 'ratee'"};
      return {};
    };
    std::string error;
    server_ = HttpServer::Start("127.0.0.1:0", handlers, std::move(web_config), &error);
    ASSERT_NE(server_, nullptr) << error;
    ASSERT_GT(server_->port(), 0);
  }

  std::atomic<bool> ready_{false};
  std::atomic<int> reloads_{0};
  std::atomic<bool> fail_reload_{false};
  std::unique_ptr<HttpServer> server_;
};

TEST_F(HttpServerTest, ServesEveryEndpoint) {
  StartServer();
  const int port = server_->port();
  EXPECT_EQ(server_->address(), "127.0.0.1:" + std::to_string(port));

  Response landing = Fetch(port, "/");
  EXPECT_EQ(landing.status, 200);
  EXPECT_NE(landing.body.find("<title>infercost</title>"), std::string::npos);
  EXPECT_NE(landing.body.find("/api/v1/targets"), std::string::npos);

  Response metrics = Fetch(port, "/metrics");
  EXPECT_EQ(metrics.status, 200);
  EXPECT_EQ(metrics.body, "# HELP x y\n# TYPE x gauge\nx 1\n");
  EXPECT_NE(metrics.headers.find("text/plain; version=0.0.4"), std::string::npos);

  EXPECT_EQ(Fetch(port, "/-/healthy").status, 200);
  EXPECT_EQ(Fetch(port, "/-/ready").status, 503);
  ready_ = true;
  EXPECT_EQ(Fetch(port, "/-/ready").status, 200);

  Response targets = Fetch(port, "/api/v1/targets");
  EXPECT_EQ(targets.status, 200);
  EXPECT_EQ(targets.body, R"({"targets":[]})");
  EXPECT_NE(targets.headers.find("application/json"), std::string::npos);

  EXPECT_EQ(Fetch(port, "/nope").status, 404);
}

TEST_F(HttpServerTest, ReloadWantsPostAndReportsErrors) {
  StartServer();
  const int port = server_->port();
  Response get = Fetch(port, "/-/reload");
  EXPECT_EQ(get.status, 405);
  EXPECT_NE(get.headers.find("Allow: POST"), std::string::npos);
  EXPECT_EQ(reloads_.load(), 0);

  EXPECT_EQ(Fetch(port, "/-/reload", "POST").status, 200);
  EXPECT_EQ(reloads_.load(), 1);

  fail_reload_ = true;
  Response failed = Fetch(port, "/-/reload", "POST");
  EXPECT_EQ(failed.status, 500);
  EXPECT_NE(failed.body.find("previous config keeps running"), std::string::npos);
  EXPECT_NE(failed.body.find("cfg.yaml:3:5: unknown key 'ratee'"), std::string::npos);
}

TEST_F(HttpServerTest, BasicAuthGuardsEveryEndpoint) {
  std::vector<std::string> errors;
  std::optional<WebConfig> web = WebConfig::Parse(
      "basic_auth_users:\n  alice: " + Bcrypt("s3cret") + "\n", "web.yml", &errors);
  ASSERT_TRUE(web.has_value()) << (errors.empty() ? "" : errors[0]);
  StartServer(std::move(web));
  const int port = server_->port();
  for (const char* path : {"/", "/metrics", "/-/healthy", "/api/v1/targets"}) {
    Response anonymous = Fetch(port, path);
    EXPECT_EQ(anonymous.status, 401) << path;
    EXPECT_NE(anonymous.headers.find("WWW-Authenticate: Basic"), std::string::npos) << path;
    EXPECT_EQ(Fetch(port, path, "GET", "alice:wrong").status, 401) << path;
    EXPECT_EQ(Fetch(port, path, "GET", "mallory:s3cret").status, 401) << path;
    EXPECT_EQ(Fetch(port, path, "GET", "alice:s3cret").status, 200) << path;
  }
  EXPECT_EQ(Fetch(port, "/-/reload", "POST", "alice:wrong").status, 401);
  EXPECT_EQ(reloads_.load(), 0);
}

TEST_F(HttpServerTest, ManyParallelScrapesAllSucceed) {
  StartServer();
  const int port = server_->port();
  std::atomic<int> ok{0};
  std::vector<std::thread> clients;
  for (int i = 0; i < 32; ++i) {
    clients.emplace_back([&] {
      for (int j = 0; j < 10; ++j) {
        if (Fetch(port, "/metrics").status == 200) ++ok;
      }
    });
  }
  for (std::thread& t : clients) t.join();
  EXPECT_EQ(ok.load(), 320);
}

TEST(HttpServer, RefusesABadAddress) {
  std::string error;
  EXPECT_EQ(HttpServer::Start("nonsense", {}, std::nullopt, &error), nullptr);
  EXPECT_EQ(error, "listen address 'nonsense' must be HOST:PORT, e.g. 0.0.0.0:18090");
}

TEST(WebConfig, RefusesTlsAndUnknownKeysWithPositions) {
  std::vector<std::string> errors;
  EXPECT_FALSE(WebConfig::Parse("tls_server_config:\n  cert_file: a.pem\nbasic_auth_userz: {}\n",
                                "web.yml", &errors)
                   .has_value());
  ASSERT_EQ(errors.size(), 2u);
  EXPECT_EQ(errors[0].rfind("web.yml:1:1: tls_server_config is not supported", 0), 0u) << errors[0];
  EXPECT_NE(errors[0].find("reverse proxy"), std::string::npos);
  EXPECT_EQ(errors[1],
            "web.yml:3:1: unknown key 'basic_auth_userz' in the web config; did you mean "
            "'basic_auth_users'?");
}

// Keys that are not names, repeated users and extra documents are errors with their place, never
// an exception.
TEST(WebConfig, RefusesNonStringKeysDuplicatesAndExtraDocuments) {
  struct Case {
    std::string yaml;
    std::string error;
  };
  const Case cases[] = {
      {"basic_auth_users:\n  [a, b]: $2y$10$x\n",
       "web.yml:2:3: keys in basic_auth_users must be names, got a list"},
      {"? {a: 1}\n: x\n", "web.yml:1:3: keys in the web config must be names, got a map"},
      {"basic_auth_users:\n  bob: $2y$10$x\n  bob: $2y$10$y\n",
       "web.yml:3:3: duplicate key 'bob' (first at line 2)"},
      {"basic_auth_users: {}\n---\nbasic_auth_users: {}\n",
       "web.yml:3:1: a web config is one YAML document; remove everything from this one on"},
  };
  for (const Case& c : cases) {
    std::vector<std::string> errors;
    EXPECT_FALSE(WebConfig::Parse(c.yaml, "web.yml", &errors).has_value()) << c.yaml;
    ASSERT_EQ(errors.size(), 1u) << c.yaml;
    EXPECT_EQ(errors[0], c.error);
  }
}

TEST(WebConfig, RefusesHashesThatAreNotBcrypt) {
  std::vector<std::string> errors;
  EXPECT_FALSE(
      WebConfig::Parse("basic_auth_users:\n  bob: plaintext\n", "web.yml", &errors).has_value());
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0],
            "web.yml:2:8: the hash of user 'bob' is not a bcrypt hash ($2y$...); make one with "
            "`htpasswd -nBC 10 bob`");
}

TEST(WebConfig, MalformedYamlSaysWhere) {
  std::vector<std::string> errors;
  EXPECT_FALSE(WebConfig::Parse("basic_auth_users: [\n", "web.yml", &errors).has_value());
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].rfind("web.yml:", 0), 0u);
  EXPECT_NE(errors[0].find("invalid YAML"), std::string::npos);
}

TEST(Base64Decode, DecodesAndRejects) {
  EXPECT_EQ(Base64Decode("YWxpY2U6czNjcmV0"), "alice:s3cret");
  EXPECT_EQ(Base64Decode("YQ=="), "a");
  EXPECT_FALSE(Base64Decode("a$b").has_value());
}

TEST(Log, FormatsLogfmtAndQuotes) {
  const std::string line = FormatLogLine(LogLevel::kWarn, "spend limit reached",
                                         {{"target", "lambda-1024"}, {"note", "a \"b\" c"}});
  EXPECT_NE(line.find(" level=warn msg=\"spend limit reached\" target=lambda-1024 "
                      "note=\"a \\\"b\\\" c\""),
            std::string::npos)
      << line;
  EXPECT_EQ(line.rfind("ts=", 0), 0u);
}

}  // namespace
}  // namespace infercost
