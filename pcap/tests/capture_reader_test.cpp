// The streaming readers: gzip in every shape a file can have it, stopping
// early, and files cut short or lying about their lengths.
#include "capture_reader.hpp"
#include "flow.hpp"
#include "test_data.hpp"

#include <boost/test/unit_test.hpp>

#include <unistd.h>
#include <zlib.h>

#include <cstring>
#include <fstream>
#include <iterator>

using namespace closepath::pcap;

namespace {

using Bytes = std::vector<std::uint8_t>;

Bytes file_bytes(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  return Bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

Bytes gzip(const Bytes& data) {
  z_stream z{};
  BOOST_REQUIRE(deflateInit2(&z, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) == Z_OK);
  Bytes out(deflateBound(&z, data.size()) + 64);
  z.next_in = const_cast<Bytef*>(data.data());
  z.avail_in = static_cast<uInt>(data.size());
  z.next_out = out.data();
  z.avail_out = static_cast<uInt>(out.size());
  BOOST_REQUIRE(deflate(&z, Z_FINISH) == Z_STREAM_END);
  out.resize(z.total_out);
  deflateEnd(&z);
  return out;
}

// A file in the temporary directory, removed at the end of the test.
struct TempFile {
  explicit TempFile(const Bytes& b)
      : path(std::filesystem::temp_directory_path() / ("closepath-reader-" + std::to_string(getpid()) + "-" +
                                                        std::to_string(counter++))) {
    std::ofstream(path, std::ios::binary).write(reinterpret_cast<const char*>(b.data()), static_cast<long>(b.size()));
  }
  ~TempFile() { std::filesystem::remove(path); }
  std::filesystem::path path;
  static inline int counter = 0;
};

std::string error_of(const std::filesystem::path& p, bool keep) {
  try {
    read_capture_file(p, keep);
  } catch (const std::runtime_error& e) {
    return e.what();
  }
  return "";
}

}  // namespace

BOOST_AUTO_TEST_SUITE(capture_reader)

// gzip as `gzip` writes it, and two members as appending to a .gz does: the same frames.
BOOST_AUTO_TEST_CASE(gzip_of_one_or_two_members_reads_as_the_file) {
  const auto plain = file_bytes(closepath::pcap::test::data("graceful_fin.pcapng"));
  const auto frames = read_capture(closepath::pcap::test::data("graceful_fin.pcapng"));
  TempFile one(gzip(plain));
  BOOST_TEST(read_capture(one.path).size() == frames.size());
  const std::size_t half = 1024;  // inside some block: the members split the bytes, not the blocks
  auto two = gzip(Bytes(plain.begin(), plain.begin() + half));
  const auto rest = gzip(Bytes(plain.begin() + half, plain.end()));
  two.insert(two.end(), rest.begin(), rest.end());
  TempFile joined(two);
  const auto back = read_capture(joined.path);
  BOOST_REQUIRE_EQUAL(back.size(), frames.size());
  BOOST_TEST(back.back().bytes == frames.back().bytes);
}

// A gzip stream that ends early gives the frames it held and says why;
// corrupt gzip data is refused naming the file.
BOOST_AUTO_TEST_CASE(gzip_cut_short_or_corrupt) {
  const auto compressed = gzip(file_bytes(closepath::pcap::test::data("graceful_fin.pcapng")));
  TempFile cut(Bytes(compressed.begin(), compressed.begin() + static_cast<long>(compressed.size() * 2 / 3)));
  std::string why;
  const auto some = read_capture(cut.path, &why);
  BOOST_TEST(!some.empty());
  BOOST_TEST(some.size() < read_capture(closepath::pcap::test::data("graceful_fin.pcapng")).size());
  BOOST_TEST(why.find(cut.path.string()) == 0);
  BOOST_TEST(why.find("cut short") != std::string::npos);
  BOOST_TEST(error_of(cut.path, false).find("cut short") != std::string::npos);  // unless asked, refused

  auto bad = compressed;
  for (std::size_t i = 20; i < 60; ++i) bad[i] ^= 0x5a;
  TempFile corrupt(bad);
  const auto e = error_of(corrupt.path, true);
  BOOST_TEST(e.find(corrupt.path.string() + ": gzip data is corrupt") == 0, e);
}

// A block that claims 4 GiB in a small file is a cut, not an allocation of 4 GiB.
BOOST_AUTO_TEST_CASE(a_block_length_past_the_end_is_a_cut_short_file) {
  auto b = file_bytes(closepath::pcap::test::data("graceful_fin.pcapng"));
  // the last block's length fields (leading at its start, trailing at the end of the file)
  const auto trailing = b.size() - 4;
  std::uint32_t last_len = 0;
  std::memcpy(&last_len, &b[trailing], 4);
  const std::uint32_t huge = 0xfffffff0u;
  std::memcpy(&b[b.size() - last_len + 4], &huge, 4);
  TempFile f(b);
  std::string why;
  const auto frames = read_capture(f.path, &why);
  BOOST_TEST(frames.size() + 1 == read_capture(closepath::pcap::test::data("graceful_fin.pcapng")).size());
  BOOST_TEST(why.find("runs past the end of the file") != std::string::npos, why);
}

// Reading stops when asked: the rest of the file is not read.
BOOST_AUTO_TEST_CASE(read_frames_stops_when_asked) {
  std::size_t seen = 0;
  const auto summary = read_frames(closepath::pcap::test::data("graceful_fin.pcapng"), false,
                                   [&](std::size_t i, const Frame&) { return ++seen, i < 2; });
  BOOST_TEST(seen == 3u);
  BOOST_TEST(summary.frames == 3u);
  BOOST_TEST(!summary.section_comments.empty());  // the first section's, read before its frames
}

// A flow tracked from a source read again for each pass equals one tracked
// from memory; a capture that opens with the connection's SYN is read once.
BOOST_AUTO_TEST_CASE(a_flow_from_a_file_source_equals_one_from_memory) {
  const auto path = closepath::pcap::test::data("graceful_fin.pcapng");
  int readings = 0;
  const FrameSource file = [&](const FrameVisitor& each) {
    ++readings;
    read_frames(path, false, each);
  };
  const auto streamed = track_flow(file, std::string("10.0.0.1"));
  const auto frames = read_capture(path);
  const auto in_memory = track_flow(frames, std::string("10.0.0.1"));
  BOOST_TEST(readings == 1);
  BOOST_REQUIRE_EQUAL(streamed.packets.size(), in_memory.packets.size());
  for (std::size_t i = 0; i < streamed.packets.size(); ++i) {
    BOOST_TEST(describe(streamed.packets[i]) == describe(in_memory.packets[i]));
    BOOST_TEST(streamed.packets[i].frame == in_memory.packets[i].frame);
    BOOST_TEST(streamed.packets[i].note == in_memory.packets[i].note);
  }
}

// Begun mid-connection (its SYN not captured), the capture cannot say in
// one reading which connection is picked: the first reading picks it, the
// second builds it, each packet as from the whole capture.
BOOST_AUTO_TEST_CASE(a_capture_begun_mid_connection_is_read_twice) {
  auto frames = read_capture(closepath::pcap::test::data("graceful_fin.pcapng"));
  const auto whole = track_flow(frames, std::string("10.0.0.1"));
  frames.erase(frames.begin());  // the client's SYN
  int readings = 0;
  const FrameSource source = [&](const FrameVisitor& each) {
    ++readings;
    for (std::size_t i = 0; i < frames.size(); ++i)
      if (!each(i, frames[i])) return;
  };
  const auto flow = track_flow(source, std::string("10.0.0.1"));
  BOOST_TEST(readings == 3);  // the one that gave up at the first segment, then two
  BOOST_REQUIRE_EQUAL(flow.packets.size() + 1, whole.packets.size());
  for (std::size_t i = 0; i < flow.packets.size(); ++i) BOOST_TEST(flow.packets[i].flags == whole.packets[i + 1].flags);
}

BOOST_AUTO_TEST_SUITE_END()
