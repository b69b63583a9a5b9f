#include "capture_reader.hpp"

#include "decoder.hpp"
#include "pcapng_reader.hpp"

#include <pcap/pcap.h>

#include <memory>
#include <stdexcept>

namespace closepath::pcap {

std::vector<Frame> read_capture(const std::filesystem::path& path) {
  if (is_pcapng(path)) return read_pcapng(path).frames;  // keeps comments and interface ids
  char err[PCAP_ERRBUF_SIZE] = {};
  std::unique_ptr<pcap_t, decltype(&pcap_close)> handle(
      pcap_open_offline_with_tstamp_precision(path.c_str(), PCAP_TSTAMP_PRECISION_NANO, err), &pcap_close);
  if (!handle) throw std::runtime_error(path.string() + ": " + err);
  const int link_type = pcap_datalink(handle.get());
  if (link_type < 0 || link_type > 0xffff || !link_type_supported(static_cast<std::uint16_t>(link_type)))
    throw std::runtime_error(path.string() + ": link type " + std::to_string(link_type) + " (" +
                             (pcap_datalink_val_to_name(link_type) ? pcap_datalink_val_to_name(link_type) : "unknown") +
                             ") is not one closepath decodes (Ethernet, NULL/loopback, raw IP, Linux cooked)");
  std::vector<Frame> frames;
  pcap_pkthdr* header = nullptr;
  const u_char* data = nullptr;
  int rc = 0;
  while ((rc = pcap_next_ex(handle.get(), &header, &data)) == 1) {
    Frame f;
    f.ts_ns = std::int64_t{header->ts.tv_sec} * 1'000'000'000 + header->ts.tv_usec;  // 32-bit seconds in the file: no overflow
    f.bytes.assign(data, data + header->caplen);
    f.link_type = static_cast<std::uint16_t>(link_type);
    f.original_length = header->len;
    frames.push_back(std::move(f));
  }
  if (rc == PCAP_ERROR) throw std::runtime_error(path.string() + ": " + pcap_geterr(handle.get()));
  return frames;
}

}  // namespace closepath::pcap
