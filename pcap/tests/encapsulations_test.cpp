#include "decoder.hpp"
#include "encapsulations.hpp"
#include "test_data.hpp"

#include <boost/test/unit_test.hpp>

#include <vector>

using namespace closepath::pcap;

namespace {

using Bytes = std::vector<std::uint8_t>;

// graceful_fin's SYN as it left the wire (Ethernet), and its IPv4 packet.
Bytes syn_frame() { return read_capture(test::data("graceful_fin.pcapng"))[0].bytes; }
Bytes syn_ip() {
  const auto f = syn_frame();
  return {f.begin() + 14, f.end()};
}

Bytes cat(std::initializer_list<Bytes> parts) {
  Bytes out;
  for (const auto& p : parts) out.insert(out.end(), p.begin(), p.end());
  return out;
}

std::optional<Segment> decoded(std::uint16_t link_type, const Bytes& bytes) {
  Frame f;
  f.bytes = bytes;
  f.link_type = link_type;
  f.original_length = static_cast<std::uint32_t>(bytes.size());
  return decode(f).segment;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(encapsulations_registry)

// Each key names one encapsulation where it is found: no entry hides another.
BOOST_AUTO_TEST_CASE(no_two_entries_claim_a_key) {
  const auto all = encapsulations();
  for (std::size_t i = 0; i < all.size(); ++i) {
    BOOST_TEST(std::string(all[i].name).size() > 0);
    // Only TCP, which IP reads itself, has no reader: GRE and UDP call an entry's reader as they find it.
    BOOST_TEST((all[i].read != nullptr || std::string(all[i].name) == "TCP"), all[i].name);
    for (std::uint32_t key = all[i].first; key <= all[i].last; key += all[i].step)
      BOOST_TEST(encapsulation(all[i].carrier, key) == &all[i], all[i].name << " key " << key);
  }
  BOOST_TEST(link_type_supported(10));     // FDDI
  BOOST_TEST(link_type_supported(239));    // NFLOG
  BOOST_TEST(!link_type_supported(129));   // ARCNET
  BOOST_TEST(encapsulation(Carrier::gre_protocol, 0x8250) != nullptr);  // Aruba, in steps of 0x10
  BOOST_TEST(encapsulation(Carrier::gre_protocol, 0x8251) == nullptr);
}

// NFLOG's TLVs in either byte order: the first TLV's length says which.
BOOST_AUTO_TEST_CASE(nflog_reads_tlvs_in_either_byte_order) {
  const auto ip = syn_ip();
  const auto pad = Bytes((4 - ip.size() % 4) % 4, 0);
  const std::uint16_t len = static_cast<std::uint16_t>(ip.size() + 4);
  const Bytes header{2, 0, 0, 1};  // AF_INET, version 0, group 1
  const Bytes prefix_le{8, 0, 10, 0, 'l', 'o', 'g', 0}, prefix_be{0, 8, 0, 10, 'l', 'o', 'g', 0};
  const Bytes little = cat({header, prefix_le, {static_cast<std::uint8_t>(len), static_cast<std::uint8_t>(len >> 8), 9, 0}, ip, pad});
  const Bytes big = cat({header, prefix_be, {static_cast<std::uint8_t>(len >> 8), static_cast<std::uint8_t>(len), 0, 9}, ip, pad});
  for (const auto& frame : {little, big}) {
    const auto seg = decoded(239, frame);
    BOOST_REQUIRE(seg);
    BOOST_TEST(seg->flags == kSyn);
    BOOST_TEST(seg->checksum_ok);
  }
}

// GTP-U: the optional fields and a chain of two extension headers, then IP;
// a message other than a G-PDU carries no user packet.
BOOST_AUTO_TEST_CASE(gtp_u_walks_its_extension_headers) {
  const auto ip = syn_ip();
  const Bytes ext{1, 0, 0, 0x85, 1, 0, 0, 0};  // a PDU session container, its next type another, then none
  const std::uint16_t length = static_cast<std::uint16_t>(4 + ext.size() + ip.size());
  const Bytes gtp{0x34, 0xff, static_cast<std::uint8_t>(length >> 8), static_cast<std::uint8_t>(length), 0, 0, 0, 1,
                  0, 0, 0, 0x85};
  const std::uint16_t udp_len = static_cast<std::uint16_t>(8 + gtp.size() + ext.size() + ip.size());
  const Bytes udp{0x08, 0x68, 0x08, 0x68, static_cast<std::uint8_t>(udp_len >> 8), static_cast<std::uint8_t>(udp_len), 0, 0};
  auto outer = Bytes{0x45, 0, 0, 0, 0, 0, 0, 0, 64, 17, 0, 0, 192, 0, 2, 1, 192, 0, 2, 2};
  const std::uint16_t total = static_cast<std::uint16_t>(20 + udp_len);
  outer[2] = static_cast<std::uint8_t>(total >> 8);
  outer[3] = static_cast<std::uint8_t>(total);
  const auto seg = decoded(101, cat({outer, udp, gtp, ext, ip}));
  BOOST_REQUIRE(seg);
  BOOST_TEST(seg->flags == kSyn);
  auto echo = cat({outer, udp, gtp, ext, ip});
  echo[20 + 8 + 1] = 0x01;  // an echo request
  BOOST_TEST(!decoded(101, echo));
}

// An 802.3 length bounds the LLC frame, and only SNAP's EtherType OUIs lead to IP.
BOOST_AUTO_TEST_CASE(llc_snap_needs_an_ethertype_oui) {
  const auto f = syn_frame();
  const auto ip = syn_ip();
  const std::uint16_t len = static_cast<std::uint16_t>(8 + ip.size());
  const Bytes addresses(f.begin(), f.begin() + 12);
  const Bytes snap{static_cast<std::uint8_t>(len >> 8), static_cast<std::uint8_t>(len), 0xaa, 0xaa, 0x03, 0, 0, 0, 0x08, 0};
  BOOST_TEST(decoded(1, cat({addresses, snap, ip, Bytes(6, 0)})).has_value());  // padding past the length
  auto cisco = snap;
  cisco[7] = 0x0c;  // Cisco's OUI: its own protocol IDs
  BOOST_TEST(!decoded(1, cat({addresses, cisco, ip})).has_value());
}

// An encrypted 802.11 frame inside Aruba's GRE is named, never read.
BOOST_AUTO_TEST_CASE(an_encrypted_wlan_frame_is_named) {
  const Bytes wlan{0x88, 0x41, 0, 0, 1, 2, 3, 4, 5, 6, 1, 2, 3, 4, 5, 7, 1, 2, 3, 4, 5, 8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0};
  const Bytes gre{0, 0, 0x82, 0};
  const auto d = layers::gre(cat({gre, wlan}), {});
  BOOST_TEST(!d.segment);
  BOOST_TEST(d.skipped == "802.11 frame encrypted");
}

// A frame of nothing but stacked VLAN tags (a quarter of a million of them) is named, not recursed through.
BOOST_AUTO_TEST_CASE(stacked_tags_are_bounded) {
  Bytes frame(12, 0);
  for (int i = 0; i < 250'000; ++i) frame.insert(frame.end(), {0x81, 0x00, 0x00, 0x01});
  Frame f;
  f.bytes = frame;
  f.original_length = static_cast<std::uint32_t>(frame.size());
  const auto d = decode(f);
  BOOST_TEST(!d.segment);
  BOOST_TEST(d.skipped == "link-layer headers stacked deeper than 32");
}

BOOST_AUTO_TEST_SUITE_END()
