// What a peer action ended with, as the peer builds it: the library's own
// error_code beside bytes and end word; to_protocol() gives what crosses the
// control channel (protocol/outcome.hpp, where the end words are listed).
// Errors outside the catalogue's words are named "category:value".
#pragma once

#include "outcome.hpp"

#include <boost/system/error_code.hpp>

#include <cstdint>
#include <optional>
#include <string>

namespace closepath::peer {

struct Outcome {
  std::string end = protocol::end::ok;
  std::uint64_t bytes = 0;
  bool deadline = false;                   // the action's own deadline cancelled it
  std::optional<std::uint32_t> announced;  // recv_message: the length the message announced
  boost::system::error_code error;  // as the library reported it
  std::optional<protocol::TcpInfo> tcp_info;  // get tcp_info
  std::optional<std::string> data;            // the bytes a read took, when its action keeps them
  std::int64_t start_ns = 0, end_ns = 0;  // CLOCK_MONOTONIC
};

// Names an error the way the catalogue speaks of it (see above).
std::string end_name(const boost::system::error_code& ec);

Outcome outcome_of(const boost::system::error_code& ec, std::uint64_t bytes = 0);

// As the protocol carries it (protocol/outcome.hpp).
protocol::Outcome to_protocol(const Outcome& o);

}  // namespace closepath::peer
