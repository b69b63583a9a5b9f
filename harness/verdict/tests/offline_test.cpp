// Offline check and show on committed captures, without root: the verdict a
// run's own capture gives, a mismatch named by file, line and frame, and
// every connection shown as JSON.
#include "offline.hpp"
#include "scenario_parser.hpp"

#include <boost/test/unit_test.hpp>
#include <nlohmann/json.hpp>

#include <sstream>

using namespace closepath;

namespace {

std::string capture(const std::string& name) { return std::string(CLOSEPATH_TEST_DATA) + "/" + name + ".pcapng"; }
Scenario catalogue(const std::string& name) {
  return parse_scenario_file(std::string(CLOSEPATH_SCENARIO_DIR) + "/" + name + ".yaml");
}

}  // namespace

BOOST_AUTO_TEST_SUITE(offline)

BOOST_AUTO_TEST_CASE(check_passes_a_run_s_own_capture_and_names_the_connection) {
  std::ostringstream out, notes;
  const int rc = check_capture(capture("graceful_fin"), catalogue("graceful_fin"), {}, out, notes);
  BOOST_TEST(rc == 0, out.str() << notes.str());
  BOOST_TEST(out.str().find("client ") != std::string::npos, out.str());
  BOOST_TEST(out.str().find("-> server ") != std::string::npos, out.str());
}

BOOST_AUTO_TEST_CASE(check_fails_another_close_path_at_its_line_and_frame_as_json) {
  std::ostringstream out, notes;
  OfflineOptions o;
  o.json = true;
  const int rc = check_capture(capture("graceful_fin"), catalogue("linger_zero"), o, out, notes);
  BOOST_TEST(rc == 1);
  const auto j = nlohmann::json::parse(out.str());
  BOOST_TEST(j.at("verdict") == "fail");
  const auto mismatch = j.dump();
  BOOST_TEST(mismatch.find("linger_zero.yaml:") != std::string::npos, mismatch);
  BOOST_TEST(mismatch.find("frame 4") != std::string::npos, mismatch);
}

BOOST_AUTO_TEST_CASE(show_json_has_every_packet_with_wireshark_numbers_and_states) {
  std::ostringstream out, notes;
  OfflineOptions o;
  o.json = true;
  BOOST_TEST(show_capture(capture("linger_zero"), o, out, notes) == 0);
  const auto j = nlohmann::json::parse(out.str());
  const auto& connections = j.at("connections");
  BOOST_REQUIRE_EQUAL(connections.size(), 1u);
  const auto& packets = connections[0].at("packets");
  BOOST_REQUIRE_EQUAL(packets.size(), 6u);
  BOOST_TEST(packets[0].at("frame") == 1);
  BOOST_TEST(packets[5].at("flags") == "R.");
  BOOST_TEST(connections[0].at("states").at("server").back() == "CLOSE");
}

BOOST_AUTO_TEST_SUITE_END()
