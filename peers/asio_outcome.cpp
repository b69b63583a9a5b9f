#include "asio_outcome.hpp"

#include <boost/asio/error.hpp>
#include <boost/asio/ssl/error.hpp>

#include <cstring>
#include <ctime>

namespace closepath::peer {

std::string end_name(const boost::system::error_code& ec) {
  if (!ec) return protocol::end::ok;
  if (ec == boost::asio::error::eof) return protocol::end::eof;
  if (ec == boost::asio::error::operation_aborted) return protocol::end::operation_aborted;
  if (ec == boost::asio::ssl::error::stream_truncated) return protocol::end::stream_truncated;
  if (ec.category() == boost::asio::error::get_ssl_category()) return protocol::end::ssl_error;
  if (ec.category() == boost::system::system_category()) return protocol::errno_name(ec.value());
  return std::string(ec.category().name()) + ":" + std::to_string(ec.value());
}

Outcome outcome_of(const boost::system::error_code& ec, std::uint64_t bytes) {
  Outcome o;
  o.end = end_name(ec);
  o.bytes = bytes;
  o.error = ec;
  return o;
}

protocol::Outcome to_protocol(const Outcome& o) {
  protocol::Outcome p{.end = o.end, .bytes = o.bytes, .deadline = o.deadline, .announced = o.announced,
                      .tcp_info = o.tcp_info, .data = o.data, .start_ns = o.start_ns, .end_ns = o.end_ns};
  if (o.error) {
    p.error = protocol::ErrorDetail{o.error.category().name(), o.error.value(), o.error.message()};
    if (o.error.category() == boost::system::system_category()) p.errno_value = o.error.value();
  }
  return p;
}

}  // namespace closepath::peer
