#include "reassembly.hpp"

#include <algorithm>

namespace closepath::pcap {

std::optional<std::vector<std::uint8_t>> Reassembler::add(Fragment f) {
  auto& d = open_[f.datagram];
  ++d.fragments;
  if (f.offset == 0) d.header = std::move(f.header);
  if (!f.more) d.end = f.offset + f.payload.size();
  d.pieces[f.offset] = std::move(f.payload);  // a repeated fragment: the last copy counts
  if (!d.end || d.header.empty()) return std::nullopt;
  // Complete when the pieces cover 0..end without a hole.
  std::size_t covered = 0;
  for (const auto& [offset, bytes] : d.pieces) {
    if (offset > covered) return std::nullopt;
    covered = std::max(covered, offset + bytes.size());
  }
  if (covered < *d.end) return std::nullopt;
  std::vector<std::uint8_t> packet = d.header;
  packet.resize(d.header.size() + *d.end);
  for (const auto& [offset, bytes] : d.pieces) {
    const auto n = std::min(bytes.size(), *d.end - std::min(offset, *d.end));
    std::copy_n(bytes.begin(), n, packet.begin() + static_cast<long>(d.header.size() + offset));
  }
  // The rebuilt header describes the whole datagram, unfragmented.
  const std::size_t payload = *d.end;
  if ((packet[0] >> 4) == 4) {
    const std::size_t total = packet.size();
    packet[2] = static_cast<std::uint8_t>(total >> 8);
    packet[3] = static_cast<std::uint8_t>(total);
    packet[6] = 0;
    packet[7] = 0;
  } else {
    packet[4] = static_cast<std::uint8_t>(payload >> 8);
    packet[5] = static_cast<std::uint8_t>(payload);
  }
  open_.erase(f.datagram);
  return packet;
}

std::size_t Reassembler::pending_fragments() const {
  std::size_t n = 0;
  for (const auto& [key, d] : open_) n += d.fragments;
  return n;
}

}  // namespace closepath::pcap
