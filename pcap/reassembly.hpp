// IP fragment reassembly for saved captures: fragments of a datagram that
// carries TCP are collected by datagram; the frame that completes one gets
// the rebuilt datagram (Wireshark shows the reassembled packet on that frame
// too). Datagrams never completed are counted, not guessed at.
#pragma once

#include "decoder.hpp"

#include <map>
#include <optional>
#include <vector>

namespace closepath::pcap {

class Reassembler {
 public:
  // The whole datagram (an IP header, then the payload) once `f` completes
  // it; nullopt while pieces are missing.
  std::optional<std::vector<std::uint8_t>> add(Fragment f);
  // Fragments of datagrams still incomplete.
  std::size_t pending_fragments() const;

 private:
  struct Datagram {
    std::vector<std::uint8_t> header;             // from the fragment at offset 0
    std::map<std::size_t, std::vector<std::uint8_t>> pieces;  // by offset
    std::optional<std::size_t> end;               // known once the last fragment (no "more") arrived
    std::size_t fragments = 0;
  };
  std::map<std::string, Datagram> open_;
};

}  // namespace closepath::pcap
