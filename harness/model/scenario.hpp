// The scenario model: plain immutable data built by the parser and read by
// the runner and the judge. A new scenario is a new file, never new code.
#pragma once

#include "actions.hpp"
#include "command.hpp"
#include "outcome.hpp"
#include "hosts.hpp"
#include "leftover_pattern.hpp"
#include "pattern.hpp"
#include "program_world.hpp"
#include "tcp_state.hpp"
#include "side.hpp"
#include "wire_faults.hpp"

#include <chrono>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <set>
#include <variant>
#include <vector>

namespace closepath {


// Peer actions: the control protocol's (protocol/actions.hpp), one struct
// each, and the two the runner carries out itself, which never cross the
// channel. The runner and the peer visit them exhaustively.
using protocol::Accept;
using protocol::Close;
using protocol::Connect;
using protocol::Crash;
using protocol::Drain;
using protocol::Get;
using protocol::Listen;
using protocol::Poll;
using protocol::Recv;
using protocol::RecvMessage;
using protocol::Send;
using protocol::SendMessage;
using protocol::SetOption;
using protocol::Shutdown;
using protocol::TlsCloseNotify;
using protocol::TlsHandshake;
using protocol::TlsStall;

struct Await {  // collect the side's oldest background step
  static constexpr const char* word = "await";
  static constexpr const char* synopsis = "await";
  static constexpr const char* doc = "collect the side's oldest background step (one must run before it), and judge it";
  static constexpr const char* example = "await";
  static constexpr bool background = false;
  static constexpr bool outcome = false;  // the awaited step states its own
  static Await parse(const protocol::Words& args);
};
struct Destroy {  // the harness destroys the side's connection socket from outside
  static constexpr const char* word = "destroy";
  static constexpr const char* synopsis = "destroy";
  static constexpr const char* doc =
      "the harness destroys the side's connection socket (sock_diag SOCK_DESTROY, as ss -K does); its pending steps meet it";
  static constexpr const char* example = "destroy";
  static constexpr bool background = false;
  static Destroy parse(const protocol::Words& args);
};

// Every action of the control protocol, then the runner's own: a new
// protocol action is a step word with nothing to add here.
template <typename V, typename... More>
struct with_alternatives;
template <typename... T, typename... More>
struct with_alternatives<std::variant<T...>, More...> {
  using type = std::variant<T..., More...>;
};
using PeerAction = with_alternatives<protocol::Action, Await, Destroy>::type;
// What the peer is sent for it; nullopt for the runner's own.
std::optional<protocol::Action> command_action(const PeerAction& a);

// What a step is expected to end with. Unset fields are not checked.
struct ExpectedOutcome {
  std::string end = protocol::end::ok;              // ok, eof, timeout, ECONNRESET, ...
  std::optional<std::uint64_t> bytes;  // bytes moved
  std::optional<pcap::AnchoredWindow> at;  // "-> ETIMEDOUT at 2.5s..3.5s after step 4": when it ended
  // get tcp_info: "-> state FIN_WAIT1 unacked 1 retransmits 2..4"
  std::optional<std::string> state;
  std::map<std::string, pcap::NumberRange> counters;  // name -> N or LOW..HIGH
  std::vector<std::string> texts;  // recv: "-> \"HTTP/1.0 200\"": bytes the read must hold, each somewhere in it
};

struct PeerStep {
  Side side = Side::client;
  PeerAction action;
  std::chrono::milliseconds within = protocol::kDefaultWithin;  // the action's own deadline
  ExpectedOutcome expect;
  bool background = false;  // "&": the timeline goes on; a later "await" collects the outcome
  // "go: eof" beside the step: what a peer in that runtime (protocol/runtimes.hpp) is told instead.
  std::map<std::string, ExpectedOutcome> runtime_expect;
  const ExpectedOutcome& expect_for(const std::string& runtime) const {
    const auto it = runtime_expect.find(runtime);
    return it == runtime_expect.end() ? expect : it->second;
  }
};
// A barrier for absence: the pause it belongs to must see no packet of the
// connection in `dirs` (judged from the capture, live and offline alike).
struct Quiet {
  static constexpr const char* synopsis = "wait: quiet c>s|s>c|both DURATION";
  static constexpr const char* doc =
      "pauses the timeline for DURATION, and fails the run if the wire carried a packet of the connection in those "
      "directions meanwhile, naming the first";
  static constexpr const char* example = "quiet c>s 500ms";
  Dirs dirs = Dirs::both;
};
// The harness itself pauses the timeline (the peers and the wire keep going).
struct WaitStep {
  static constexpr const char* synopsis = "wait: DURATION";
  static constexpr const char* doc = "pauses the timeline (the peers, programs and the wire go on)";
  static constexpr const char* example = "50ms";
  std::chrono::milliseconds duration{0};
  std::optional<Quiet> quiet{};
};
// A barrier: the timeline waits until the wire has carried `count` packets
// matching `match` since the run began (so one that already passed counts),
// or with `next` since this step began, at most `within`. Synchronises on
// what happened, not on a guess of how long it takes.
struct WireWait {
  static constexpr const char* synopsis = "wait: [next] PATTERN [{N}] [within D]";
  static constexpr const char* doc =
      "a barrier: waits until the wire has carried N packets matching PATTERN since the run began, or with next since "
      "this step began (default 1, 5s); fewer in time fails the run at this step";
  static constexpr const char* example = "next c>s . len 0 within 1s";
  pcap::PacketPattern match;
  std::size_t count = 1;
  std::chrono::milliseconds within = protocol::kDefaultWithin;
  bool next = false;
};

struct WireStep { WireAction action; };

// The user's own program on one side (bring your own endpoint): one struct
// per step word, as the peer actions are. `parse` (program_step_parser.cpp)
// reads the text after the word, `within` said so when the step takes a
// deadline; what it does is ProgramSteps::run's visit.
struct Exec {
  static constexpr const char* word = "exec";
  static constexpr const char* synopsis = "exec PROGRAM ARGS...";
  static constexpr const char* doc =
      "starts the program in the side's namespace; words split as a shell splits them, never run by one; "
      "each {placeholder} replaced by its value for the run (Placeholders)";
  static constexpr const char* example = "exec curl -sS http://{server_host}:{port}/";
  static constexpr bool within = false;
  static Exec parse(const std::string& rest);
  std::vector<std::string> argv;
};
struct Ready {
  static constexpr const char* word = "ready";
  static constexpr const char* synopsis = "ready [within D]";
  static constexpr const char* doc = "waits until a socket of the side's namespace listens on {port}, in the run's family";
  static constexpr const char* example = "ready within 5s";
  static constexpr bool within = true;
  static Ready parse(const std::string& rest);
};
struct Output {
  static constexpr const char* word = "output";
  static constexpr const char* synopsis = "output REGEX [at LOW..HIGH after step N] [within D]";
  static constexpr const char* doc = "waits for a line of the program's stdout or stderr that matches (ECMAScript regex)";
  static constexpr const char* example = "output listening on [0-9]+";
  static constexpr bool within = true;
  static Output parse(const std::string& rest);
  std::string pattern;
};
struct SignalProgram {
  static constexpr const char* word = "signal";
  static constexpr const char* synopsis = "signal TERM|INT|HUP|KILL|USR1";
  static constexpr const char* doc = "sends the signal to the program";
  static constexpr const char* example = "signal TERM";
  static constexpr bool within = false;
  static SignalProgram parse(const std::string& rest);
  int number = 0;
  std::string name;
};
struct ExitExpect {  // the program ends; with code or signal, as it ended
  static constexpr const char* word = "exit";
  static constexpr const char* synopsis = "exit [-> CODE|SIGNAL] [at LOW..HIGH after step N] [within D]";
  static constexpr const char* doc = "waits for the program to end, with that exit code or signal when one is given";
  static constexpr const char* example = "exit -> 0 within 2s";
  static constexpr bool within = true;
  static ExitExpect parse(const std::string& rest);
  std::optional<int> code;
  std::optional<int> signal;
  std::string text;  // as written after "->"
};
struct Running {  // the program has not ended at this point
  static constexpr const char* word = "running";
  static constexpr const char* synopsis = "running";
  static constexpr const char* doc = "the program is still running at this point (it has not ended)";
  static constexpr const char* example = "running";
  static constexpr bool within = false;
  static Running parse(const std::string& rest);
};
using ProgramAction = std::variant<Exec, Ready, Output, SignalProgram, ExitExpect, Running>;
struct ProgramStep {
  Side side = Side::client;
  ProgramAction action;
  std::chrono::milliseconds within = protocol::kDefaultWithin;
  // A step that waits (ready, output, exit): "at LOW..HIGH after step N" bounds when what it
  // waited for came (the line's own time for output).
  std::optional<pcap::AnchoredWindow> at;
};

struct Step {
  int line = 0;          // 1-based line in the scenario file
  std::string text;      // as written, for messages and capture comments
  std::variant<PeerStep, WaitStep, WireWait, WireStep, ProgramStep> what;
};

template <typename T>
struct Located { int line = 0; T value; };

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
  bool impairs = false;                 // has an impair step: its runs depend on their seed
  bool uses_tls = false;                // has a TLS step: the peers get the run's credentials
  bool writes_credentials = false;      // names {ca}, {cert} or {key}: they are written to the run's directory
  std::set<Side> program_sides;         // sides with an exec step
  std::optional<Located<std::string>> user;  // programs run as this user (root when absent)
  std::map<Side, ProgramWorld> program_worlds;  // `programs:`: env, cwd, stdin, files to render
  std::optional<Family> family;         // pinned by the file; else the run's (--ipv6)
  std::map<Side, std::string> peers;    // `peer:` a side's runtime pinned by the file; else the run's (--peer)
  std::map<std::string, std::string> differs;  // runtime -> why its runs meet another close path (skipped)
  std::vector<Step> steps;
  std::vector<Located<pcap::PatternElement>> wire;  // empty: no packet at all
  int wire_line = 0;                                  // of expect.wire itself
  std::vector<Located<pcap::PacketPattern>> forbid;
  // Expected state sequence of each side's connection socket.
  std::map<Side, Located<std::vector<pcap::StatePattern>>> states;
  // Sockets that must be left after the timeline (by state, and what they
  // hold), and that must not be. A CLOSE_WAIT not matched by `leftovers`
  // always fails the run.
  std::map<Side, Located<std::vector<LeftoverPattern>>> leftovers, forbid_leftovers;
  // Sides whose program is expected to leave processes running after it
  // ends (it daemonizes): without this, that fails the run. They are ended all the same.
  std::optional<Located<std::set<Side>>> left_running;
};

}  // namespace closepath
