// What a peer action ended with, as a value: bytes moved plus how it ended:
// "ok", "eof", "operation_aborted" (with deadline set when the action's own
// deadline cancelled it), an errno name such as "ECONNRESET",
// "stream_truncated" (TLS: TCP EOF without close_notify), "ssl_error" (an
// OpenSSL failure; the message says which) or "category:value" for others.
#pragma once

#include <boost/system/error_code.hpp>
#include <nlohmann/json.hpp>

#include <cstdint>
#include <optional>
#include <string>

namespace closepath::peer {

struct Outcome {
  std::string end = "ok";
  std::uint64_t bytes = 0;
  bool deadline = false;                   // the action's own deadline cancelled it
  std::optional<std::uint32_t> announced;  // recv_message: the length the message announced
  boost::system::error_code error;  // as the library reported it
  std::int64_t start_ns = 0, end_ns = 0;  // CLOCK_MONOTONIC
};

// Names an error the way the catalogue speaks of it (see above).
std::string end_name(const boost::system::error_code& ec);

Outcome outcome_of(const boost::system::error_code& ec, std::uint64_t bytes = 0);

std::int64_t monotonic_ns();

nlohmann::json to_json(const Outcome& o);

}  // namespace closepath::peer
