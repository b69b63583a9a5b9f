// The frames the wire injects (a middlebox's RST), built for each family and
// read back by the decoder: addresses, ports, numbers, flags and a checksum
// the receiving kernel would accept.
#include "decoder.hpp"
#include "frame_builder.hpp"

#include <boost/test/unit_test.hpp>

#include <stdexcept>

using namespace closepath::pcap;

namespace {

TcpFrameSpec rst(const std::string& from, const std::string& to) {
  TcpFrameSpec s;
  s.src_mac = {2, 0, 0, 0, 0, 1};
  s.dst_mac = {2, 0, 0, 0, 0, 2};
  s.src_ip = from;
  s.dst_ip = to;
  s.sport = 47001;
  s.dport = 443;
  s.seq = 0x01020304;
  s.ack = 0xa0b0c0d0;
  s.flags = 0x14;  // RST, ACK
  s.window = 512;
  return s;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(frame_builder)

BOOST_AUTO_TEST_CASE(builds_ipv4_and_ipv6_segments_the_decoder_reads_back) {
  for (const auto& [from, to, length] : {std::tuple{"10.0.0.1", "10.0.0.2", 54u}, std::tuple{"fd00::1", "fd00::2", 74u}}) {
    const auto frame = build_tcp_frame(rst(from, to));
    BOOST_TEST(frame.size() == length);
    const auto seg = decode_ethernet(frame);
    BOOST_REQUIRE(seg.has_value());
    BOOST_TEST(seg->src.addr == from);
    BOOST_TEST(seg->dst.addr == to);
    BOOST_TEST(seg->src.port == 47001);
    BOOST_TEST(seg->dst.port == 443);
    BOOST_TEST(seg->seq == 0x01020304u);
    BOOST_TEST(seg->ack == 0xa0b0c0d0u);
    BOOST_TEST(seg->flags == 0x14);
    BOOST_TEST(seg->window == 512);
    BOOST_TEST(seg->checksum_ok);
  }
}

BOOST_AUTO_TEST_CASE(a_damaged_frame_fails_its_checksum) {
  for (const char* from : {"10.0.0.1", "fd00::1"}) {
    auto frame = build_tcp_frame(rst(from, std::string(from) == "10.0.0.1" ? "10.0.0.2" : "fd00::2"));
    frame.back() ^= 0x01;  // the urgent pointer's low byte
    BOOST_TEST(!decode_ethernet(frame)->checksum_ok);
  }
}

// Options as Linux lays them out, each combination read back whole, with a payload after them.
BOOST_AUTO_TEST_CASE(options_are_read_back_as_built) {
  const std::vector<TcpOptions> cases{
      {.mss = 1000, .wscale = 7, .sack_ok = true, .timestamps = true, .ts_val = 0xdeadbeef, .ts_ecr = 7},
      {.mss = {}, .wscale = {}, .sack_ok = false, .timestamps = true, .ts_val = 200, .ts_ecr = 100},
      {.mss = {}, .wscale = {}, .sack_ok = true, .timestamps = false},
      {.mss = 536, .wscale = {}, .sack_ok = false, .timestamps = false},
      {.mss = {}, .wscale = 14, .sack_ok = false, .timestamps = false}};
  for (const char* from : {"10.0.0.1", "fd00::1"})
    for (const auto& o : cases) {
      auto spec = rst(from, std::string(from) == "10.0.0.1" ? "10.0.0.2" : "fd00::2");
      spec.options = o;
      spec.payload = {1, 2, 3};
      const auto seg = decode_ethernet(build_tcp_frame(spec));
      BOOST_REQUIRE(seg.has_value());
      BOOST_TEST((seg->options == o));
      BOOST_TEST(seg->payload_len == 3u);
      BOOST_TEST(seg->checksum_ok);
    }
}

BOOST_AUTO_TEST_CASE(refuses_an_address_it_cannot_build) {
  BOOST_CHECK_THROW(build_tcp_frame(rst("10.0.0.1", "fd00::2")), std::invalid_argument);
  BOOST_CHECK_THROW(build_tcp_frame(rst("fd00::1", "10.0.0.2")), std::invalid_argument);
  BOOST_CHECK_THROW(build_tcp_frame(rst("host", "10.0.0.2")), std::invalid_argument);
}

BOOST_AUTO_TEST_SUITE_END()
