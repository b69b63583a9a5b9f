#define BOOST_TEST_MODULE closepath_pcap
#include "decoder.hpp"
#include "test_data.hpp"

#include <boost/test/unit_test.hpp>

using namespace closepath::pcap;

BOOST_AUTO_TEST_SUITE(decoder)

// A bare RST (write_after_peer_close, frame 7) carries no ACK flag.
BOOST_AUTO_TEST_CASE(decoder_reads_rst_without_ack) {
  const auto frames = read_capture(test::data("write_after_peer_close.pcapng"));
  BOOST_REQUIRE_EQUAL(frames.size(), 7u);
  const auto seg = decode_ethernet(frames[6].bytes);
  BOOST_REQUIRE(seg);
  BOOST_TEST(seg->flags == kRst);
  BOOST_TEST(flag_letters(seg->flags) == "R");
  BOOST_TEST(seg->src.addr == "10.0.0.2");
  BOOST_TEST(seg->dst.addr == "10.0.0.1");
}

// A SYN's options read as tshark reads them (graceful_fin frames 1 and 2:
// mss 1460, wscale 10, sackOK, TS); a data segment carries only TS.
BOOST_AUTO_TEST_CASE(decoder_reads_the_options_a_pattern_can_name) {
  const auto frames = read_capture(test::data("graceful_fin.pcapng"));
  for (std::size_t i : {0u, 1u}) {
    const auto syn = decode_ethernet(frames[i].bytes);
    BOOST_REQUIRE(syn);
    BOOST_TEST(syn->options.mss.value_or(0) == 1460);
    BOOST_TEST(syn->options.wscale.value_or(0) == 10);
    BOOST_TEST(syn->options.sack_ok);
    BOOST_TEST(syn->options.timestamps);
  }
  const auto data = decode_ethernet(frames[3].bytes);
  BOOST_REQUIRE(data);
  BOOST_TEST(!data->options.mss);
  BOOST_TEST(!data->options.wscale);
  BOOST_TEST(!data->options.sack_ok);
  BOOST_TEST(data->options.timestamps);
  BOOST_TEST(data->options.ts_val != 0u);  // the values themselves: the wire takes them for an injected TS
  // Cut mid-option (a length past the header): what came before stands, nothing after.
  auto cut = frames[0].bytes;
  const std::size_t tcp = 14 + 20;
  cut[tcp + 12] = static_cast<std::uint8_t>((6 << 4) | (cut[tcp + 12] & 0x0f));  // data offset 24: room for the MSS only
  const auto partial = decode_ethernet(cut);
  BOOST_REQUIRE(partial);
  BOOST_TEST(partial->options.mss.value_or(0) == 1460);
  BOOST_TEST(!partial->options.sack_ok);
}

// Every frame the wire forwarded has a correct TCP checksum (offloads off).
BOOST_AUTO_TEST_CASE(decoder_verifies_checksums_of_real_frames) {
  for (const auto* name : {"graceful_fin", "half_close", "linger_zero"}) {
    for (const auto& f : read_capture(test::data(std::string(name) + ".pcapng"))) {
      const auto seg = decode_ethernet(f.bytes);
      BOOST_REQUIRE(seg);
      BOOST_TEST(seg->checksum_ok, name);
      BOOST_TEST(seg->frame_len <= 1514u);
    }
  }
}

// A flipped payload byte breaks the checksum.
BOOST_AUTO_TEST_CASE(decoder_flags_a_corrupted_segment) {
  auto frames = read_capture(test::data("linger_zero.pcapng"));
  auto bytes = frames[3].bytes;  // the 1000-byte data segment
  bytes.back() ^= 0xff;
  const auto seg = decode_ethernet(bytes);
  BOOST_REQUIRE(seg);
  BOOST_TEST(seg->payload_len == 1000u);
  BOOST_TEST(!seg->checksum_ok);
}

// Anything that is not TCP over IP, or is cut short, decodes to nothing.
BOOST_AUTO_TEST_CASE(decoder_skips_non_tcp_and_truncated_frames) {
  std::vector<std::uint8_t> arp(42, 0);
  arp[12] = 0x08;
  arp[13] = 0x06;
  BOOST_TEST(!decode_ethernet(arp));
  const auto frames = read_capture(test::data("graceful_fin.pcapng"));
  for (std::size_t cut : {0u, 13u, 20u, 33u, 40u, 50u}) {
    std::vector<std::uint8_t> shorter(frames[0].bytes.begin(), frames[0].bytes.begin() + static_cast<long>(cut));
    BOOST_TEST(!decode_ethernet(shorter), "cut at " << cut);
  }
}

// An 802.1Q tag in front of IPv4 is skipped.
BOOST_AUTO_TEST_CASE(decoder_reads_through_a_vlan_tag) {
  const auto frames = read_capture(test::data("graceful_fin.pcapng"));
  auto tagged = frames[0].bytes;
  const std::uint8_t tag[] = {0x81, 0x00, 0x00, 0x07};
  tagged.insert(tagged.begin() + 12, std::begin(tag), std::end(tag));
  const auto seg = decode_ethernet(tagged);
  BOOST_REQUIRE(seg);
  BOOST_TEST(seg->flags == kSyn);
}

BOOST_AUTO_TEST_SUITE_END()
