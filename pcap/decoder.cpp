// A captured frame decoded by its link type: encapsulations.cpp's registry
// says which reader takes it; link_decoders.cpp, ip_decoder.cpp and
// tunnel_decoders.cpp hold them.
#include "decoder.hpp"

#include "encapsulations.hpp"

namespace closepath::pcap {

std::string flag_letters(std::uint8_t flags) {
  std::string out;
  for (const auto& f : kFlagLetters)
    if (flags & f.bit) out += f.letter;
  return out.empty() ? "none" : out;
}

std::string to_string(const Endpoint& e) {
  if (e.addr.find(':') != std::string::npos) return "[" + e.addr + "]:" + std::to_string(e.port);
  return e.addr + ":" + std::to_string(e.port);
}

std::optional<Segment> decode_ethernet(std::span<const std::uint8_t> f) {
  auto seg = layers::ethernet(f, {}).segment;
  if (seg) seg->frame_len = static_cast<std::uint32_t>(f.size());
  return seg;
}

bool link_type_supported(std::uint16_t link_type) { return encapsulation(Carrier::link_type, link_type) != nullptr; }

Decoded decode(const Frame& frame) {
  const std::span<const std::uint8_t> f = frame.bytes;
  const auto* link = encapsulation(Carrier::link_type, frame.link_type);
  if (!link) return layers::skipped("link type " + std::to_string(frame.link_type) + " not decoded");
  Decoded d = link->read(f, {.cut = frame.original_length > f.size(), .depth = 0});
  if (d.segment) d.segment->frame_len = static_cast<std::uint32_t>(f.size());
  return d;
}

std::optional<Segment> decode_frame(const Frame& frame) { return decode(frame).segment; }

Decoded decode_datagram(std::span<const std::uint8_t> packet) { return layers::ip(packet, {}); }

}  // namespace closepath::pcap
