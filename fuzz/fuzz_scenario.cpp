// libFuzzer target: any bytes as a scenario file. The contract: a scenario,
// or a ScenarioError whose message is one line; nothing else.
#include "scenario_parser.hpp"

#include <cstdint>
#include <cstdlib>
#include <string>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  try {
    closepath::parse_scenario_text(std::string(reinterpret_cast<const char*>(data), size), "fuzz.yaml");
  } catch (const closepath::ScenarioError& e) {
    if (std::string(e.what()).find('\n') != std::string::npos) std::abort();  // one line, always
  }
  return 0;
}
