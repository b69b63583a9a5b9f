// One TCP endpoint of a scenario: at most one listening socket and one
// connection, driven action by action. Every action completes with an
// Outcome value; expected close-path errors are never thrown. Every wait has
// a deadline, after which the pending operation is cancelled and the outcome
// is "timeout" with the bytes moved so far.
//
// Close-path contracts inherited from the kernel and Asio:
// - writes use MSG_NOSIGNAL (Asio does on Linux), so a write to a reset
//   connection yields EPIPE instead of killing the process with SIGPIPE;
// - close() releases the descriptor even when it reports an error;
// - after ECONNRESET the socket stays open: the next read reports eof.
#pragma once

#include "outcome.hpp"
#include "socket_option.hpp"

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <nlohmann/json.hpp>

#include <chrono>
#include <vector>

namespace closepath::peer {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

class Endpoint {
 public:
  Endpoint(asio::any_io_executor ex, tcp::endpoint local, tcp::endpoint remote);

  // Runs one command from the control channel ({"op": ..., ...}).
  asio::awaitable<Outcome> execute(const nlohmann::json& command);

 private:
  asio::awaitable<Outcome> listen(const nlohmann::json& c);
  asio::awaitable<Outcome> accept(const nlohmann::json& c);
  asio::awaitable<Outcome> connect(const nlohmann::json& c);
  asio::awaitable<Outcome> send(const nlohmann::json& c);
  asio::awaitable<Outcome> recv(const nlohmann::json& c);
  asio::awaitable<std::pair<boost::system::error_code, std::size_t>> read_some(asio::mutable_buffer buf);
  Outcome shutdown(const nlohmann::json& c);
  Outcome close();
  Outcome set_option(const nlohmann::json& c);
  template <typename Socket>
  void apply_options(Socket& s, boost::system::error_code& ec);

  asio::any_io_executor ex_;
  tcp::endpoint local_, remote_;
  tcp::acceptor acceptor_;
  tcp::socket conn_;
  // Options set before the socket they are meant for exists.
  std::vector<SocketOption> pending_options_;
};

}  // namespace closepath::peer
