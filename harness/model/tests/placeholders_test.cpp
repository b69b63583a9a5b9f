// The placeholders a program's arguments hold: each one's value in each
// family, replaced once, left to right; an unknown one is left as written
// (the exec grammar refuses it when the file is read).
#include "placeholders.hpp"
#include "scenario_parser.hpp"

#include <boost/test/unit_test.hpp>

using namespace closepath;

BOOST_AUTO_TEST_SUITE(placeholders_table)

BOOST_AUTO_TEST_CASE(each_placeholder_has_its_value_in_each_family) {
  PlaceholderValues v{.family = Family::ipv4, .server_port = 47000, .scenario_dir = "/s", .out_dir = "/o"};
  BOOST_TEST(substitute("http://{server_host}:{port}/", v) == "http://10.0.0.2:47000/");
  BOOST_TEST(substitute("TCP{family}-LISTEN:{port},bind={any_host}", v) == "TCP4-LISTEN:47000,bind=0.0.0.0");
  BOOST_TEST(substitute("{client} {client_host} {any} {dir}/x {out}/y", v) == "10.0.0.1 10.0.0.1 0.0.0.0 /s/x /o/y");
  v.family = Family::ipv6;
  BOOST_TEST(substitute("http://{server_host}:{port}/", v) == "http://[fd00::2]:47000/");
  BOOST_TEST(substitute("TCP{family}-LISTEN:{port},bind={any_host}", v) == "TCP6-LISTEN:47000,bind=[::]");
  BOOST_TEST(substitute("{server} {any} {client_host}", v) == "fd00::2 :: [fd00::1]");
}

BOOST_AUTO_TEST_CASE(a_value_is_never_read_again_and_an_unknown_name_stays) {
  PlaceholderValues v{.family = Family::ipv4, .server_port = 1, .scenario_dir = "/a/{port}", .out_dir = ""};
  BOOST_TEST(substitute("{dir}", v) == "/a/{port}");
  BOOST_TEST(substitute("{nope} {port} {", v) == "{nope} 1 {");
  BOOST_CHECK_THROW(parse_program_step(Side::server, "exec nc -l {prot}"), std::invalid_argument);
  BOOST_TEST(placeholder_names().find("{any_host}") != std::string::npos);
}

BOOST_AUTO_TEST_SUITE_END()
