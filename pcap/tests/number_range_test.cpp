// N or LOW..HIGH: one reading and one wording for every word that takes a range.
#include "number_range.hpp"

#include <boost/test/data/test_case.hpp>
#include <boost/test/unit_test.hpp>

#include <stdexcept>

using namespace closepath::pcap;
namespace bdata = boost::unit_test::data;

BOOST_AUTO_TEST_SUITE(number_range)

BOOST_AUTO_TEST_CASE(reads_a_number_or_a_range_both_ends_included) {
  BOOST_TEST((parse_number_range("len", "100", 1000) == NumberRange{100, 100}));
  const auto r = parse_number_range("len", "510..520", 1000);
  BOOST_TEST((r == NumberRange{510, 520}));
  BOOST_TEST((r.contains(510) && r.contains(520) && !r.contains(521) && !r.contains(509)));
  BOOST_TEST(r.text() == "510..520");
  BOOST_TEST(parse_number_range("len", "7..7", 1000).text() == "7");
}

BOOST_DATA_TEST_CASE(refuses_with_the_field_and_the_word,
                     bdata::make({"x", "", "5..", "..5", "-1", "1..2..3", "9..1", "1001", "1..99999999999999999999"}) ^
                         bdata::make({"send_q takes N or LOW..HIGH, got 'x'", "send_q takes N or LOW..HIGH, got ''",
                                      "send_q takes N or LOW..HIGH, got '5..'", "send_q takes N or LOW..HIGH, got '..5'",
                                      "send_q takes N or LOW..HIGH, got '-1'", "send_q takes N or LOW..HIGH, got '1..2..3'",
                                      "send_q 9..1: LOW..HIGH needs LOW <= HIGH", "send_q 1001 is more than 1000",
                                      "send_q takes N or LOW..HIGH, got '1..99999999999999999999'"}),
                     word, message) {
  try {
    parse_number_range("send_q", word, 1000);
    BOOST_FAIL("accepted '" << word << "'");
  } catch (const std::invalid_argument& e) {
    BOOST_TEST(std::string(e.what()) == message);
  }
}

BOOST_AUTO_TEST_SUITE_END()
