#include "decoder.hpp"
#include "flow_builder.hpp"
#include "test_data.hpp"

#include <boost/test/data/test_case.hpp>
#include <boost/test/unit_test.hpp>

#include <fstream>

using namespace closepath::pcap;
namespace bdata = boost::unit_test::data;

BOOST_AUTO_TEST_SUITE(flow)

// Golden rows: each committed capture, tracked, reads exactly as its .flow
// file says (checked against tshark's relative numbers when committed).
BOOST_DATA_TEST_CASE(flow_matches_golden_view,
                     bdata::make({"graceful_fin", "half_close", "linger_zero", "rst_on_unread_close",
                                  "write_after_peer_close", "connection_refused", "tcp_fast_open",
                                  "data_fin_after_close", "fin_never_acked"}),
                     name) {
  const auto flow = test::load_flow(name);
  std::ifstream golden(test::data(std::string(name) + ".flow"));
  std::vector<std::string> expected;
  for (std::string line; std::getline(golden, line);) expected.push_back(line);
  BOOST_REQUIRE_EQUAL(flow.packets.size(), expected.size());
  for (std::size_t i = 0; i < expected.size(); ++i) BOOST_TEST(describe(flow.packets[i]) == expected[i], "packet " << i + 1);
  BOOST_TEST(flow.client.addr == "10.0.0.1");
  BOOST_TEST(flow.server.addr == "10.0.0.2");
  BOOST_TEST(flow.other_tcp == 0u);
}

// Each TSval's advance is over its own sender's last, never the other end's.
BOOST_AUTO_TEST_CASE(flow_tracks_each_senders_tsval) {
  const auto flow = test::load_flow("graceful_fin");
  BOOST_REQUIRE(flow.packets.size() > 3u && flow.packets[0].options.timestamps);
  BOOST_TEST(!flow.packets[0].ts_advance);  // the client's first
  BOOST_TEST(!flow.packets[1].ts_advance);  // the server's first
  BOOST_REQUIRE(flow.packets[2].ts_advance);
  BOOST_TEST(*flow.packets[2].ts_advance ==
             static_cast<std::int32_t>(flow.packets[2].options.ts_val - flow.packets[0].options.ts_val));
}

// Without the SYN, the hint decides who the client is.
BOOST_AUTO_TEST_CASE(flow_uses_the_client_hint_mid_stream) {
  auto frames = read_capture(test::data("graceful_fin.pcapng"));
  frames.erase(frames.begin(), frames.begin() + 5);  // starts with s>c P.
  const auto flow = track_flow(frames, std::string("10.0.0.1"));
  BOOST_REQUIRE(!flow.packets.empty());
  BOOST_TEST(flow.client.addr == "10.0.0.1");
  BOOST_TEST(to_string(flow.packets[0].dir) == "s>c");
}

// A port pair used twice (time_wait_reuse: the second SYN reached the server's
// TIME_WAIT): one connection each by default, the whole story on request, each
// incarnation numbered from its own SYN as tshark's tcp.stream 0 and 1 are.
BOOST_AUTO_TEST_CASE(flow_follows_a_port_pair_through_its_incarnations) {
  const auto frames = read_capture(test::data("time_wait_reuse.pcapng"));
  const auto first = track_flow(frames, std::string("10.0.0.1"));
  BOOST_TEST(first.packets.size() == 7u);
  BOOST_TEST(first.incarnations.empty());
  const auto all = track_flow(frames, std::string("10.0.0.1"), true);
  BOOST_REQUIRE_EQUAL(all.packets.size(), 16u);
  BOOST_TEST((all.incarnations == std::vector<std::size_t>{7}));
  BOOST_TEST(describe(all.packets[7]) == "c>s S seq 0 len 0");
  BOOST_TEST(describe(all.packets[8]) == "s>c S. seq 0 ack 1 len 0");
  BOOST_TEST(describe(all.packets[10]) == "c>s P. seq 1 ack 1 len 100");
  BOOST_TEST(describe(all.packets[15]) == "c>s . seq 102 ack 2 len 0");
  BOOST_TEST(all.packets[13].peer_fin == 102u);  // the server's ACK of the second connection's FIN, not the first's
  BOOST_TEST(all.other_tcp == 0u);
}

// The live wire numbers frames one at a time (LiveFlow) exactly as the judge
// numbers the whole capture: every field a pattern word reads is the same.
BOOST_DATA_TEST_CASE(live_flow_numbers_each_frame_as_the_capture_flow_does,
                     bdata::make({"graceful_fin", "half_close", "linger_zero", "rst_on_unread_close", "write_after_peer_close",
                                  "connection_refused", "tcp_fast_open", "data_fin_after_close", "fin_never_acked",
                                  "time_wait_reuse"}),
                     name) {
  const auto frames = read_capture(test::data(std::string(name) + ".pcapng"));
  const auto judged = track_flow(frames, std::string("10.0.0.1"), true);
  LiveFlow live("10.0.0.1");
  std::vector<FlowPacket> seen;
  for (std::size_t i = 0; i < frames.size(); ++i)
    if (const auto seg = decode_ethernet(frames[i].bytes))
      if (const auto* p = live.add(i, frames[i].ts_ns, *seg)) seen.push_back(*p);
  BOOST_REQUIRE_EQUAL(seen.size(), judged.packets.size());
  for (std::size_t i = 0; i < seen.size(); ++i) {
    const auto& a = seen[i];
    const auto& b = judged.packets[i];
    BOOST_TEST(describe(a) == describe(b), "packet " << i + 1);
    BOOST_TEST(a.window == b.window, "packet " << i + 1);
    BOOST_TEST((a.options == b.options), "packet " << i + 1);
    BOOST_TEST(a.peer_fin == b.peer_fin, "packet " << i + 1);
    BOOST_TEST(a.frame == b.frame, "packet " << i + 1);
  }
}

// Frames of another connection (another port pair) are not the run's.
BOOST_AUTO_TEST_CASE(live_flow_leaves_out_other_connections) {
  const auto frames = read_capture(test::data("graceful_fin.pcapng"));
  LiveFlow live("10.0.0.1");
  auto other = *decode_ethernet(frames[0].bytes);
  other.src.port = static_cast<std::uint16_t>(other.src.port + 1);
  BOOST_TEST(live.add(0, 0, *decode_ethernet(frames[0].bytes)) != nullptr);
  BOOST_TEST(live.add(1, 0, other) == nullptr);
}

BOOST_AUTO_TEST_SUITE_END()
