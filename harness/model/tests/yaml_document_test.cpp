// The strict YAML reader: what YAML allows but a scenario must not get away
// with, and what yaml-cpp 0.7 got wrong.
#include "yaml_document.hpp"

#include <boost/test/unit_test.hpp>

#include <string>

using namespace closepath;

namespace {

// The error's line and message, or "" when the text parses.
std::string error_of(const std::string& text) {
  try {
    yaml::parse(text);
    return "";
  } catch (const yaml::Error& e) {
    return std::to_string(e.line) + ": " + e.what();
  }
}

}  // namespace

BOOST_AUTO_TEST_SUITE(yaml_document)

BOOST_AUTO_TEST_CASE(optional_state_in_a_flow_list_parses) {
  // The README's form; yaml-cpp 0.7 answered "unknown token".
  const auto doc = yaml::parse("client: [SYN_SENT, ESTABLISHED, FIN_WAIT1?]\n");
  const auto* list = doc->find("client");
  BOOST_REQUIRE(list && list->is_sequence());
  BOOST_TEST(list->items.at(2)->value == "FIN_WAIT1?");
}

BOOST_AUTO_TEST_CASE(duplicate_keys_are_refused_with_both_lines) {
  BOOST_TEST(error_of("name: a\nsteps: []\nname: b\n") == "3: duplicate key 'name' (first on line 1)");
  BOOST_TEST(error_of("states:\n  client: [A]\n  client: [B]\n") == "3: duplicate key 'client' (first on line 2)");
}

BOOST_AUTO_TEST_CASE(a_second_document_is_refused) {
  BOOST_TEST(error_of("a: 1\n---\nb: 2\n").rfind("2: a second YAML document", 0) == 0);
  BOOST_TEST(error_of("a: 1\n...\n---\na: 2\n").rfind("3: a second YAML document", 0) == 0);
}

BOOST_AUTO_TEST_CASE(aliases_are_shared_and_budgeted) {
  const auto doc = yaml::parse("a: &x [1, 2]\nb: *x\n");
  BOOST_TEST(doc->find("a") == doc->find("b"));  // the same node, not a copy
  // A billion laughs: each level doubles what the aliases stand for.
  std::string bomb = "l0: &l0 [x, x]\n";
  for (int i = 1; i < 40; ++i)
    bomb += "l" + std::to_string(i) + ": &l" + std::to_string(i) + " [*l" + std::to_string(i - 1) + ", *l" +
            std::to_string(i - 1) + "]\n";
  BOOST_TEST(error_of(bomb).find("more than 100000 nodes") != std::string::npos, error_of(bomb));
  BOOST_TEST(error_of("a: *nothing\n").find("names no anchor") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(non_utf8_bytes_are_refused_with_their_line) {
  BOOST_TEST(error_of("name: a\nsummary: caf\xe9\n").rfind("2: bad YAML: ", 0) == 0);
  BOOST_TEST(error_of("name: a\nsummary: caf\xe9\n").find("UTF-8") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(depth_and_size_are_bounded) {
  BOOST_TEST(error_of(std::string(100, '[') + std::string(100, ']')).find("nesting deeper than 32") != std::string::npos);
  BOOST_TEST(error_of(std::string(2 << 20, '#')).find("larger than 1024 KiB") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(null_and_quoted_scalars) {
  const auto doc = yaml::parse("a:\nb: ~\nc: 'null'\nd: \"\"\n");
  BOOST_TEST(doc->find("a")->is_null());
  BOOST_TEST(doc->find("b")->is_null());
  BOOST_TEST(!doc->find("c")->is_null());
  BOOST_TEST(!doc->find("d")->is_null());
  BOOST_TEST(yaml::parse("")->is_null());
}

BOOST_AUTO_TEST_CASE(non_scalar_keys_are_refused) {
  BOOST_TEST(error_of("? [a, b]\n: c\n") == "1: a mapping key must be a single value");
}

BOOST_AUTO_TEST_SUITE_END()
