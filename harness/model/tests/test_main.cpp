#define BOOST_TEST_MODULE closepath_model
#include <boost/test/unit_test.hpp>
