#include "pcapng_reader.hpp"
#include "pcapng_writer.hpp"
#include "test_data.hpp"

#include <boost/test/unit_test.hpp>

#include <unistd.h>

using namespace closepath::pcap;

BOOST_AUTO_TEST_SUITE(pcapng_writer)

// What the writer writes, libpcap reads back: same frames, same bytes, same times.
BOOST_AUTO_TEST_CASE(pcapng_round_trips_through_libpcap) {
  const auto frames = read_capture(test::data("half_close.pcapng"));
  std::vector<CapturedPacket> packets;
  for (const auto& f : frames) {
    CapturedPacket p{f, Direction::inbound};
    p.frame.comment = "a comment of odd length";
    packets.push_back(p);
  }
  const auto path = std::filesystem::temp_directory_path() / ("closepath-writer-" + std::to_string(getpid()) + ".pcapng");
  write_pcapng(path, {"closepath-test", {"section", "second comment"}}, {{"wc", "client leg"}, {"ws", "server leg"}}, packets);
  const auto back = read_capture(path);
  const auto file = read_pcapng(path);
  std::filesystem::remove(path);
  BOOST_TEST((file.section_comments == std::vector<std::string>{"section", "second comment"}));
  BOOST_REQUIRE_EQUAL(file.interfaces.size(), 2u);
  BOOST_TEST(file.interfaces[1].name == "ws");
  BOOST_TEST(back.front().comment == "a comment of odd length");
  BOOST_REQUIRE_EQUAL(back.size(), frames.size());
  for (std::size_t i = 0; i < frames.size(); ++i) {
    BOOST_TEST(back[i].bytes == frames[i].bytes);
    BOOST_TEST(back[i].ts_ns == frames[i].ts_ns);
  }
}

// An unwritable path is an error naming the path.
BOOST_AUTO_TEST_CASE(pcapng_writer_names_the_path_on_failure) {
  try {
    write_pcapng("/nonexistent-dir/x.pcapng", {}, {}, {});
    BOOST_FAIL("no error");
  } catch (const std::runtime_error& e) {
    BOOST_TEST(std::string(e.what()).find("/nonexistent-dir/x.pcapng") != std::string::npos);
  }
}

BOOST_AUTO_TEST_SUITE_END()
