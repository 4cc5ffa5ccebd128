#define BOOST_TEST_MODULE placeholder
#include <boost/test/unit_test.hpp>
BOOST_AUTO_TEST_CASE(todo) { BOOST_FAIL("not written yet"); }
