// What the wire did to a frame, as a fact (not as the words of its capture
// comment): the one list of them. The live wire marks each frame it touches
// (harness/model/wire_frame.hpp), report.json and a capture's run facts
// record them, and the ladder draws them.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string_view>

namespace closepath::pcap {

// dropped: never went on (a drop, blackhole or impair's loss); corrupted: went
// on with a bit flipped (impair: the receiver's checksum drops it);
// reordered: sent at once, ahead of frames the impairment delays.
enum class WireEffect : std::uint8_t { dropped, held, delayed, injected, netem, released, corrupted, reordered };
inline constexpr std::array<std::string_view, 8> kWireEffectNames{"dropped",  "held",     "delayed",   "injected",
                                                                  "netem",    "released", "corrupted", "reordered"};

constexpr std::uint8_t effect_bit(WireEffect e) { return static_cast<std::uint8_t>(1u << static_cast<unsigned>(e)); }
constexpr std::string_view name(WireEffect e) { return kWireEffectNames[static_cast<std::size_t>(e)]; }
constexpr std::optional<WireEffect> wire_effect_named(std::string_view text) {
  for (std::size_t i = 0; i < kWireEffectNames.size(); ++i)
    if (kWireEffectNames[i] == text) return static_cast<WireEffect>(i);
  return std::nullopt;
}
constexpr bool has(std::uint8_t effects, WireEffect e) { return (effects & effect_bit(e)) != 0; }

}  // namespace closepath::pcap
