// A programmable HTTP/1.1 server on 127.0.0.1:0 for the credential tests: it plays STS, the ECS
// container endpoint and IMDS. Each connection carries one request (the answer closes it); the
// test's handler decides the answer. Every request is kept for the test to inspect.
// Thread contract: the handler runs on the server's thread; public methods are thread-safe.
#ifndef TESTS_AWS_FAKE_AWS_H_
#define TESTS_AWS_FAKE_AWS_H_

#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace infercost::test {

struct FakeRequest {
  std::string method;
  std::string path;                            // with the query
  std::map<std::string, std::string> headers;  // names lower-cased
  std::string body;

  std::string Header(const std::string& lower_name) const {
    const auto it = headers.find(lower_name);
    return it == headers.end() ? std::string() : it->second;
  }
};

struct FakeReply {
  int status = 200;
  std::string body;
  std::string content_type = "text/plain";
};

class FakeAws {
 public:
  using Handler = std::function<FakeReply(const FakeRequest&)>;

  explicit FakeAws(Handler handler);
  ~FakeAws();
  FakeAws(const FakeAws&) = delete;
  FakeAws& operator=(const FakeAws&) = delete;

  // "http://127.0.0.1:<port>"
  std::string Url() const;
  std::vector<FakeRequest> Requests() const;
  // Replaces the handler (e.g. to break the endpoint mid-test).
  void SetHandler(Handler handler);

 private:
  void Serve(const std::stop_token& stop);
  void Answer(int fd);

  int listen_fd_ = -1;
  int port_ = 0;
  mutable std::mutex mu_;
  Handler handler_;
  std::vector<FakeRequest> requests_;
  std::jthread thread_;
};

}  // namespace infercost::test

#endif  // TESTS_AWS_FAKE_AWS_H_
