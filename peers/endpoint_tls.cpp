// The TLS actions of an endpoint: credentials, handshake, a stalled server, close_notify.
#include "endpoint.hpp"

#include "deadline.hpp"

#include <boost/asio/ssl/host_name_verification.hpp>

#include <array>
#include <stdexcept>

namespace closepath::peer {
namespace {

// A context for one end: a client's trusts `ca_pem` and verifies the peer; a server's presents cert and key.
void load_tls_context(asio::ssl::context& ctx, bool client, const std::string& ca_pem, const std::string& cert_pem,
                      const std::string& key_pem, boost::system::error_code& ec) {
  ctx.set_options(asio::ssl::context::default_workarounds | asio::ssl::context::no_sslv2 |
                      asio::ssl::context::no_sslv3 | asio::ssl::context::no_tlsv1 | asio::ssl::context::no_tlsv1_1,
                  ec);
  if (client) {
    if (!ec) ctx.add_certificate_authority(asio::buffer(ca_pem), ec);
    if (!ec) ctx.set_verify_mode(asio::ssl::verify_peer, ec);
  } else {
    if (!ec) ctx.use_certificate_chain(asio::buffer(cert_pem), ec);
    if (!ec) ctx.use_private_key(asio::buffer(key_pem), asio::ssl::context::pem, ec);
  }
}

}  // namespace

template <>
asio::awaitable<Outcome> Endpoint::perform(const protocol::TlsSetup& c, ms) {
  boost::system::error_code ec;
  tls_context_.emplace(client_ ? asio::ssl::context::tls_client : asio::ssl::context::tls_server);
  load_tls_context(*tls_context_, client_, c.ca_pem, c.cert_pem, c.key_pem, ec);
  co_return outcome_of(ec);
}

// The run's context, or one of the step's own when it names a CA (client) or a certificate (server).
asio::ssl::context& Endpoint::handshake_context(const protocol::TlsHandshake& h, boost::system::error_code& ec) {
  if (!tls_context_) throw std::invalid_argument("tls_handshake before tls_setup");
  if (h.ca_pem.empty() && h.cert_pem.empty()) return *tls_context_;
  own_tls_context_ = std::make_unique<asio::ssl::context>(client_ ? asio::ssl::context::tls_client : asio::ssl::context::tls_server);
  load_tls_context(*own_tls_context_, client_, h.ca_pem, h.cert_pem, h.key_pem, ec);
  return *own_tls_context_;
}

template <>
asio::awaitable<Outcome> Endpoint::perform(const protocol::TlsHandshake& h, ms within) {
  boost::system::error_code ec;
  auto& context = handshake_context(h, ec);
  if (ec) co_return outcome_of(ec);
  auto stream = std::make_unique<asio::ssl::stream<tcp::socket&>>(conn_, context);
  if (client_) {
    // SNI, and the name the certificate must be for: the step's, else the server's address.
    if (!h.sni.empty() && SSL_set_tlsext_host_name(stream->native_handle(), h.sni.c_str()) != 1)
      co_return outcome_of(asio::error::invalid_argument);
    if (!h.verify) stream->set_verify_mode(asio::ssl::verify_none);
    else stream->set_verify_callback(asio::ssl::host_name_verification(h.sni.empty() ? remote_.address().to_string() : h.sni));
  }
  Deadline deadline(conn_, within);
  std::tie(ec) = co_await stream->async_handshake(client_ ? asio::ssl::stream_base::client : asio::ssl::stream_base::server,
                                                  use_tuple);
  if (!ec) tls_ = std::move(stream);
  co_return finish(deadline, ec, 0);
}

// Reads the peer's first TLS record (the ClientHello) off the socket and never answers.
template <>
asio::awaitable<Outcome> Endpoint::perform(const protocol::TlsStall&, ms within) {
  Deadline deadline(conn_, within);
  std::array<unsigned char, 5> header{};
  auto [hec, hn] = co_await read_exact(asio::buffer(header));
  if (hec) co_return finish(deadline, hec, hn);
  std::vector<char> record((std::size_t{header[3]} << 8) | header[4]);
  auto [ec, n] = co_await read_exact(asio::buffer(record));
  co_return finish(deadline, ec, hn + n);
}

// Sends close_notify and waits (within the deadline) for the peer's own.
template <>
asio::awaitable<Outcome> Endpoint::perform(const protocol::TlsCloseNotify&, ms within) {
  if (!tls_) co_return outcome_of(asio::error::not_connected);  // no session (its handshake failed or never ran)
  Deadline deadline(conn_, within);
  auto [ec] = co_await tls_->async_shutdown(use_tuple);
  co_return finish(deadline, ec, 0);
}

}  // namespace closepath::peer
