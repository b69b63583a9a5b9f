#include "endpoint.hpp"

#include "deadline.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/ssl/host_name_verification.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

#include <linux/sockios.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <array>
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

// The outcome, marked when our own deadline is what cancelled the operation.
Outcome finish(const Deadline& deadline, const boost::system::error_code& ec, std::uint64_t bytes) {
  Outcome o = outcome_of(ec, bytes);
  o.deadline = deadline.fired() && ec == asio::error::operation_aborted;
  return o;
}

}  // namespace

Endpoint::Endpoint(asio::any_io_executor ex, tcp::endpoint local, tcp::endpoint remote, bool client)
    : ex_(ex), local_(local), remote_(remote), client_(client), acceptor_(ex), conn_(ex) {}

asio::awaitable<Outcome> Endpoint::execute(const nlohmann::json& c) {
  const std::string op = c.at("op");
  if (op == "listen") co_return co_await listen(c);
  if (op == "accept") co_return co_await accept(c);
  if (op == "connect") co_return co_await connect(c);
  if (op == "send") co_return co_await send(c);
  if (op == "recv") co_return co_await recv(c);
  if (op == "send_message") co_return co_await send_message(c);
  if (op == "recv_message") co_return co_await recv_message(c);
  if (op == "tls_setup") co_return tls_setup(c);
  if (op == "tls_handshake") co_return co_await tls_handshake(c);
  if (op == "tls_stall") co_return co_await tls_stall(c);
  if (op == "tls_close_notify") co_return co_await tls_close_notify(c);
  if (op == "drain") co_return co_await drain(c);
  if (op == "shutdown") co_return shutdown(c);
  if (op == "close") co_return close();
  if (op == "set") co_return set_option(c);
  if (op == "crash") {
    // The kernel closes this process's sockets as it would for any crash.
    ::kill(::getpid(), SIGKILL);
  }
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

// Asio's epoll reactor is edge-triggered and stops reading speculatively
// once a read has "exhausted" the socket: after ECONNRESET has been reported,
// a second async read waits for an edge that never comes (seen on this
// kernel with Boost 1.81). Reading once without blocking first makes every
// recv report what the kernel says now (eof after a reset), not a hang.
asio::awaitable<IoResult> Endpoint::read_some(asio::mutable_buffer buf) {
  if (tls_) {
    auto [ec, n] = co_await tls_->async_read_some(buf, use_tuple);
    co_return IoResult{ec, n};
  }
  boost::system::error_code ec;
  conn_.non_blocking(true, ec);
  std::size_t n = 0;
  if (!ec) n = conn_.read_some(buf, ec);
  if (ec != asio::error::would_block && ec != asio::error::try_again) co_return IoResult{ec, n};
  auto [aec, an] = co_await conn_.async_read_some(buf, use_tuple);
  co_return IoResult{aec, an};
}

asio::awaitable<IoResult> Endpoint::read_exact(asio::mutable_buffer buf) {
  std::size_t total = 0;
  while (total < buf.size()) {
    auto [ec, n] = co_await read_some(buf + total);
    total += n;
    if (ec) co_return IoResult{ec, total};
  }
  co_return IoResult{{}, total};
}

asio::awaitable<IoResult> Endpoint::write_all(std::vector<asio::const_buffer> bufs) {
  if (tls_) {
    auto [ec, n] = co_await asio::async_write(*tls_, bufs, use_tuple);
    co_return IoResult{ec, n};
  }
  auto [ec, n] = co_await asio::async_write(conn_, bufs, use_tuple);
  co_return IoResult{ec, n};
}

asio::awaitable<Outcome> Endpoint::send(const nlohmann::json& c) {
  const auto data = payload(c.at("n").get<std::size_t>());
  Deadline deadline(conn_, within(c));
  std::vector<asio::const_buffer> bufs;
  bufs.push_back(asio::buffer(data));
  auto [ec, n] = co_await write_all(std::move(bufs));
  co_return finish(deadline, ec, n);
}

asio::awaitable<Outcome> Endpoint::recv(const nlohmann::json& c) {
  const std::string mode = c.value("mode", "some");
  Deadline deadline(conn_, within(c));
  std::vector<char> buf(mode == "exact" ? c.at("n").get<std::size_t>() : 65536);
  if (mode == "exact") {
    auto [ec, n] = co_await read_exact(asio::buffer(buf));
    co_return finish(deadline, ec, n);
  }
  std::uint64_t total = 0;
  for (;;) {
    auto [ec, n] = co_await read_some(asio::buffer(buf));
    total += n;
    if (ec || mode == "some") co_return finish(deadline, ec, total);
  }
}

// A length-prefixed message: 4 bytes (big-endian) announcing N, then the
// first M <= N bytes of it. Bytes reported: the M payload bytes sent.
asio::awaitable<Outcome> Endpoint::send_message(const nlohmann::json& c) {
  const auto announced = c.at("announce").get<std::uint32_t>();
  const auto data = payload(c.at("n").get<std::size_t>());
  const std::array<unsigned char, 4> header{static_cast<unsigned char>(announced >> 24),
                                            static_cast<unsigned char>(announced >> 16),
                                            static_cast<unsigned char>(announced >> 8), static_cast<unsigned char>(announced)};
  Deadline deadline(conn_, within(c));
  std::vector<asio::const_buffer> bufs;  // (no braced lists in coroutines: GCC 12 rejects them)
  bufs.push_back(asio::buffer(header));
  bufs.push_back(asio::buffer(data));
  auto [ec, n] = co_await write_all(std::move(bufs));
  co_return finish(deadline, ec, n >= 4 ? n - 4 : 0);
}

// Reads the 4-byte length, then exactly that many bytes; reports the payload
// bytes received and how the read ended ("ok" only when the whole message came).
asio::awaitable<Outcome> Endpoint::recv_message(const nlohmann::json& c) {
  Deadline deadline(conn_, within(c));
  std::array<unsigned char, 4> header{};
  auto [hec, hn] = co_await read_exact(asio::buffer(header));
  if (hec) co_return finish(deadline, hec, 0);
  const std::uint32_t length = (std::uint32_t{header[0]} << 24) | (std::uint32_t{header[1]} << 16) |
                               (std::uint32_t{header[2]} << 8) | header[3];
  if (length > (64u << 20)) throw std::invalid_argument("message length " + std::to_string(length) + " exceeds 64 MiB");
  std::vector<char> body(length);
  auto [ec, n] = co_await read_exact(asio::buffer(body));
  Outcome o = finish(deadline, ec, n);
  o.announced = length;
  co_return o;
}

Outcome Endpoint::tls_setup(const nlohmann::json& c) {
  boost::system::error_code ec;
  tls_context_.emplace(client_ ? asio::ssl::context::tls_client : asio::ssl::context::tls_server);
  auto& ctx = *tls_context_;
  ctx.set_options(asio::ssl::context::default_workarounds | asio::ssl::context::no_sslv2 |
                      asio::ssl::context::no_sslv3 | asio::ssl::context::no_tlsv1 | asio::ssl::context::no_tlsv1_1,
                  ec);
  if (client_) {
    const std::string ca = c.at("ca");
    if (!ec) ctx.add_certificate_authority(asio::buffer(ca), ec);
    if (!ec) ctx.set_verify_mode(asio::ssl::verify_peer, ec);
  } else {
    const std::string cert = c.at("cert"), key = c.at("key");
    if (!ec) ctx.use_certificate_chain(asio::buffer(cert), ec);
    if (!ec) ctx.use_private_key(asio::buffer(key), asio::ssl::context::pem, ec);
  }
  return outcome_of(ec);
}

asio::awaitable<Outcome> Endpoint::tls_handshake(const nlohmann::json& c) {
  if (!tls_context_) throw std::invalid_argument("tls_handshake before tls_setup");
  auto stream = std::make_unique<asio::ssl::stream<tcp::socket&>>(conn_, *tls_context_);
  if (client_) {
    // The client checks the server's certificate: signed by the run's CA, for the server's address.
    stream->set_verify_callback(asio::ssl::host_name_verification(remote_.address().to_string()));
  }
  Deadline deadline(conn_, within(c));
  auto [ec] = co_await stream->async_handshake(client_ ? asio::ssl::stream_base::client : asio::ssl::stream_base::server,
                                               use_tuple);
  if (!ec) tls_ = std::move(stream);
  co_return finish(deadline, ec, 0);
}

// Reads the peer's first TLS record (the ClientHello) off the socket and never answers.
asio::awaitable<Outcome> Endpoint::tls_stall(const nlohmann::json& c) {
  Deadline deadline(conn_, within(c));
  std::array<unsigned char, 5> header{};
  auto [hec, hn] = co_await read_exact(asio::buffer(header));
  if (hec) co_return finish(deadline, hec, hn);
  std::vector<char> record((std::size_t{header[3]} << 8) | header[4]);
  auto [ec, n] = co_await read_exact(asio::buffer(record));
  co_return finish(deadline, ec, hn + n);
}

// Sends close_notify and waits (within the deadline) for the peer's own.
asio::awaitable<Outcome> Endpoint::tls_close_notify(const nlohmann::json& c) {
  if (!tls_) throw std::invalid_argument("tls_close_notify without a TLS session");
  Deadline deadline(conn_, within(c));
  auto [ec] = co_await tls_->async_shutdown(use_tuple);
  co_return finish(deadline, ec, 0);
}

// Waits until the peer has acknowledged every byte this side sent: the
// kernel's send queue (SIOCOUTQ: sent but unacknowledged, plus unsent) is
// empty. The kernel offers no wakeup for that, so it looks each millisecond,
// within the step's deadline (then operation_aborted, as any deadline).
asio::awaitable<Outcome> Endpoint::drain(const nlohmann::json& c) {
  const auto deadline = std::chrono::steady_clock::now() + within(c);
  asio::steady_timer tick(ex_);
  for (;;) {
    int queued = 0;
    if (::ioctl(conn_.native_handle(), SIOCOUTQ, &queued) != 0)
      co_return outcome_of(boost::system::error_code(errno, boost::system::system_category()));
    if (queued == 0) co_return outcome_of({});
    if (std::chrono::steady_clock::now() >= deadline) {
      Outcome o = outcome_of(asio::error::operation_aborted);
      o.deadline = true;
      co_return o;
    }
    tick.expires_after(std::chrono::milliseconds(1));
    co_await tick.async_wait(use_tuple);
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
  tls_.reset();  // the TLS session goes without close_notify: that is tls_close_notify's job
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
