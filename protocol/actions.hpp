// The peer actions: one struct each, with the op name it has on the control
// channel. The scenario grammar (harness/model/step_parser.cpp) builds them, the
// runner sends them (protocol/command.hpp), the peer visits them
// (peers/endpoint.cpp): adding an action is one struct here, its fields'
// JSON in command.cpp, one grammar branch and one peer method; every visit
// that misses it stops compiling. See "Adding an action" in the README.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <variant>

namespace closepath::protocol {

struct Listen { static constexpr const char* op = "listen"; };
struct Connect {
  static constexpr const char* op = "connect";
  std::optional<int> port;  // default: the scenario's server port
};
struct Accept { static constexpr const char* op = "accept"; };
struct Send {
  static constexpr const char* op = "send";
  std::size_t bytes = 0;
};
struct Recv {
  static constexpr const char* op = "recv";
  enum class Mode { some, exact, all } mode = Mode::some;
  std::size_t bytes = 0;  // for exact
};
struct Shutdown {
  static constexpr const char* op = "shutdown";
  std::string how;  // rd | wr | rdwr
};
struct Close { static constexpr const char* op = "close"; };
struct SetOption {  // a name of protocol/socket_options.hpp
  static constexpr const char* op = "set";
  std::string name;
  int value = 0;
};
struct SendMessage {  // a 4-byte length N, then M <= N bytes
  static constexpr const char* op = "send_message";
  std::uint32_t announce = 0;
  std::size_t bytes = 0;
};
struct RecvMessage { static constexpr const char* op = "recv_message"; };  // the length, then exactly that many
struct TlsHandshake { static constexpr const char* op = "tls_handshake"; };  // as client or server, by side
struct TlsStall { static constexpr const char* op = "tls_stall"; };          // read the ClientHello, never answer
struct TlsCloseNotify { static constexpr const char* op = "tls_close_notify"; };  // send close_notify, wait for the peer's
struct Crash { static constexpr const char* op = "crash"; };  // SIGKILL the peer process: the kernel closes its sockets
struct Drain { static constexpr const char* op = "drain"; };  // wait until the peer has ACKed everything sent (SIOCOUTQ == 0)
struct Poll { static constexpr const char* op = "poll"; };    // wait for an event without reading: readable, rdhup, hup, pollerr
struct Get {  // read the connection's pending error (SO_ERROR, which reading clears) or its TCP_INFO
  static constexpr const char* op = "get";
  enum class Item { so_error, tcp_info } item = Item::tcp_info;
};
struct TlsSetup {  // the runner's, before a TLS scenario: credentials (never written in a scenario)
  static constexpr const char* op = "tls_setup";
  std::string ca_pem;                  // the client's trust anchor
  std::string cert_pem, key_pem;       // the server's
};
// The runner's own: wait for this side's oldest background step. Never
// crosses the channel.
struct Await { static constexpr const char* op = "await"; };
// The runner's own too: destroys the side's connection socket from outside
// (sock_diag SOCK_DESTROY, what `ss -K` does). Never crosses the channel.
struct Destroy { static constexpr const char* op = "destroy"; };

using Action = std::variant<Listen, Connect, Accept, Send, Recv, Shutdown, Close, SetOption, SendMessage, RecvMessage,
                            TlsHandshake, TlsStall, TlsCloseNotify, Crash, Drain, Poll, Get, TlsSetup, Await,
                            Destroy>;

}  // namespace closepath::protocol
