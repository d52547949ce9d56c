#include "socket_lookup.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <netinet/in.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>

namespace emulator {
namespace {

// The kernel's inode of our TCP connection with this local port and peer, from /proc/net/tcp or
// tcp6 (addresses there are the raw network-order words, printed as host-order hex). 0 = none.
uint64_t SocketInode(const char* table, int local_port, const in6_addr& peer, bool v6,
                     int peer_port) {
  std::FILE* file = std::fopen(table, "re");
  if (file == nullptr) return 0;
  char line[512];
  uint64_t inode = 0;
  std::fgets(line, sizeof line, file);  // the header
  while (inode == 0 && std::fgets(line, sizeof line, file) != nullptr) {
    char local_hex[40], peer_hex[40];
    unsigned local_p = 0, peer_p = 0, state = 0;
    unsigned long long node = 0;
    if (std::sscanf(line, " %*u: %39[0-9A-Fa-f]:%x %39[0-9A-Fa-f]:%x %x %*s %*s %*s %*u %*u %llu",
                    local_hex, &local_p, peer_hex, &peer_p, &state, &node) != 6) {
      continue;
    }
    if (static_cast<int>(local_p) != local_port || static_cast<int>(peer_p) != peer_port ||
        node == 0) {
      continue;
    }
    unsigned char bytes[16] = {};
    const size_t words = v6 ? 4 : 1;
    for (size_t w = 0; w < words; ++w) {
      uint32_t word = 0;
      std::sscanf(peer_hex + 8 * w, "%8x", &word);
      std::memcpy(bytes + 4 * w, &word, 4);
    }
    const bool same = v6 ? std::memcmp(bytes, peer.s6_addr, 16) == 0
                         : std::memcmp(bytes, peer.s6_addr + 12, 4) == 0;
    if (same) inode = node;
  }
  std::fclose(file);
  return inode;
}

}  // namespace

// CivetWeb 1.15 does not expose a connection's socket, so it is found by its
// addresses in /proc/net/tcp and then by inode among /proc/self/fd's links. Foreign descriptors
// are never touched (only their link names are read), and our own cannot be closed while this
// thread's handler runs, so the descriptor found stays ours while we use it. -1 when not found.
int FindServerSocket(const char* remote_addr, int server_port, int remote_port) {
  in6_addr peer{};
  bool v6 = false;
  in_addr v4{};
  if (inet_pton(AF_INET, remote_addr, &v4) == 1) {
    std::memcpy(peer.s6_addr + 12, &v4, 4);
  } else if (inet_pton(AF_INET6, remote_addr, &peer) == 1) {
    v6 = true;
  } else {
    return -1;
  }
  const uint64_t inode = SocketInode(v6 ? "/proc/self/net/tcp6" : "/proc/self/net/tcp", server_port,
                                     peer, v6, remote_port);
  if (inode == 0) return -1;
  const std::string wanted = "socket:[" + std::to_string(inode) + "]";
  DIR* dir = opendir("/proc/self/fd");
  if (dir == nullptr) return -1;
  int found = -1;
  while (const dirent* entry = readdir(dir)) {
    char target[64];
    const std::string link = std::string("/proc/self/fd/") + entry->d_name;
    const ssize_t n = readlink(link.c_str(), target, sizeof target);
    if (n > 0 && std::string_view(target, static_cast<size_t>(n)) == wanted) {
      found = std::atoi(entry->d_name);
      break;
    }
  }
  closedir(dir);
  return found;
}

}  // namespace emulator
