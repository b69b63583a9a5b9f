#include "shard.hpp"

#include <boost/test/unit_test.hpp>

#include <set>
#include <stdexcept>

using namespace closepath;
using namespace std::chrono_literals;

namespace {

std::vector<Scenario> catalogue_like() {
  // Timers as the catalogue declares them: a few long ones, many with none.
  std::vector<Scenario> all;
  const std::pair<const char*, std::chrono::milliseconds> named[] = {
      {"keepalive_timeout", 3000ms}, {"user_timeout", 1500ms}, {"fin_wait2_close_wait_leak", 1500ms},
      {"connection_refused", 1200ms}, {"read_deadline", 1000ms}, {"tls_handshake_stall", 1000ms},
      {"graceful_fin", 0ms}, {"half_close", 0ms}, {"linger_zero", 0ms}, {"peer_crash", 0ms},
      {"simultaneous_close", 0ms}, {"middlebox_reset", 0ms}, {"eof_mid_read", 0ms}};
  for (const auto& [name, timers] : named) {
    Scenario s;
    s.name = name;
    s.timers = timers;
    all.push_back(s);
  }
  return all;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(shard)

BOOST_AUTO_TEST_CASE(parses_k_of_n_and_refuses_anything_else) {
  BOOST_TEST(parse_shard("2/3").index == 2);
  BOOST_TEST(parse_shard("2/3").count == 3);
  BOOST_TEST(parse_shard("1/1").count == 1);
  for (const char* bad : {"", "3", "0/3", "4/3", "1/0", "-1/2", "a/b", "1/2x", "1//2", " 1/2"})
    BOOST_CHECK_THROW(parse_shard(bad), std::invalid_argument);
}

// The parts together are the whole, each scenario in exactly one.
BOOST_AUTO_TEST_CASE(parts_cover_every_scenario_once) {
  const auto all = catalogue_like();
  for (int n = 1; n <= 5; ++n) {
    std::multiset<std::size_t> seen;
    for (int k = 1; k <= n; ++k)
      for (auto i : shard_of(all, {k, n})) seen.insert(i);
    BOOST_TEST(seen.size() == all.size());
    for (std::size_t i = 0; i < all.size(); ++i) BOOST_TEST(seen.count(i) == 1u);
  }
}

// Balanced by timers: the long scenarios do not end up together, and
// scenarios without timers spread too.
BOOST_AUTO_TEST_CASE(parts_are_balanced_by_declared_timers) {
  const auto all = catalogue_like();
  std::vector<std::chrono::milliseconds> load;
  std::vector<std::size_t> sizes;
  for (int k = 1; k <= 3; ++k) {
    std::chrono::milliseconds sum{0};
    const auto part = shard_of(all, {k, 3});
    for (auto i : part) sum += all[i].timers;
    load.push_back(sum);
    sizes.push_back(part.size());
  }
  const auto [least, most] = std::minmax_element(load.begin(), load.end());
  BOOST_TEST((*most - *least).count() <= 1000);  // no part waits a second longer than another's timers
  for (auto size : sizes) BOOST_TEST(size >= 3u);
}

BOOST_AUTO_TEST_SUITE_END()
