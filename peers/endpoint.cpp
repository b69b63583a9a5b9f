#include "endpoint.hpp"

#include "deadline.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

#include <netinet/tcp.h>

#include <stdexcept>

namespace closepath::peer {
namespace {

constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);

std::chrono::milliseconds within(const nlohmann::json& c) {
  return std::chrono::milliseconds(c.value("within_ms", 5000));
}

// Deterministic payload so a capture shows recognisable bytes.
std::vector<char> payload(std::size_t n) {
  std::vector<char> data(n);
  for (std::size_t i = 0; i < n; ++i) data[i] = static_cast<char>('a' + i % 26);
  return data;
}

// An outcome whose end is "timeout" when our own deadline cancelled the operation.
Outcome finish(const Deadline& deadline, const boost::system::error_code& ec, std::uint64_t bytes) {
  Outcome o = outcome_of(ec, bytes);
  if (deadline.fired() && ec == asio::error::operation_aborted) o.end = "timeout";
  return o;
}

}  // namespace

Endpoint::Endpoint(asio::any_io_executor ex, tcp::endpoint local, tcp::endpoint remote)
    : ex_(ex), local_(local), remote_(remote), acceptor_(ex), conn_(ex) {}

asio::awaitable<Outcome> Endpoint::execute(const nlohmann::json& c) {
  const std::string op = c.at("op");
  if (op == "listen") co_return co_await listen(c);
  if (op == "accept") co_return co_await accept(c);
  if (op == "connect") co_return co_await connect(c);
  if (op == "send") co_return co_await send(c);
  if (op == "recv") co_return co_await recv(c);
  if (op == "shutdown") co_return shutdown(c);
  if (op == "close") co_return close();
  if (op == "set") co_return set_option(c);
  throw std::invalid_argument("unknown op '" + op + "'");
}

asio::awaitable<Outcome> Endpoint::listen(const nlohmann::json& c) {
  boost::system::error_code ec;
  tcp::endpoint at(local_.address(), static_cast<unsigned short>(c.value("port", int{local_.port()})));
  acceptor_.open(at.protocol(), ec);
  if (!ec) acceptor_.set_option(tcp::acceptor::reuse_address(true), ec);
  if (!ec) acceptor_.bind(at, ec);
  // Options such as rcvbuf go on the listener so accepted sockets inherit them.
  if (!ec) apply_options(acceptor_, ec);
  if (!ec) acceptor_.listen(c.value("backlog", 16), ec);
  co_return outcome_of(ec);
}

asio::awaitable<Outcome> Endpoint::accept(const nlohmann::json& c) {
  Deadline deadline(acceptor_, within(c));
  auto [ec, socket] = co_await acceptor_.async_accept(use_tuple);
  if (!ec) {
    conn_ = std::move(socket);
    apply_options(conn_, ec);
  }
  co_return finish(deadline, ec, 0);
}

asio::awaitable<Outcome> Endpoint::connect(const nlohmann::json& c) {
  tcp::endpoint to(remote_.address(), static_cast<unsigned short>(c.value("port", int{remote_.port()})));
  boost::system::error_code ec;
  conn_.open(to.protocol(), ec);
  // The run's own client port: the kernel trace tells this run's events by it.
  if (!ec) conn_.set_option(tcp::socket::reuse_address(true), ec);
  if (!ec) conn_.bind(local_, ec);
  if (!ec) apply_options(conn_, ec);
  if (ec) co_return outcome_of(ec);
  Deadline deadline(conn_, within(c));
  auto [cec] = co_await conn_.async_connect(to, use_tuple);
  co_return finish(deadline, cec, 0);
}

asio::awaitable<Outcome> Endpoint::send(const nlohmann::json& c) {
  const auto data = payload(c.at("n").get<std::size_t>());
  Deadline deadline(conn_, within(c));
  auto [ec, n] = co_await asio::async_write(conn_, asio::buffer(data), use_tuple);
  co_return finish(deadline, ec, n);
}

// Asio's epoll reactor is edge-triggered and stops reading speculatively
// once a read has "exhausted" the socket: after ECONNRESET has been reported,
// a second async read waits for an edge that never comes (seen on this
// kernel with Boost 1.81). Reading once without blocking first makes every
// recv report what the kernel says now (eof after a reset), not a hang.
asio::awaitable<std::pair<boost::system::error_code, std::size_t>> Endpoint::read_some(asio::mutable_buffer buf) {
  boost::system::error_code ec;
  conn_.non_blocking(true, ec);
  std::size_t n = 0;
  if (!ec) n = conn_.read_some(buf, ec);
  if (ec != asio::error::would_block && ec != asio::error::try_again) co_return std::pair{ec, n};
  auto [aec, an] = co_await conn_.async_read_some(buf, use_tuple);
  co_return std::pair{aec, an};
}

asio::awaitable<Outcome> Endpoint::recv(const nlohmann::json& c) {
  const std::string mode = c.value("mode", "some");
  Deadline deadline(conn_, within(c));
  std::vector<char> buf(mode == "exact" ? c.at("n").get<std::size_t>() : 65536);
  std::uint64_t total = 0;
  for (;;) {
    auto space = mode == "exact" ? asio::buffer(buf) + total : asio::buffer(buf);
    auto [ec, n] = co_await read_some(space);
    total += n;
    if (ec) co_return finish(deadline, ec, total);
    if (mode == "some" || (mode == "exact" && total == buf.size())) co_return finish(deadline, ec, total);
  }
}

Outcome Endpoint::shutdown(const nlohmann::json& c) {
  const std::string how = c.at("how");
  const auto type = how == "rd" ? tcp::socket::shutdown_receive
                    : how == "wr" ? tcp::socket::shutdown_send
                                  : tcp::socket::shutdown_both;
  boost::system::error_code ec;
  conn_.shutdown(type, ec);
  return outcome_of(ec);
}

Outcome Endpoint::close() {
  boost::system::error_code ec;
  if (acceptor_.is_open()) acceptor_.close(ec);
  if (conn_.is_open()) conn_.close(ec);  // the descriptor is released even on error
  return outcome_of(ec);
}

Outcome Endpoint::set_option(const nlohmann::json& c) {
  auto option = SocketOption::from(c.at("name"), c.at("value"));
  boost::system::error_code ec;
  if (conn_.is_open()) conn_.set_option(option, ec);
  else pending_options_.push_back(std::move(option));
  return outcome_of(ec);
}

template <typename Socket>
void Endpoint::apply_options(Socket& s, boost::system::error_code& ec) {
  for (const auto& option : pending_options_) {
    s.set_option(option, ec);
    if (ec) return;
  }
}

}  // namespace closepath::peer
