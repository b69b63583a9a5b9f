#include "errors.hpp"
#include "port_reservation.hpp"

#include <boost/test/unit_test.hpp>

using namespace closepath;

BOOST_AUTO_TEST_SUITE(port_reservation)

// A held port is not given out again until its holder lets go.
BOOST_AUTO_TEST_CASE(reserved_ports_are_exclusive_until_released) {
  auto first = PortReservation::first_free(59990);
  BOOST_CHECK_THROW(PortReservation::exactly(first.port()), HostError);
  {
    auto second = PortReservation::first_free(first.port());
    BOOST_TEST(second.port() != first.port());
  }
  const int port = first.port();
  { auto moved = std::move(first); }
  BOOST_TEST(PortReservation::exactly(port).port() == port);
}

BOOST_AUTO_TEST_SUITE_END()
