// The ceiling libcurl sets: a bare multi loop that keeps N transfers of one URL going and records
// nothing. bench/peers.sh runs it next to `infercost bench` to show what the engine itself costs.
//
//   loadgen_curl_baseline URL CONNECTIONS SECONDS   -> "Requests/sec: X"
#include <curl/curl.h>

#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <vector>

namespace {

size_t Discard(char* /*data*/, size_t size, size_t count, void* /*user*/) { return size * count; }

}  // namespace

int main(int argc, char** argv) {
  if (argc != 4) {
    std::fprintf(stderr, "usage: %s URL CONNECTIONS SECONDS\n", argv[0]);
    return 2;
  }
  const int connections = std::atoi(argv[2]);
  const double seconds = std::atof(argv[3]);
  if (connections < 1 || !(seconds > 0)) {
    std::fprintf(stderr, "%s: CONNECTIONS must be >= 1 and SECONDS > 0\n", argv[0]);
    return 2;
  }
  std::signal(SIGPIPE, SIG_IGN);  // with CURLOPT_NOSIGNAL, as the engine does
  curl_global_init(CURL_GLOBAL_DEFAULT);
  CURLM* multi = curl_multi_init();
  curl_multi_setopt(multi, CURLMOPT_MAXCONNECTS, static_cast<long>(connections) * 2);
  std::vector<CURL*> handles;
  for (int i = 0; i < connections; ++i) {
    CURL* easy = curl_easy_init();
    curl_easy_setopt(easy, CURLOPT_URL, argv[1]);
    curl_easy_setopt(easy, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, &Discard);
    curl_multi_add_handle(multi, easy);
    handles.push_back(easy);
  }
  using Clock = std::chrono::steady_clock;
  const Clock::time_point start = Clock::now();
  long done = 0;
  double elapsed = 0;
  while (elapsed < seconds) {
    int running = 0;
    curl_multi_perform(multi, &running);
    int queued = 0;
    while (CURLMsg* msg = curl_multi_info_read(multi, &queued)) {
      if (msg->msg != CURLMSG_DONE) continue;
      CURL* easy = msg->easy_handle;
      ++done;
      curl_multi_remove_handle(multi, easy);
      curl_multi_add_handle(multi, easy);
    }
    curl_multi_poll(multi, nullptr, 0, 100, nullptr);
    elapsed = std::chrono::duration<double>(Clock::now() - start).count();
  }
  std::printf("Requests/sec: %.2f\n", static_cast<double>(done) / elapsed);
  for (CURL* easy : handles) {
    curl_multi_remove_handle(multi, easy);
    curl_easy_cleanup(easy);
  }
  curl_multi_cleanup(multi);
  curl_global_cleanup();
  return 0;
}
