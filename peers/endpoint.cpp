#include "endpoint.hpp"

#include "deadline.hpp"
#include "filler.hpp"
#include "socket_reading.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

#include <linux/sockios.h>
#include <poll.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <array>
#include <stdexcept>
#include <type_traits>

namespace closepath::peer {

// The primary template: an action with no perform below stops the build here.
template <typename A>
asio::awaitable<Outcome> Endpoint::perform(const A&, ms) {
  static_assert(!std::is_same_v<A, A>, "each action needs its Endpoint::perform in endpoint.cpp");
  co_return Outcome{};
}

Endpoint::Endpoint(asio::any_io_executor ex, tcp::endpoint local, tcp::endpoint remote, bool client)
    : ex_(ex), local_(local), remote_(remote), client_(client), acceptor_(ex), conn_(ex) {}

template <>
asio::awaitable<Outcome> Endpoint::perform(const protocol::Listen&, ms) {
  boost::system::error_code ec;
  const tcp::endpoint at = local_;
  acceptor_.open(at.protocol(), ec);
  if (!ec) acceptor_.set_option(tcp::acceptor::reuse_address(true), ec);
  if (!ec) acceptor_.bind(at, ec);
  // Options such as rcvbuf go on the listener so accepted sockets inherit them.
  if (!ec) apply_options(acceptor_, ec);
  if (!ec) acceptor_.listen(16, ec);
  co_return outcome_of(ec);
}

template <>
asio::awaitable<Outcome> Endpoint::perform(const protocol::Accept&, ms within) {
  Deadline deadline(acceptor_, within);
  auto [ec, socket] = co_await acceptor_.async_accept(use_tuple);
  if (!ec) {
    conn_ = std::move(socket);
    apply_options(conn_, ec);
  }
  co_return finish(deadline, ec, 0);
}

template <>
asio::awaitable<Outcome> Endpoint::perform(const protocol::Connect& c, ms within) {
  tcp::endpoint to(remote_.address(), static_cast<unsigned short>(c.port.value_or(int{remote_.port()})));
  boost::system::error_code ec;
  // Connecting again: a socket whose connect failed (ECONNREFUSED) is closed
  // and a new one made, as a program retrying would; one that is connected
  // answers as the kernel does (EISCONN).
  if (conn_.is_open()) {
    conn_.remote_endpoint(ec);
    if (!ec) co_return outcome_of(asio::error::already_connected);
    tls_.reset();
    conn_.close(ec);
  }
  conn_.open(to.protocol(), ec);
  // The run's own client port: the kernel trace tells this run's events by it.
  if (!ec) conn_.set_option(tcp::socket::reuse_address(true), ec);
  if (!ec) conn_.bind(local_, ec);
  if (!ec) apply_options(conn_, ec);
  if (ec) co_return outcome_of(ec);
  Deadline deadline(conn_, within);
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

template <>
asio::awaitable<Outcome> Endpoint::perform(const protocol::Send& c, ms within) {
  const auto data = c.data ? std::vector<char>(c.data->begin(), c.data->end()) : protocol::filler<char>(c.bytes);
  Deadline deadline(conn_, within);
  std::vector<asio::const_buffer> bufs;
  bufs.push_back(asio::buffer(data));
  auto [ec, n] = co_await write_all(std::move(bufs));
  co_return finish(deadline, ec, n);
}

template <>
asio::awaitable<Outcome> Endpoint::perform(const protocol::Recv& c, ms within) {
  using Mode = protocol::Recv::Mode;
  Deadline deadline(conn_, within);
  std::vector<char> buf(c.mode == Mode::exact ? c.bytes : 65536);
  std::string kept;  // what was read, when the step expects what it holds
  Outcome o;
  if (c.mode == Mode::exact) {
    auto [ec, n] = co_await read_exact(asio::buffer(buf));
    kept.assign(buf.data(), n);
    o = finish(deadline, ec, n);
  } else {
    std::uint64_t total = 0;
    for (;;) {
      auto [ec, n] = co_await read_some(asio::buffer(buf));
      total += n;
      if (c.keep) kept.append(buf.data(), n);
      if (ec || c.mode == Mode::some) {
        o = finish(deadline, ec, total);
        break;
      }
    }
  }
  if (c.keep) o.data = std::move(kept);
  co_return o;
}

// A byte at a time, so nothing past TEXT is taken: the next read starts after it.
template <>
asio::awaitable<Outcome> Endpoint::perform(const protocol::RecvUntil& c, ms within) {
  Deadline deadline(conn_, within);
  std::string read;  // every byte when the step keeps them; else the last ones, as many as TEXT has
  std::uint64_t total = 0;
  char byte = 0;
  for (;;) {
    auto [ec, n] = co_await read_some(asio::buffer(&byte, 1));
    total += n;
    if (!ec) read.push_back(byte);
    if (!c.keep && read.size() > c.text.size()) read.erase(0, 1);
    if (ec || read.ends_with(c.text)) {
      Outcome o = finish(deadline, ec, total);
      if (c.keep) o.data = std::move(read);
      co_return o;
    }
  }
}

// A length-prefixed message: 4 bytes (big-endian) announcing N, then the
// first M <= N bytes of it. Bytes reported: the M payload bytes sent.
template <>
asio::awaitable<Outcome> Endpoint::perform(const protocol::SendMessage& c, ms within) {
  const auto announced = c.announce;
  const auto data = protocol::filler<char>(c.bytes);
  const std::array<unsigned char, 4> header{static_cast<unsigned char>(announced >> 24),
                                            static_cast<unsigned char>(announced >> 16),
                                            static_cast<unsigned char>(announced >> 8), static_cast<unsigned char>(announced)};
  Deadline deadline(conn_, within);
  std::vector<asio::const_buffer> bufs;  // (no braced lists in coroutines: GCC 12 rejects them)
  bufs.push_back(asio::buffer(header));
  bufs.push_back(asio::buffer(data));
  auto [ec, n] = co_await write_all(std::move(bufs));
  co_return finish(deadline, ec, n >= 4 ? n - 4 : 0);
}

// Reads the 4-byte length, then exactly that many bytes; reports the payload
// bytes received and how the read ended ("ok" only when the whole message came).
template <>
asio::awaitable<Outcome> Endpoint::perform(const protocol::RecvMessage&, ms within) {
  Deadline deadline(conn_, within);
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

// Waits until the peer has acknowledged every byte this side sent: the
// kernel's send queue (SIOCOUTQ: sent but unacknowledged, plus unsent) is
// empty. The kernel offers no wakeup for that, so it looks each millisecond,
// within the step's deadline (then operation_aborted, as any deadline).
template <>
asio::awaitable<Outcome> Endpoint::perform(const protocol::Drain&, ms within) {
  const auto deadline = std::chrono::steady_clock::now() + within;
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

// Waits, without reading, until the connection has something to report, and
// names the weightiest event poll(2) gives: pollerr (an error pending, e.g.
// after a RST), hup (closed both ways), rdhup (the peer's FIN), readable.
// How an epoll/poll loop learns of a close before it reads.
template <>
asio::awaitable<Outcome> Endpoint::perform(const protocol::Poll&, ms within) {
  if (!conn_.is_open()) co_return outcome_of(asio::error::bad_descriptor);
  auto events = [this] {
    pollfd p{conn_.native_handle(), POLLIN | POLLRDHUP, 0};
    return ::poll(&p, 1, 0) > 0 ? p.revents : 0;
  };
  // Look first: Asio's edge-triggered reactor does not report a socket that
  // was readable before the wait began.
  int revents = events();
  if (!revents) {
    Deadline deadline(conn_, within);
    auto [ec] = co_await conn_.async_wait(tcp::socket::wait_read, use_tuple);
    if (ec) co_return finish(deadline, ec, 0);
    revents = events();
  }
  Outcome o = outcome_of({});
  o.end = (revents & POLLERR) ? protocol::end::pollerr : (revents & POLLHUP) ? protocol::end::hup : (revents & POLLRDHUP) ? protocol::end::rdhup : protocol::end::readable;
  co_return o;
}

template <>
asio::awaitable<Outcome> Endpoint::perform(const protocol::Shutdown& c, ms) {
  const std::string& how = c.how;
  const auto type = how == "rd" ? tcp::socket::shutdown_receive
                    : how == "wr" ? tcp::socket::shutdown_send
                                  : tcp::socket::shutdown_both;
  boost::system::error_code ec;
  conn_.shutdown(type, ec);
  co_return outcome_of(ec);
}

// The connection, as a server closes one and keeps listening; the listener
// when there is no connection (never accepted, or closed before).
template <>
asio::awaitable<Outcome> Endpoint::perform(const protocol::Close&, ms) {
  boost::system::error_code ec;
  tls_.reset();  // the TLS session goes without close_notify: that is tls_close_notify's job
  if (conn_.is_open()) conn_.close(ec);  // the descriptor is released even on error
  else if (acceptor_.is_open()) acceptor_.close(ec);
  else ec = asio::error::bad_descriptor;
  co_return outcome_of(ec);
}

template <>
asio::awaitable<Outcome> Endpoint::perform(const protocol::SetOption& c, ms) {
  auto option = SocketOption::from(c.name, c.value);
  boost::system::error_code ec;
  if (conn_.is_open()) conn_.set_option(option, ec);
  else pending_options_.push_back(std::move(option));
  co_return outcome_of(ec);
}

// The open connection socket (a connecting one counts), else the listener: neither is EBADF.
template <>
asio::awaitable<Outcome> Endpoint::perform(const protocol::Get& a, ms) {
  if (!conn_.is_open() && acceptor_.is_open()) co_return read_socket(acceptor_, a.item);
  co_return read_socket(conn_, a.item);
}

template <typename Socket>
void Endpoint::apply_options(Socket& s, boost::system::error_code& ec) {
  for (const auto& option : pending_options_) {
    s.set_option(option, ec);
    if (ec) return;
  }
}

template <>
asio::awaitable<Outcome> Endpoint::perform(const protocol::Crash&, ms) {
  // The kernel closes this process's sockets as it would for any crash.
  ::kill(::getpid(), SIGKILL);
  throw std::logic_error("still alive after SIGKILL");
}

asio::awaitable<Outcome> Endpoint::execute(const protocol::Command& c) {
  // One perform per action, above: a new action does not compile until it has one.
  co_return co_await std::visit([&](const auto& a) { return perform(a, c.within); }, c.action);
}

}  // namespace closepath::peer
