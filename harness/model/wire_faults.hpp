// The wire's faults (`- wire: FAULT`), one struct each; a scenario's wire
// steps hold one of them (scenario.hpp).
#pragma once

#include "impair_model.hpp"
#include "pattern.hpp"
#include "side.hpp"

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

namespace closepath {

// Wire faults, each taking effect at its step: one struct each, carrying
// its word, synopsis, doc line and example (the grammar, `help words` and
// the docs read them), and how its count reads: the frames it touched
// (`touched`) and how many it names (`named`, said as `wants`: fewer
// touched fails the run).
// Its grammar is `parse` (wire_step_parser.cpp), what it does is
// ScriptedFaults::apply's visit. Directions name the packets: c>s are the
// client's packets on their way to the server.
struct Blackhole {  // drop everything in dirs until heal
  static constexpr const char* word = "blackhole";
  static constexpr const char* synopsis = "blackhole c>s|s>c|both";
  static constexpr const char* doc = "drops every frame in those directions until heal";
  static constexpr const char* example = "blackhole both";
  static constexpr const char* touched = "dropped %n frame%s";
  static constexpr const char* wants = "";
  static std::size_t named(const Blackhole&) { return 0; }
  static Blackhole parse(const std::vector<std::string>& words);
  Dirs dirs = Dirs::both;
};
struct Heal {  // end blackholes, drops, holds, delays and impairments; release held frames
  static constexpr const char* word = "heal";
  static constexpr const char* synopsis = "heal";
  static constexpr const char* doc = "ends blackholes, drops, holds, delays and impairments, and releases held frames";
  static constexpr const char* example = "heal";
  static constexpr const char* touched = "";
  static constexpr const char* wants = "";
  static std::size_t named(const Heal&) { return 0; }
  static Heal parse(const std::vector<std::string>& words);
};
struct Drop {  // the next COUNT matching packets
  static constexpr const char* word = "drop";
  static constexpr const char* synopsis = "drop PATTERN [count N]";
  static constexpr const char* doc = "drops the next N packets matching PATTERN (default 1)";
  static constexpr const char* example = "drop s>c +F count 2";
  static constexpr const char* touched = "dropped %n packet%s";
  static constexpr const char* wants = "drop %n packet%s";
  static std::size_t named(const Drop& d) { return d.count; }
  static Drop parse(const std::vector<std::string>& words);
  pcap::PacketPattern match;
  std::size_t count = 1;
};
struct Duplicate {  // the next COUNT matching packets, each sent twice
  static constexpr const char* word = "duplicate";
  static constexpr const char* synopsis = "duplicate PATTERN [count N]";
  static constexpr const char* doc =
      "forwards the next N packets matching PATTERN (default 1), each followed by a copy the wire makes (marked "
      "injected); a packet a `delay` holds back is copied and its copy delayed as much, one a `hold` or `drop` takes "
      "is not";
  static constexpr const char* example = "duplicate s>c F.";
  static constexpr const char* touched = "duplicated %n packet%s";
  static constexpr const char* wants = "duplicate %n packet%s";
  static std::size_t named(const Duplicate& d) { return d.count; }
  static Duplicate parse(const std::vector<std::string>& words);
  pcap::PacketPattern match;
  std::size_t count = 1;
};
struct Hold {  // queue matching packets, then release them in order
  static constexpr const char* word = "hold";
  static constexpr const char* synopsis = "hold PATTERN [until PATTERN]";
  static constexpr const char* doc =
      "queues matching packets until a packet matching the second reaches the wire (or release, heal), then sends them in order";
  static constexpr const char* example = "hold c>s +F until s>c +F";
  static constexpr const char* touched = "held %n packet%s";
  static constexpr const char* wants = "hold at least %n packet%s";
  static std::size_t named(const Hold&) { return 1; }
  static Hold parse(const std::vector<std::string>& words);
  pcap::PacketPattern match;
  std::optional<pcap::PacketPattern> until;     // when a packet matching this reaches the wire; else at release
};
struct Release {  // every held packet, or the oldest N
  static constexpr const char* word = "release";
  static constexpr const char* synopsis = "release [N]";
  static constexpr const char* doc =
      "sends every held frame on, in order, and ends the holds; release N sends the N oldest held frames on (marked "
      "released) and the holds go on holding";
  static constexpr const char* example = "release 1";
  static constexpr const char* touched = "released %n packet%s";
  static constexpr const char* wants = "release %n packet%s";
  static std::size_t named(const Release& r) { return r.count.value_or(0); }
  static Release parse(const std::vector<std::string>& words);
  std::optional<std::size_t> count{};  // nullopt: all of them
};
struct Delay {  // 0 ends it
  static constexpr const char* word = "delay";
  static constexpr const char* synopsis = "delay c>s|s>c|both DURATION";
  static constexpr const char* doc = "forwards those frames DURATION late (0ms ends it there)";
  static constexpr const char* example = "delay c>s 50ms";
  static constexpr const char* touched = "delayed %n frame%s";
  static constexpr const char* wants = "";
  static std::size_t named(const Delay&) { return 0; }
  static Delay parse(const std::vector<std::string>& words);
  Dirs dirs = Dirs::both;
  std::chrono::milliseconds by{0};
};
// A segment of one's choosing, spoofed from DIR's sender: seq relative to
// that sender's SND.NXT and ack to its RCV.NXT, as the wire tracked them.
struct InjectedSegment {
  pcap::Dir dir = pcap::Dir::c2s;
  std::uint8_t flags = 0;
  std::int64_t seq = 0, ack = 0;  // offsets
  std::uint32_t len = 0;          // payload bytes (the send N filler)
  std::optional<std::uint16_t> win;  // default: the sender's last window on the wire
  // mss, wscale, sackOK as given; timestamps (TS): TSval the sender's last
  // on the wire + ts_offset, TSecr the other end's last TSval.
  pcap::TcpOptions options{};
  std::int64_t ts_offset = 0;
};
struct Inject {  // RSTs toward ends, or one segment of one's choosing
  static constexpr const char* word = "inject";
  static constexpr const char* synopsis =
      "inject rst toward client|server|both [exact|in-window] | inject c>s|s>c FLAGS [seq +N|-N] [ack +N|-N] [len N] [win N] "
      "[mss N] [wscale N] [sackOK] [TS] [tsval +N|-N]";
  static constexpr const char* doc =
      "sends a RST spoofed from the other end, seq = the receiver's RCV.NXT as the wire saw it (in-window: + 1000); or a "
      "segment spoofed from DIR's sender, seq relative to its SND.NXT and ack to its RCV.NXT (inject c>s F.: the FIN the "
      "client would send now), with the options named (TS: TSval the sender's last on the wire, moved by tsval +N|-N; "
      "TSecr the other end's last TSval)";
  static constexpr const char* example = "inject s>c . ack -1";
  static constexpr const char* touched = "injected %n segment%s";
  static constexpr const char* wants = "inject %n segment%s";
  static std::size_t named(const Inject& i) { return i.segment ? 1 : i.toward.size(); }
  static Inject parse(const std::vector<std::string>& words);
  std::vector<Side> toward{Side::client, Side::server};
  bool exact = true;
  std::optional<InjectedSegment> segment{};
};
struct Netem {  // statistical impairment via tc
  static constexpr const char* word = "netem";
  static constexpr const char* synopsis = "netem c>s|s>c|both ARGS...";
  static constexpr const char* doc =
      "a netem qdisc on the leg toward the receiver (tc's words: delay, loss, duplicate, reorder, corrupt, rate); "
      "skipped with the reason where the kernel lacks sch_netem";
  static constexpr const char* example = "netem c>s delay 50ms 10ms loss 1%";
  static constexpr const char* touched = "passed %n frame%s to netem";
  static constexpr const char* wants = "";
  static std::size_t named(const Netem&) { return 0; }
  static Netem parse(const std::vector<std::string>& words);
  Dirs dirs = Dirs::both;
  std::vector<std::string> args;
};
struct Impair {  // statistical impairment by the wire itself, seeded
  static constexpr const char* word = "impair";
  static constexpr const char* synopsis =
      "impair c>s|s>c|both [delay D [JITTER [CORR%]] [distribution uniform|normal|pareto|paretonormal]] "
      "[loss P% [CORR%] | loss gemodel P% [R% [1-H% [1-K%]]]] [duplicate P% [CORR%]] [reorder P% [CORR%] [gap N]] "
      "[corrupt P% [CORR%]] [rate RATE] [seed N] | impair c>s|s>c|both off";
  static constexpr const char* doc =
      "the wire impairs the frames it forwards in those directions as netem would (its words), on any kernel, with "
      "decisions drawn from a generator seeded by `seed N` or the run's seed (--seed replays them); each frame's comment "
      "says what was done and why; replaces the impairment in those directions, off (or heal) ends it";
  static constexpr const char* example = "impair c>s delay 20ms 5ms loss 10% seed 7";
  static constexpr const char* touched = "impaired %n frame%s";
  static constexpr const char* wants = "";
  static std::size_t named(const Impair&) { return 0; }
  static Impair parse(const std::vector<std::string>& words);
  Dirs dirs = Dirs::both;
  std::optional<ImpairModel> model{};  // nullopt: off
  std::optional<std::uint64_t> seed{};  // nullopt: the run's seed
};
using WireAction = std::variant<Blackhole, Heal, Drop, Duplicate, Hold, Release, Delay, Inject, Netem, Impair>;

}  // namespace closepath
