#include "capture_reader.hpp"

#include "byte_stream.hpp"
#include "pcapng_reader.hpp"

#include <pcap/pcap.h>

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <memory>
#include <stdexcept>

namespace closepath::pcap {

namespace {

using Each = std::function<bool(std::size_t, const Frame&)>;

// Classic pcap through libpcap, reading the stream as a FILE*.
void read_pcap(ByteStream& in, const std::filesystem::path& path, bool keep_what_was_read, const Each& each,
               CaptureSummary& out) {
  FILE* file = in.as_file();
  if (!file) throw std::runtime_error(path.string() + ": cannot read");
  char err[PCAP_ERRBUF_SIZE] = {};
  std::unique_ptr<pcap_t, decltype(&pcap_close)> handle(
      pcap_fopen_offline_with_tstamp_precision(file, PCAP_TSTAMP_PRECISION_NANO, err), &pcap_close);
  if (!handle) {
    fclose(file);
    throw std::runtime_error(path.string() + ": " + err);
  }
  const int link_type = pcap_datalink(handle.get());  // a DLT_: the decoder knows both numberings
  Frame f;
  f.link_type = static_cast<std::uint16_t>(link_type < 0 || link_type > 0xffff ? 0xffff : link_type);
  pcap_pkthdr* header = nullptr;
  const u_char* bytes = nullptr;
  int rc = 0;
  while ((rc = pcap_next_ex(handle.get(), &header, &bytes)) == 1) {
    f.ts_ns = std::int64_t{header->ts.tv_sec} * 1'000'000'000 + header->ts.tv_usec;  // 32-bit seconds in the file: no overflow
    f.bytes.assign(bytes, bytes + header->caplen);
    f.original_length = header->len;
    if (!each(out.frames++, f)) return;
  }
  if (rc == PCAP_ERROR) {
    const std::string why = path.string() + ": " + pcap_geterr(handle.get());
    if (!keep_what_was_read) throw std::runtime_error(why);
    out.cut_short = why;
  }
}

void read_pcapng_frames(ByteStream& in, const std::filesystem::path& path, bool keep_what_was_read, const Each& each,
                        CaptureSummary& out) {
  PcapngReader reader(in, path, keep_what_was_read);  // our reader keeps comments and interface ids
  Frame f;
  bool more = true;
  while (more && reader.next(f)) more = each(out.frames++, f);
  out.section_comments = reader.section_comments();
  out.cut_short = reader.cut_short();
}

}  // namespace

CaptureSummary read_frames(const std::filesystem::path& path, bool keep_what_was_read, const Each& each, int fd) {
  ByteStream in(path, fd);
  std::uint8_t magic[4] = {};
  const auto got = in.read(magic, 4);
  if (got == 0 && in.problem().empty()) throw std::runtime_error(path.string() + ": empty file");
  in.unread(magic, got);
  CaptureSummary out;
  try {
    if (got == 4 && is_pcapng_magic(magic)) read_pcapng_frames(in, path, keep_what_was_read, each, out);
    else read_pcap(in, path, keep_what_was_read, each, out);
  } catch (const std::runtime_error&) {
    if (in.corrupt()) throw std::runtime_error(in.problem());  // the cause, not what it did to the reader
    throw;
  }
  // A damaged gzip stream: corrupt data is refused; one that ends early gives what it held.
  if (in.corrupt()) throw std::runtime_error(in.problem());
  if (!in.problem().empty()) {
    if (!keep_what_was_read) throw std::runtime_error(in.problem());
    if (out.cut_short.empty()) out.cut_short = in.problem();
  }
  return out;
}

int spool_if_not_seekable(const std::filesystem::path& path) {
  struct stat st {};
  if (stat(path.c_str(), &st) != 0 || S_ISREG(st.st_mode) || S_ISDIR(st.st_mode)) return -1;  // ByteStream says what is wrong
  const int from = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (from < 0) throw std::runtime_error(path.string() + ": cannot open (" + std::strerror(errno) + ")");
  const auto dir = std::filesystem::temp_directory_path();
  int to = open(dir.c_str(), O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
  if (to < 0) to = memfd_create("closepath-capture", MFD_CLOEXEC);  // no O_TMPFILE there: memory
  if (to < 0) {
    close(from);
    throw std::runtime_error(path.string() + ": cannot make a temporary copy (" + std::strerror(errno) + ")");
  }
  char buf[1 << 16];
  for (;;) {
    const auto n = read(from, buf, sizeof buf);
    if (n == 0) break;
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 || write(to, buf, static_cast<std::size_t>(n)) != n) {
      const int e = errno;
      close(from);
      close(to);
      throw std::runtime_error(path.string() + ": cannot copy it to " + dir.string() + " (" + std::strerror(e) + ")");
    }
  }
  close(from);
  return to;
}

CaptureFile read_capture_file(const std::filesystem::path& path, bool keep_what_was_read) {
  CaptureFile out;
  auto summary = read_frames(path, keep_what_was_read, [&](std::size_t, const Frame& f) {
    out.frames.push_back(f);
    return true;
  });
  out.section_comments = std::move(summary.section_comments);
  out.cut_short = std::move(summary.cut_short);
  return out;
}

std::vector<Frame> read_capture(const std::filesystem::path& path, std::string* cut_short) {
  auto file = read_capture_file(path, cut_short != nullptr);
  if (cut_short) *cut_short = file.cut_short;
  return std::move(file.frames);
}

}  // namespace closepath::pcap
