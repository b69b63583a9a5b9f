#define BOOST_TEST_MODULE closepath_verdict
#include <boost/test/unit_test.hpp>
