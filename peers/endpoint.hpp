// One TCP endpoint of a scenario: at most one listening socket and one
// connection (optionally under TLS), driven action by action. Every action
// completes with an Outcome value; expected close-path errors are never
// thrown. Every wait has a deadline, after which the pending operation is
// cancelled: its outcome is then Asio's operation_aborted, marked as the
// deadline's, with the bytes moved so far.
//
// Close-path contracts inherited from the kernel, Asio and OpenSSL:
// - writes use MSG_NOSIGNAL (Asio does on Linux), so a write to a reset
//   connection yields EPIPE instead of killing the process with SIGPIPE;
// - close() releases the descriptor even when it reports an error;
// - after ECONNRESET the socket stays open: the next read reports eof;
// - under TLS, a TCP EOF without close_notify is stream_truncated; after
//   close_notify it is a clean eof.
#pragma once

#include "command.hpp"
#include "asio_outcome.hpp"
#include "socket_option.hpp"

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/stream.hpp>

#include <chrono>
#include <memory>
#include <optional>
#include <vector>

namespace closepath::peer {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using IoResult = std::pair<boost::system::error_code, std::size_t>;

class Endpoint {
 public:
  Endpoint(asio::any_io_executor ex, tcp::endpoint local, tcp::endpoint remote, bool client);

  // Runs one command from the control channel (protocol/command.hpp).
  asio::awaitable<Outcome> execute(const protocol::Command& command);

 private:
  using ms = std::chrono::milliseconds;
  // What each action does: one explicit specialization per action (endpoint.cpp, endpoint_tls.cpp).
  template <typename A>
  asio::awaitable<Outcome> perform(const A& action, ms within);
  asio::ssl::context& handshake_context(const protocol::TlsHandshake& h, boost::system::error_code& ec);
  template <typename Socket>
  void apply_options(Socket& s, boost::system::error_code& ec);

  // Through TLS once a handshake succeeded, else on the socket itself.
  asio::awaitable<IoResult> read_some(asio::mutable_buffer buf);
  asio::awaitable<IoResult> read_exact(asio::mutable_buffer buf);
  asio::awaitable<IoResult> write_all(std::vector<asio::const_buffer> bufs);

  asio::any_io_executor ex_;
  tcp::endpoint local_, remote_;
  bool client_;
  tcp::acceptor acceptor_;
  tcp::socket conn_;
  // Options set before the socket they are meant for exists.
  std::vector<SocketOption> pending_options_;
  std::optional<asio::ssl::context> tls_context_;       // the run's credentials (tls_setup)
  std::unique_ptr<asio::ssl::context> own_tls_context_;  // a handshake's own (ca FILE, cert FILE key FILE)
  std::unique_ptr<asio::ssl::stream<tcp::socket&>> tls_;  // set by a successful handshake
};

// The TLS actions' performs live in endpoint_tls.cpp: declared here so execute() uses them.
template <>
asio::awaitable<Outcome> Endpoint::perform(const protocol::TlsSetup&, std::chrono::milliseconds);
template <>
asio::awaitable<Outcome> Endpoint::perform(const protocol::TlsHandshake&, std::chrono::milliseconds);
template <>
asio::awaitable<Outcome> Endpoint::perform(const protocol::TlsStall&, std::chrono::milliseconds);
template <>
asio::awaitable<Outcome> Endpoint::perform(const protocol::TlsCloseNotify&, std::chrono::milliseconds);

}  // namespace closepath::peer
