#include "byte_stream.hpp"

#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstring>
#include <stdexcept>

namespace closepath::pcap {

ByteStream::ByteStream(const std::filesystem::path& path, int fd) : path_(path) {
  if (fd >= 0) {
    const int own = lseek(fd, 0, SEEK_SET) == 0 ? dup(fd) : -1;
    gz_ = own < 0 ? nullptr : gzdopen(own, "rb");
    if (own >= 0 && !gz_) close(own);
  } else {
    struct stat st {};
    if (stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode)) throw std::runtime_error(path.string() + ": is a directory");
    gz_ = gzopen(path.c_str(), "rb");  // a file that is not gzip is read as it is
  }
  if (!gz_) throw std::runtime_error(path.string() + ": cannot open (" + std::strerror(errno) + ")");
  gzbuffer(gz_, 256 * 1024);
}

ByteStream::~ByteStream() { gzclose(gz_); }

std::size_t ByteStream::read(void* to, std::size_t n) {
  auto* out = static_cast<std::uint8_t*>(to);
  std::size_t got = std::min(n, pending_.size());
  std::copy_n(pending_.begin(), got, out);
  pending_.erase(pending_.begin(), pending_.begin() + static_cast<long>(got));
  while (got < n && problem_.empty()) {
    const auto want = static_cast<unsigned>(std::min<std::size_t>(n - got, INT_MAX));
    const int r = gzread(gz_, out + got, want);
    if (r > 0) got += static_cast<std::size_t>(r);
    if (r == static_cast<int>(want)) continue;
    int err = Z_OK;
    const char* msg = gzerror(gz_, &err);
    if (err == Z_BUF_ERROR) {
      problem_ = path_.string() + ": the gzip stream ends early: cut short while being written?";
    } else if (err == Z_ERRNO) {
      problem_ = path_.string() + ": read error (" + std::strerror(errno) + ")";
      corrupt_ = true;
    } else if (err != Z_OK) {
      problem_ = path_.string() + ": gzip data is corrupt (" + (msg ? msg : "zlib error") + ")";
      corrupt_ = true;
    }
    break;  // the end of the data
  }
  return got;
}

std::size_t ByteStream::append(std::vector<std::uint8_t>& to, std::size_t n) {
  constexpr std::size_t kStep = 1 << 20;
  std::size_t got = 0;
  while (got < n) {
    const auto step = std::min(kStep, n - got);
    const auto at = to.size();
    to.resize(at + step);
    const auto r = read(to.data() + at, step);
    to.resize(at + r);
    got += r;
    if (r < step) break;
  }
  return got;
}

void ByteStream::unread(const void* bytes, std::size_t n) {
  const auto* b = static_cast<const std::uint8_t*>(bytes);
  pending_.insert(pending_.begin(), b, b + n);
}

FILE* ByteStream::as_file() {
  cookie_io_functions_t io{};
  io.read = [](void* self, char* buf, std::size_t size) -> ssize_t {
    return static_cast<ssize_t>(static_cast<ByteStream*>(self)->read(buf, size));
  };
  io.close = [](void*) { return 0; };
  return fopencookie(this, "r", io);
}

}  // namespace closepath::pcap
