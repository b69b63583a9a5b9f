#include "frame_facts.hpp"

#include "frame_notes.hpp"

#include <algorithm>

namespace closepath {

namespace {

std::uint8_t effects_of(const WireFrame& f) {
  std::uint8_t bits = 0;
  for (const auto& m : f.marks) bits |= pcap::effect_bit(m.effect);
  return bits;
}

// Reached its receiver's TCP: went on, whole (a corrupted frame's checksum has its receiver drop it).
bool delivered(const WireFrame& f) { return f.forwarded && !pcap::has(effects_of(f), pcap::WireEffect::corrupted); }

}  // namespace

FrameFacts facts_of(const WireFrame& f, std::int64_t realtime_offset_ns) {
  return {.note = f.note, .mono_ns = f.frame.ts_ns - realtime_offset_ns, .delivered = delivered(f),
          .injected = f.injected, .effects = effects_of(f)};
}

std::map<std::size_t, std::uint8_t> effects_by_frame(const std::vector<WireFrame>& frames) {
  std::map<std::size_t, std::uint8_t> out;
  for (std::size_t i = 0; i < frames.size(); ++i)
    if (const auto bits = effects_of(frames[i])) out[i + 1] = bits;
  return out;
}

std::vector<std::size_t> undelivered_frames(const std::vector<WireFrame>& frames) {
  std::vector<std::size_t> out;
  for (std::size_t i = 0; i < frames.size(); ++i)
    if (!delivered(frames[i])) out.push_back(i + 1);
  return out;
}

FrameFacts facts_from_comment(const std::string& comment) {
  return {.note = note::wire_part(comment), .delivered = note::delivered(comment), .injected = note::injected(comment)};
}

std::map<std::size_t, std::size_t> touched_per_step(const std::vector<WireFrame>& frames) {
  std::map<std::size_t, std::size_t> touched;
  for (const auto& f : frames) {
    std::vector<std::size_t> steps;  // a frame counts once for each step that touched it
    for (const auto& m : f.marks)
      if ((m.effect != FaultMark::Effect::injected || f.forwarded) && std::find(steps.begin(), steps.end(), m.step) == steps.end())
        steps.push_back(m.step);
    for (auto step : steps) ++touched[step];
  }
  return touched;
}

void annotate(pcap::Flow& flow, const std::vector<FrameFacts>& per_frame) {
  for (auto& p : flow.packets) {
    if (p.frame >= per_frame.size()) continue;
    const auto& f = per_frame[p.frame];
    p.note = f.note;
    if (f.mono_ns) p.mono_ns = f.mono_ns;
    p.delivered = f.delivered;
    p.injected = f.injected;
    p.effects = f.effects;
  }
}

void annotate_from_comments(pcap::Flow& flow) {
  for (auto& p : flow.packets) {
    auto f = facts_from_comment(p.note);
    p.note = std::move(f.note);
    p.delivered = f.delivered;
    p.injected = f.injected;
  }
}

}  // namespace closepath
