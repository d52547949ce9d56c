// A small blocking HTTP client for the emulator tests: one libcurl easy handle, kept alive
// between requests. Loopback only.
#ifndef TESTS_EMULATOR_HTTP_CLIENT_H_
#define TESTS_EMULATOR_HTTP_CLIENT_H_

#include <curl/curl.h>

#include <algorithm>
#include <cctype>
#include <map>
#include <string>
#include <string_view>

namespace emulator_test {

struct Reply {
  CURLcode code = CURLE_OK;
  long status = 0;
  std::map<std::string, std::string> headers;  // lower-case names
  std::string body;

  bool HasHeader(const std::string& name) const { return headers.count(name) > 0; }
  std::string Header(const std::string& name) const {
    auto it = headers.find(name);
    return it == headers.end() ? "" : it->second;
  }
  bool cold() const { return Header("x-cold-start") == "true"; }
  double service_ms() const { return std::stod(Header("x-service-time-ms")); }
};

// Thread contract: one client per thread.
class HttpClient {
 public:
  HttpClient() : curl_(curl_easy_init()) {}
  ~HttpClient() { curl_easy_cleanup(curl_); }
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  Reply Post(const std::string& url, std::string_view body = "jpeg", long timeout_ms = 60000,
             bool chunked = false) {
    return Perform("POST", url, body, timeout_ms, chunked);
  }
  Reply Get(const std::string& url, long timeout_ms = 60000) {
    return Perform("GET", url, "", timeout_ms, false);
  }

 private:
  static size_t OnBody(char* data, size_t size, size_t count, void* reply) {
    static_cast<Reply*>(reply)->body.append(data, size * count);
    return size * count;
  }
  static size_t OnHeader(char* data, size_t size, size_t count, void* reply) {
    std::string line(data, size * count);
    const size_t colon = line.find(':');
    if (colon != std::string::npos) {
      std::string name = line.substr(0, colon);
      std::transform(name.begin(), name.end(), name.begin(),
                     [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
      std::string value = line.substr(colon + 1);
      value.erase(0, value.find_first_not_of(" \t"));
      value.erase(value.find_last_not_of(" \t\r\n") + 1);
      static_cast<Reply*>(reply)->headers[name] = value;
    }
    return size * count;
  }
  struct Upload {
    std::string_view data;
    size_t sent = 0;
  };
  static size_t OnRead(char* buffer, size_t size, size_t count, void* upload) {
    auto* u = static_cast<Upload*>(upload);
    const size_t n = std::min(size * count, u->data.size() - u->sent);
    std::copy_n(u->data.data() + u->sent, n, buffer);
    u->sent += n;
    return n;
  }

  Reply Perform(const char* method, const std::string& url, std::string_view body, long timeout_ms,
                bool chunked) {
    Reply reply;
    Upload upload{body};
    curl_easy_reset(curl_);
    curl_easy_setopt(curl_, CURLOPT_URL, url.c_str());
    curl_easy_setopt(curl_, CURLOPT_TIMEOUT_MS, timeout_ms);
    curl_easy_setopt(curl_, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(curl_, CURLOPT_WRITEFUNCTION, &HttpClient::OnBody);
    curl_easy_setopt(curl_, CURLOPT_WRITEDATA, &reply);
    curl_easy_setopt(curl_, CURLOPT_HEADERFUNCTION, &HttpClient::OnHeader);
    curl_easy_setopt(curl_, CURLOPT_HEADERDATA, &reply);
    curl_slist* headers = nullptr;
    if (std::string_view(method) == "POST") {
      curl_easy_setopt(curl_, CURLOPT_POST, 1L);
      curl_easy_setopt(curl_, CURLOPT_READFUNCTION, &HttpClient::OnRead);
      curl_easy_setopt(curl_, CURLOPT_READDATA, &upload);
      if (chunked) {
        headers = curl_slist_append(headers, "Transfer-Encoding: chunked");
      } else {
        curl_easy_setopt(curl_, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body.size()));
      }
      headers = curl_slist_append(headers, "Expect:");
      curl_easy_setopt(curl_, CURLOPT_HTTPHEADER, headers);
    }
    reply.code = curl_easy_perform(curl_);
    curl_easy_getinfo(curl_, CURLINFO_RESPONSE_CODE, &reply.status);
    curl_slist_free_all(headers);
    return reply;
  }

  CURL* curl_;
};

}  // namespace emulator_test

#endif  // TESTS_EMULATOR_HTTP_CLIENT_H_
