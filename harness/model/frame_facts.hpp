// What the wire did to each frame, however it is known: from the live wire
// (a WireFrame) or read back from a saved capture's comments. One function
// puts it on a flow's packets, for live runs and offline checks alike, so
// the judge sees the same facts either way.
#pragma once

#include "flow.hpp"
#include "wire_frame.hpp"

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace closepath {

struct FrameFacts {
  std::string note;          // the capture comment: step, fault, states
  std::int64_t mono_ns = 0;  // the clock peer times use; 0: keep the capture's own time
  bool delivered = true;     // reached its receiver
  bool injected = false;     // made by the wire
  std::uint8_t effects = 0;  // what the wire did: pcap::WireEffect bits
};

// A live frame's facts. Its time is the capture's (the kernel's timestamp as
// it reached the wire, written to the pcapng) on the monotonic clock, moved
// by the run's `realtime_offset_ns` (REALTIME - MONOTONIC): the same number
// `closepath check` reads from the file, so both measure the same gaps.
FrameFacts facts_of(const WireFrame& f, std::int64_t realtime_offset_ns);
// Read back from the words of frame_notes.hpp: only for captures whose run
// facts predate version 4, which did not record delivery.
FrameFacts facts_from_comment(const std::string& comment);

// How many frames each wire step's fault touched (by step index): those it
// dropped, held, delayed, passed to netem, and those it injected that left.
std::map<std::size_t, std::size_t> touched_per_step(const std::vector<WireFrame>& frames);

// Each frame's effects, by its capture frame number (1-based, Wireshark's
// No.), for the frames the wire touched: what run facts record.
std::map<std::size_t, std::uint8_t> effects_by_frame(const std::vector<WireFrame>& frames);
// The frames that never reached their receiver (dropped, still held or
// delayed at the end, an injection that failed), by frame number (1-based).
std::vector<std::size_t> undelivered_frames(const std::vector<WireFrame>& frames);

// `per_frame` is indexed like the frames the flow was tracked from.
void annotate(pcap::Flow& flow, const std::vector<FrameFacts>& per_frame);
// From each packet's own capture comment (the flow's notes when tracked from
// a file): captures before run facts version 4.
void annotate_from_comments(pcap::Flow& flow);

}  // namespace closepath
