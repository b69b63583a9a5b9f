#include "capture_reader.hpp"

#include "pcapng_reader.hpp"

#include <pcap/pcap.h>
#include <zlib.h>

#include <array>
#include <cstdio>
#include <fstream>
#include <iterator>

#include <memory>
#include <stdexcept>

namespace closepath::pcap {

namespace {

using Bytes = std::vector<std::uint8_t>;

Bytes read_all(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error(path.string() + ": cannot open");
  return Bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

bool gzipped(const Bytes& b) { return b.size() >= 2 && b[0] == 0x1f && b[1] == 0x8b; }

// A gzip file, inflated whole (several members, as gzip writes when appended
// to). A stream that stops early gives what it inflated, and says so in *cut.
Bytes gunzip(const Bytes& in, const std::filesystem::path& path, std::string* cut) {
  z_stream z{};
  if (inflateInit2(&z, 15 + 32) != Z_OK) throw std::runtime_error(path.string() + ": zlib cannot start");
  Bytes out;
  z.next_in = const_cast<Bytef*>(in.data());
  z.avail_in = static_cast<uInt>(in.size());
  std::array<std::uint8_t, 65536> chunk{};
  int rc = Z_OK;
  while (rc != Z_STREAM_END || z.avail_in > 0) {
    if (rc == Z_STREAM_END) inflateReset(&z);  // the next member
    z.next_out = chunk.data();
    z.avail_out = chunk.size();
    rc = inflate(&z, Z_NO_FLUSH);
    out.insert(out.end(), chunk.data(), chunk.data() + (chunk.size() - z.avail_out));
    if (rc == Z_BUF_ERROR && z.avail_in == 0) {  // cut short: keep what inflated
      *cut = path.string() + ": the gzip stream ends early: cut short while being written?";
      break;
    }
    if (rc != Z_OK && rc != Z_STREAM_END && rc != Z_BUF_ERROR) {
      inflateEnd(&z);
      throw std::runtime_error(path.string() + ": gzip data is corrupt (" + (z.msg ? z.msg : "zlib error") + ")");
    }
  }
  inflateEnd(&z);
  return out;
}

bool is_pcapng_data(const Bytes& b) { return b.size() >= 4 && b[0] == 0x0a && b[1] == 0x0d && b[2] == 0x0d && b[3] == 0x0a; }

// Classic pcap from memory, through libpcap.
CaptureFile read_pcap(const Bytes& data, const std::filesystem::path& path, bool keep_what_was_read) {
  std::unique_ptr<FILE, decltype(&fclose)> file(fmemopen(const_cast<std::uint8_t*>(data.data()), data.size(), "rb"),
                                                &fclose);
  if (!file || data.empty()) throw std::runtime_error(path.string() + ": empty file");
  char err[PCAP_ERRBUF_SIZE] = {};
  std::unique_ptr<pcap_t, decltype(&pcap_close)> handle(
      pcap_fopen_offline_with_tstamp_precision(file.get(), PCAP_TSTAMP_PRECISION_NANO, err), &pcap_close);
  if (!handle) throw std::runtime_error(path.string() + ": " + err);
  file.release();  // pcap_close closes it
  const int link_type = pcap_datalink(handle.get());  // a DLT_: the decoder knows both numberings
  CaptureFile out;
  pcap_pkthdr* header = nullptr;
  const u_char* bytes = nullptr;
  int rc = 0;
  while ((rc = pcap_next_ex(handle.get(), &header, &bytes)) == 1) {
    Frame f;
    f.ts_ns = std::int64_t{header->ts.tv_sec} * 1'000'000'000 + header->ts.tv_usec;  // 32-bit seconds in the file: no overflow
    f.bytes.assign(bytes, bytes + header->caplen);
    f.link_type = static_cast<std::uint16_t>(link_type < 0 || link_type > 0xffff ? 0xffff : link_type);
    f.original_length = header->len;
    out.frames.push_back(std::move(f));
  }
  if (rc == PCAP_ERROR) {
    const std::string why = path.string() + ": " + pcap_geterr(handle.get());
    if (!keep_what_was_read) throw std::runtime_error(why);
    out.cut_short = why;
  }
  return out;
}

}  // namespace

CaptureFile read_capture_file(const std::filesystem::path& path, bool keep_what_was_read) {
  auto data = read_all(path);
  std::string gzip_cut;
  if (gzipped(data)) data = gunzip(data, path, &gzip_cut);
  if (!gzip_cut.empty() && !keep_what_was_read) throw std::runtime_error(gzip_cut);
  CaptureFile out;
  if (!is_pcapng_data(data)) {
    out = read_pcap(data, path, keep_what_was_read);
  } else {
    auto file = parse_pcapng(data, path, keep_what_was_read);  // our reader keeps comments and interface ids
    out = {std::move(file.frames), std::move(file.section_comments), std::move(file.cut_short)};
  }
  if (out.cut_short.empty()) out.cut_short = gzip_cut;
  return out;
}

std::vector<Frame> read_capture(const std::filesystem::path& path, std::string* cut_short) {
  auto file = read_capture_file(path, cut_short != nullptr);
  if (cut_short) *cut_short = file.cut_short;
  return std::move(file.frames);
}

}  // namespace closepath::pcap
