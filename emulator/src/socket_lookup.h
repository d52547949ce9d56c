// Finding the server side of one of our own TCP connections, for the fault paths that reset it.
#ifndef EMULATOR_SRC_SOCKET_LOOKUP_H_
#define EMULATOR_SRC_SOCKET_LOOKUP_H_

namespace emulator {

// Our descriptor of the connection from `remote_addr`:`remote_port` to our `server_port`; -1
// when not found.
int FindServerSocket(const char* remote_addr, int server_port, int remote_port);

}  // namespace emulator

#endif  // EMULATOR_SRC_SOCKET_LOOKUP_H_
