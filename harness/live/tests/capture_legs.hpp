// Test helper: the frames of a committed capture (pcap/tests/data), each with
// the leg it arrived on (the client is 10.0.0.1), to feed the fault program.
#pragma once

#include "capture_reader.hpp"
#include "decoder.hpp"
#include "flow.hpp"

#include <string>
#include <utility>
#include <vector>

namespace closepath::testing {

inline std::vector<std::pair<pcap::Dir, pcap::Frame>> legs_of(const std::string& name) {
  std::vector<std::pair<pcap::Dir, pcap::Frame>> out;
  for (auto& f : pcap::read_capture(std::string(CLOSEPATH_TEST_DATA) + "/" + name + ".pcapng")) {
    const auto seg = pcap::decode_ethernet(f.bytes);
    out.emplace_back(seg && seg->src.addr == "10.0.0.1" ? pcap::Dir::c2s : pcap::Dir::s2c, f);
  }
  return out;
}

}  // namespace closepath::testing
