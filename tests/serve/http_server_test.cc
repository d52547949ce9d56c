// The HTTP server, web config and logs, without the load engine: fake handlers on a real
// CivetWeb server bound to 127.0.0.1:0, driven with libcurl.
#include "web/http_server.h"

#include <arpa/inet.h>
#include <crypt.h>
#include <curl/curl.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
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

std::string Bcrypt(const std::string& password, unsigned long cost = 4) {
  char salt[64];
  EXPECT_NE(crypt_gensalt_rn("$2b$", cost, nullptr, 0, salt, sizeof salt), nullptr);
  auto data = std::make_unique<crypt_data>();
  return crypt_r(password.c_str(), salt, data.get());
}

class HttpServerTest : public ::testing::Test {
 protected:
  void StartServer(std::optional<WebConfig> web_config = std::nullopt) {
    HttpHandlers handlers;
    handlers.metrics = [] { return std::string("# HELP x y\n# TYPE x gauge\nx 1\n"); };
    handlers.targets_json = [this] {
      if (throw_in_targets_) throw std::out_of_range("a bug in a handler");
      return std::string(R"({"targets":[]})");
    };
    handlers.ready = [this] { return ready_.load(); };
    handlers.reload = [this]() -> std::vector<std::string> {
      ++reloads_;
      if (fail_reload_) return {"cfg.yaml:3:5: unknown key 'ratee'", reload_error_};
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
  std::atomic<bool> throw_in_targets_{false};
  std::string reload_error_;
  std::unique_ptr<HttpServer> server_;
};

std::optional<WebConfig> AliceWebConfig(const std::string& extra = "") {
  std::vector<std::string> errors;
  std::optional<WebConfig> web = WebConfig::Parse(
      "basic_auth_users:\n  alice: " + Bcrypt("s3cret") + "\n" + extra, "web.yml", &errors);
  EXPECT_TRUE(web.has_value()) << (errors.empty() ? "" : errors[0]);
  return web;
}

// A connection that sends `bytes` (perhaps nothing, perhaps half a request) and then sits idle.
int OpenIdle(int port, const std::string& bytes) {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return -1;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (connect(fd, reinterpret_cast<const sockaddr*>(&addr), sizeof addr) != 0 ||
      (!bytes.empty() && send(fd, bytes.data(), bytes.size(), MSG_NOSIGNAL) < 0)) {
    close(fd);
    return -1;
  }
  return fd;
}

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

// Finding 4 of issue 15: 16 idle connections blinded every endpoint for 10-30 s. 1,000 held open
// (idle, half a request header, or kept alive after a request) must leave an authenticated scrape
// answering; the generous 10 s bound of Fetch is no timing claim (bench/idle_connections.py
// measures the figure, well under 1 s).
TEST_F(HttpServerTest, IdleConnectionsDoNotBlindAnAuthenticatedScrape) {
  constexpr int kIdle = 1000;
  rlimit files{};
  ASSERT_EQ(getrlimit(RLIMIT_NOFILE, &files), 0);
  if (files.rlim_max != RLIM_INFINITY && files.rlim_max < 2 * kIdle + 200) {
    GTEST_SKIP() << "RLIMIT_NOFILE hard limit " << files.rlim_max << " below " << 2 * kIdle + 200;
  }
  files.rlim_cur = files.rlim_max;
  ASSERT_EQ(setrlimit(RLIMIT_NOFILE, &files), 0);
  StartServer(AliceWebConfig());
  const int port = server_->port();
  const std::string kept_alive =
      "GET /-/healthy HTTP/1.1\r\nHost: x\r\nConnection: keep-alive\r\n\r\n";
  std::vector<int> held;
  for (int i = 0; i < kIdle; ++i) {
    const std::string bytes = i % 3 == 0   ? std::string()
                              : i % 3 == 1 ? std::string("GET /metrics HTTP/1.1\r\nHost: x\r\n")
                                           : kept_alive;
    const int fd = OpenIdle(port, bytes);
    ASSERT_GE(fd, 0) << "connection " << i << ": " << std::strerror(errno);
    held.push_back(fd);
  }
  for (int i = 0; i < 5; ++i) {
    EXPECT_EQ(Fetch(port, "/metrics", "GET", "alice:s3cret").status, 200) << "scrape " << i;
  }
  for (int fd : held) close(fd);
}

TEST_F(HttpServerTest, AThrowingHandlerAnswers500AndTheServerKeepsServing) {
  StartServer();
  throw_in_targets_ = true;
  const Response failed = Fetch(server_->port(), "/api/v1/targets");
  EXPECT_EQ(failed.status, 500);
  EXPECT_EQ(failed.body, "internal error; see the log\n");
  throw_in_targets_ = false;
  EXPECT_EQ(Fetch(server_->port(), "/api/v1/targets").status, 200);
  EXPECT_EQ(Fetch(server_->port(), "/metrics").status, 200);
}

// The StatefulSet's liveness probe got 401 under a web config.
TEST_F(HttpServerTest, ExcludedPathsAnswerProbesWithoutAuth) {
  StartServer(AliceWebConfig("basic_auth_excluded_paths: [/-/healthy]\n"));
  const int port = server_->port();
  EXPECT_EQ(Fetch(port, "/-/healthy").status, 200);
  EXPECT_EQ(Fetch(port, "/-/healthy/x").status, 401);
  for (const char* path : {"/", "/metrics", "/-/ready", "/api/v1/targets"}) {
    EXPECT_EQ(Fetch(port, path).status, 401) << path;
  }
}

// The POST /-/reload error body was never redacted.
TEST_F(HttpServerTest, ResponseBodiesAreRedacted) {
  const std::string secret = "s3\"cr\\et-reload-body";
  SetRuntimeLogSecrets("http_server_test", {secret});
  StartServer();
  fail_reload_ = true;
  reload_error_ = "cfg.yaml:9:8: cannot fetch https://u:" + secret + "@host/";
  const Response failed = Fetch(server_->port(), "/-/reload", "POST");
  SetRuntimeLogSecrets("http_server_test", {});
  EXPECT_EQ(failed.status, 500);
  EXPECT_EQ(failed.body.find(secret), std::string::npos) << failed.body;
  EXPECT_NE(failed.body.find("https://u:<redacted>@host/"), std::string::npos) << failed.body;
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
      {"basic_auth_users:\n  bob: " + Bcrypt("x") + "\n  bob: " + Bcrypt("y") + "\n",
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

// A bcrypt cost of 31 was accepted (a login held a worker for hours) and a malformed hash loaded
// (every login then failed).
TEST(WebConfig, BcryptHashProblems) {
  const std::string good_tail = "Ro0CUfOqk6Ei7wXx1Tn0ceBVtn.Kg8ivVN4p1Qz1v4Xnf9fBr66Wu";  // 53
  struct Case {
    std::string hash;
    std::string problem;
  };
  const std::string malformed =
      "is a malformed bcrypt hash (want $2y$ and a two-digit cost, $, then 53 characters of "
      "./A-Za-z0-9; it was cut or altered)";
  const Case cases[] = {
      {"$2y$10$" + good_tail, ""},
      {"$2b$04$" + good_tail, ""},
      {"$2a$12$" + good_tail, ""},
      {"$2y$31$" + good_tail,
       "has bcrypt cost 31, outside 4..12 (each login would hold a worker for seconds)"},
      {"$2y$13$" + good_tail,
       "has bcrypt cost 13, outside 4..12 (each login would hold a worker for seconds)"},
      {"$2y$03$" + good_tail, "has bcrypt cost 3, outside 4..12 (too weak)"},
      {"$2y$10$x", malformed},
      {"$2y$10$" + good_tail.substr(1), malformed},
      {"$2y$10$" + good_tail + "A", malformed},
      {"$2y$1a$" + good_tail, malformed},
      {"$2y$10$" + good_tail.substr(0, 52) + "!", malformed},
      {"$2y$", malformed},
      {"$1$abc$def", "is not a bcrypt hash ($2y$...)"},
      {"plaintext", "is not a bcrypt hash ($2y$...)"},
  };
  for (const Case& c : cases) EXPECT_EQ(BcryptHashProblem(c.hash), c.problem) << c.hash;

  std::vector<std::string> errors;
  EXPECT_FALSE(
      WebConfig::Parse("basic_auth_users:\n  bob: $2y$31$" + good_tail + "\n", "web.yml", &errors)
          .has_value());
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0],
            "web.yml:2:8: the hash of user 'bob' has bcrypt cost 31, outside 4..12 (each login "
            "would hold a worker for seconds); make one with `htpasswd -nBC 10 bob`");
}

TEST(WebConfig, ExcludedPathsAreOnlyTheProbes) {
  std::vector<std::string> errors;
  EXPECT_FALSE(
      WebConfig::Parse("basic_auth_excluded_paths: [/-/ready, /metrics]\n", "web.yml", &errors)
          .has_value());
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0],
            "web.yml:1:39: basic_auth_excluded_paths: '/metrics' cannot be opened without auth; "
            "only /-/healthy and /-/ready can");
}

std::string BasicHeader(const std::string& user_password) {
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out = "Basic ";
  for (std::size_t i = 0; i < user_password.size(); i += 3) {
    uint32_t n = static_cast<uint32_t>(static_cast<unsigned char>(user_password[i])) << 16;
    if (i + 1 < user_password.size())
      n |= static_cast<uint32_t>(static_cast<unsigned char>(user_password[i + 1])) << 8;
    if (i + 2 < user_password.size())
      n |= static_cast<uint32_t>(static_cast<unsigned char>(user_password[i + 2]));
    out += kAlphabet[(n >> 18) & 63];
    out += kAlphabet[(n >> 12) & 63];
    out += i + 1 < user_password.size() ? kAlphabet[(n >> 6) & 63] : '=';
    out += i + 2 < user_password.size() ? kAlphabet[n & 63] : '=';
  }
  return out;
}

// A NUL byte ended the password comparison: "s3cret\0anything" passed as "s3cret".
TEST(WebConfig, APasswordWithANulByteIsRefused) {
  std::optional<WebConfig> web = AliceWebConfig();
  ASSERT_TRUE(web.has_value());
  EXPECT_TRUE(web->Check(BasicHeader("alice:s3cret").c_str()));
  EXPECT_FALSE(web->Check(BasicHeader(std::string("alice:s3cret\0junk", 17)).c_str()));
  EXPECT_FALSE(web->Check(BasicHeader(std::string("alice:s3cret\0", 13)).c_str()));
}

// Unknown users answered ten times faster than known ones: their bcrypt ran at a fixed cost 10
// whatever the users' cost. It now runs at the users' highest cost (timing itself is not asserted).
TEST(WebConfig, UnknownUsersPayABcryptOfTheUsersCost) {
  for (unsigned long cost : {4ul, 6ul}) {
    std::vector<std::string> errors;
    std::optional<WebConfig> web = WebConfig::Parse(
        "basic_auth_users:\n  a: " + Bcrypt("x", 4) + "\n  b: " + Bcrypt("y", cost) + "\n",
        "web.yml", &errors);
    ASSERT_TRUE(web.has_value());
    EXPECT_EQ(web->unknown_user_cost(), static_cast<int>(cost));
    EXPECT_FALSE(web->Check(BasicHeader("mallory:x").c_str()));
  }
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
