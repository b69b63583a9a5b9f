// Test helper: a wire step the grammar must refuse, and the words its
// error must hold.
#pragma once

#include "scenario_parser.hpp"

#include <boost/test/unit_test.hpp>

#include <stdexcept>
#include <string>

namespace closepath::testing {

inline void check_rejected(const std::string& text, const std::string& reason) {
  try {
    parse_wire_step(text);
    BOOST_FAIL("accepted '" << text << "'");
  } catch (const std::invalid_argument& e) {
    BOOST_TEST(std::string(e.what()).find(reason) != std::string::npos, e.what());
  }
}

}  // namespace closepath::testing
