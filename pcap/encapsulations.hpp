// Every encapsulation the decoder reads, one entry each: where it is found
// (a link type, an EtherType, an IP protocol, a GRE protocol type, a UDP
// port), its name, and the reader that takes it from its first header on.
// The layers dispatch through this table and nothing else, so adding one is
// an entry here and its reader (link_decoders.cpp, tunnel_decoders.cpp);
// `closepath help encapsulations` and docs/outputs.md list it.
#pragma once

#include "decode_layers.hpp"

#include <cstdint>
#include <span>
#include <string>

namespace closepath::pcap {

enum class Carrier { link_type, ether_type, ip_protocol, gre_protocol, udp_port };

struct Encapsulation {
  Carrier carrier;
  std::uint32_t first;     // the key (a link type, an EtherType...)
  std::uint32_t last;      // keys first..last, in steps of `step`, name the same thing
  std::uint32_t step;
  const char* name;
  const char* doc;         // what is read, and what is left alone
  layers::Reader read;
};

std::span<const Encapsulation> encapsulations();
// The entry a key names where it is found, or nullptr.
const Encapsulation* encapsulation(Carrier carrier, std::uint32_t key);
const char* carrier_name(Carrier carrier);  // "link type", "EtherType"...
// The registry as docs/outputs.md holds it.
std::string encapsulations_markdown();

namespace layers {
// What the key names there, read; nothing (not TCP) where it names nothing.
Decoded carried(Carrier carrier, std::uint32_t key, std::span<const std::uint8_t> bytes, Context c);
}  // namespace layers

}  // namespace closepath::pcap
