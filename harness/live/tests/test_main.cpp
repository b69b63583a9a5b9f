#define BOOST_TEST_MODULE closepath_live
#include <boost/test/unit_test.hpp>
