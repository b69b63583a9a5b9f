// Where the committed captures live, and a helper to load one as a flow.
#pragma once

#include "capture_reader.hpp"
#include "flow.hpp"

#include <filesystem>
#include <string>

namespace closepath::pcap::test {

inline std::filesystem::path data(const std::string& file) { return std::filesystem::path(CLOSEPATH_TEST_DATA) / file; }

inline Flow load_flow(const std::string& scenario) { return track_flow(read_capture(data(scenario + ".pcapng"))); }

}  // namespace closepath::pcap::test
