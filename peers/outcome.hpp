// What a peer action ended with, as a value: bytes moved plus how it ended
// ("ok", "eof", "timeout" for the action's own deadline, an errno name such as
// "ECONNRESET", or "category:value" for other library errors).
#pragma once

#include <boost/system/error_code.hpp>
#include <nlohmann/json.hpp>

#include <cstdint>
#include <string>

namespace closepath::peer {

struct Outcome {
  std::string end = "ok";
  std::uint64_t bytes = 0;
  boost::system::error_code error;  // as the library reported it
  std::int64_t start_ns = 0, end_ns = 0;  // CLOCK_MONOTONIC
};

// Names an error the way the catalogue speaks of it (see above).
std::string end_name(const boost::system::error_code& ec);

Outcome outcome_of(const boost::system::error_code& ec, std::uint64_t bytes = 0);

std::int64_t monotonic_ns();

nlohmann::json to_json(const Outcome& o);

}  // namespace closepath::peer
