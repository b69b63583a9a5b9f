// libFuzzer target: the wire-pattern, time-window, duration and state-pattern
// grammars. Bad text is a PatternError or std::invalid_argument; text that
// parses must print back to text that parses to the same pattern.
#include "pattern.hpp"
#include "scenario_parser.hpp"
#include "tcp_state.hpp"

#include <cstdint>
#include <cstdlib>
#include <string>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  try {
    const auto e = closepath::pcap::parse_pattern(text);
    if (!(closepath::pcap::parse_pattern(closepath::pcap::to_string(e)) == e)) std::abort();  // round trip
  } catch (const closepath::pcap::PatternError&) {
  }
  try {
    closepath::pcap::parse_window(text);
  } catch (const closepath::pcap::PatternError&) {
  }
  try {
    closepath::parse_duration(text);
  } catch (const std::invalid_argument&) {
  }
  try {
    closepath::pcap::parse_state_pattern(text);
  } catch (const std::invalid_argument&) {
  }
  for (auto side : {closepath::Side::client, closepath::Side::server}) {
    try {
      closepath::parse_peer_step(side, text);
    } catch (const std::invalid_argument&) {
    }
  }
  try {
    closepath::parse_wire_step(text);
  } catch (const std::invalid_argument&) {
  }
  return 0;
}
