// The scenario model: plain immutable data built by the parser and read by
// the runner and the judge. A new scenario is a new file, never new code.
#pragma once

#include "actions.hpp"
#include "command.hpp"
#include "outcome.hpp"
#include "hosts.hpp"
#include "pattern.hpp"
#include "tcp_state.hpp"

#include <chrono>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <set>
#include <variant>
#include <vector>

namespace closepath {

// An endpoint. Directions are pcap::Dir (one way) and pcap::Dirs (a set);
// these two are the only ways between the words.
enum class Side { client, server };
std::string to_string(Side s);
using pcap::Dir;
using pcap::Dirs;
constexpr Dir sent_by(Side s) { return s == Side::client ? Dir::c2s : Dir::s2c; }
constexpr Dir toward(Side s) { return s == Side::client ? Dir::s2c : Dir::c2s; }

// Peer actions: the control protocol's (protocol/actions.hpp), one struct
// each; the runner and the peer visit them exhaustively.
using protocol::Accept;
using protocol::Await;
using protocol::Close;
using protocol::Connect;
using protocol::Crash;
using protocol::Destroy;
using protocol::Drain;
using protocol::Listen;
using protocol::Recv;
using protocol::RecvMessage;
using protocol::Send;
using protocol::SendMessage;
using protocol::SetOption;
using protocol::Shutdown;
using protocol::TlsCloseNotify;
using protocol::TlsHandshake;
using protocol::TlsStall;
using PeerAction = protocol::Action;

// What a step is expected to end with. Unset fields are not checked.
struct ExpectedOutcome {
  std::string end = protocol::end::ok;              // ok, eof, timeout, ECONNRESET, ...
  std::optional<std::uint64_t> bytes;  // bytes moved
  std::optional<pcap::AnchoredWindow> at;  // "-> ETIMEDOUT at 2.5s..3.5s after step 4": when it ended
  // get tcp_info: "-> state FIN_WAIT1 unacked 1 retransmits 2..4"
  std::optional<std::string> state;
  std::map<std::string, std::pair<std::uint64_t, std::uint64_t>> counters;  // name -> LOW..HIGH (inclusive)
};

struct PeerStep {
  Side side = Side::client;
  PeerAction action;
  std::chrono::milliseconds within = protocol::kDefaultWithin;  // the action's own deadline
  ExpectedOutcome expect;
  bool background = false;  // "&": the timeline goes on; a later "await" collects the outcome
};
// The harness itself pauses the timeline (the peers and the wire keep going).
struct WaitStep { std::chrono::milliseconds duration{0}; };
// A barrier: the timeline waits until the wire has carried `count` packets
// matching `match` since the run began (so one that already passed counts),
// at most `within`. Synchronises on what happened, not on a guess of how
// long it takes.
struct WireWait {
  pcap::PacketPattern match;
  std::size_t count = 1;
  std::chrono::milliseconds within = protocol::kDefaultWithin;
};

// Wire faults, each taking effect at its step. Directions name the packets:
// c>s are the client's packets on their way to the server.
struct Blackhole { Dirs dirs = Dirs::both; };   // drop everything in dirs until heal
struct Heal {};                                 // end blackholes, drops and delays; release holds
struct Drop { pcap::PacketPattern match; std::size_t count = 1; };  // the next COUNT matching packets
struct Hold {                                   // queue matching packets, then release them in order
  pcap::PacketPattern match;
  std::optional<pcap::PacketPattern> until;     // when a packet matching this reaches the wire; else at release
};
struct Release {};                              // release every held packet
struct Delay { Dirs dirs = Dirs::both; std::chrono::milliseconds by{0}; };  // 0 ends it
struct InjectRst { std::vector<Side> toward{Side::client, Side::server}; bool exact = true; };  // the ends it resets
struct Netem { Dirs dirs = Dirs::both; std::vector<std::string> args; };  // statistical impairment via tc
using WireAction = std::variant<Blackhole, Heal, Drop, Hold, Release, Delay, InjectRst, Netem>;
struct WireStep { WireAction action; };

// The user's own program on one side (bring your own endpoint).
struct Exec { std::vector<std::string> argv; };  // split like a shell, never run by one; {server} {client} {port}
struct Ready {};                                  // a socket of the side's namespace listens on the port
struct Output { std::string pattern; };           // a line of stdout or stderr matches (ECMAScript regex)
struct SignalProgram { int number = 0; std::string name; };
struct ExitExpect {                               // the program ends; with code or signal, as it ended
  std::optional<int> code;
  std::optional<int> signal;
  std::string text;  // as written after "->"
};
using ProgramAction = std::variant<Exec, Ready, Output, SignalProgram, ExitExpect>;
struct ProgramStep {
  Side side = Side::client;
  ProgramAction action;
  std::chrono::milliseconds within = protocol::kDefaultWithin;
};

struct Step {
  int line = 0;          // 1-based line in the scenario file
  std::string text;      // as written, for messages and capture comments
  std::variant<PeerStep, WaitStep, WireWait, WireStep, ProgramStep> what;
};

template <typename T>
struct Located {
  int line = 0;
  T value;
};

struct Scenario {
  std::filesystem::path file;
  std::string name, summary;
  std::string claim;  // the opening comment: what the scenario shows
  std::vector<std::string> tags;
  std::map<Side, std::map<std::string, Located<std::string>>> sysctl;  // net.* keys only, with their lines
  std::map<Side, std::chrono::milliseconds> rto_min;           // per-route minimum RTO
  int port = 47000;                     // the server's port (443 makes Wireshark dissect TLS)
  std::chrono::milliseconds timers{0};  // the kernel timers the scenario must wait for, as declared
  bool needs_netem = false;             // has a netem step
  bool uses_tls = false;                // has a TLS step: credentials are made for the run
  std::set<Side> program_sides;         // sides with an exec step
  std::optional<Located<std::string>> user;  // programs run as this user (root when absent)
  std::optional<Family> family;         // pinned by the file; else the run's (--ipv6)
  std::vector<Step> steps;
  std::vector<Located<pcap::PatternElement>> wire;
  std::vector<Located<pcap::PacketPattern>> forbid;
  // Expected state sequence of each side's connection socket.
  std::map<Side, Located<std::vector<pcap::StatePattern>>> states;
  // Sockets that must be left after the timeline (by state), and that must
  // not be. A CLOSE_WAIT not listed in `leftovers` always fails the run.
  std::map<Side, Located<std::vector<std::string>>> leftovers, forbid_leftovers;
  // Sides whose program is expected to leave processes running after it
  // ends (it daemonizes): without this, that fails the run. They are ended all the same.
  std::optional<Located<std::set<Side>>> left_running;
};

}  // namespace closepath
