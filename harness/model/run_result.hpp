// What one run produced: per-step outcomes, every wire frame, the tracked
// flow and the verdict. Built by the runner, read by the report writers.
#pragma once

#include "flow.hpp"
#include "outcome.hpp"
#include "scenario.hpp"
#include "side_states.hpp"
#include "socket_entry.hpp"
#include "state_inference.hpp"
#include "step_problem.hpp"
#include "trace_event.hpp"
#include "wire_frame.hpp"

#include <nlohmann/json.hpp>

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace closepath {

struct StepResult {
  const Step* step = nullptr;
  std::optional<protocol::Outcome> outcome;  // nullopt: the run ended before this step
  std::optional<std::size_t> seen;           // a barrier: the packets that matched
  std::optional<std::size_t> touched;        // a wire fault: the frames it dropped, held, delayed, injected or passed to netem
  std::optional<std::size_t> awaited_step;   // await: the step it collected (1-based)
  // What only the runner could see, which is the step's failure whatever it
  // expected: a step an earlier one made impossible, a fault it could not
  // apply, a program that never printed its line (step_problem.hpp).
  std::optional<StepProblem> problem;
  std::optional<std::string> mismatch;       // the judge's: "expected X vs actual Y"
  // Only when it started is known (a capture whose run facts predate step
  // records): its start anchors timing windows; the step is not judged.
  bool timed_only = false;
};

// A timing window the judge checked, and what the run measured for it.
struct Timing {
  int line = 0;         // of the pattern in the scenario file
  std::string pattern;  // as the matcher prints it
  std::int64_t measured_ns = 0;
};

// The user's program on one side: what it was run as, said and ended with.
struct ProgramRecord {
  struct Line {
    std::int64_t mono_ns = 0;
    std::string stream;  // stdout, stderr
    std::string text;
  };
  Side side = Side::client;
  std::vector<std::string> argv;  // after placeholders
  std::vector<Line> lines;
  std::optional<std::string> ended;  // "exit 56", "signal TERM"; nullopt: killed at teardown
  std::size_t exec_step = 0;         // the step that started it (0-based)
  std::size_t left_running = 0;      // processes still running after it ended (a daemon); ended at teardown
};

enum class Verdict { pass, fail, error, skipped };
std::string to_string(Verdict v);

struct RunResult {
  const Scenario* scenario = nullptr;
  Verdict verdict = Verdict::error;
  std::string first_mismatch;  // "FILE:LINE: what" when failed, the error when errored
  int client_port = 0;  // unique per run: the key to this run's kernel trace events
  int server_port = 0;
  Family family = Family::ipv4;  // the endpoints' addresses: hosts.hpp
  std::map<Side, std::string> runtimes;  // each side's peer runtime (protocol/runtimes.hpp); none: asio
  std::uint64_t seed = 0;  // what its impairments drew from (`closepath run --seed` replays it)
  std::string runtime(Side side) const;  // of `runtimes`, asio where none is recorded
  std::int64_t start_mono_ns = 0;
  double seconds = 0;
  std::vector<StepResult> steps;
  std::vector<WireFrame> frames;  // time order; frame i is packet i+1 of the capture
  pcap::Flow flow;
  std::optional<std::vector<TraceEvent>> trace;  // nullopt: the run could not trace
  std::string trace_unavailable;                 // why not
  std::map<Side, std::vector<SocketEntry>> leftovers;
  bool audited = true;  // leftovers were audited (false: a capture without closepath's run facts)
  // Each side's connection socket as audited just after its application's
  // last close, shutdown or crash step (when it still existed).
  std::map<Side, SocketEntry> at_close;
  std::vector<ProgramRecord> programs;  // in the order they started
  std::map<Side, SideStates> states;
  pcap::InferredStates inferred;                 // with the packet behind each change
  std::optional<std::size_t> mismatch_packet;    // index into flow.packets, for the ladder
  std::vector<Timing> timings;                   // every timing window checked (on a wire match)
  std::int64_t realtime_offset_ns = 0;           // CLOCK_REALTIME - CLOCK_MONOTONIC at the start
  // How the run ended after its last step: "at rest" (both endpoints idle,
  // nothing in flight), "wire quiet" (the kernel still had work: nothing on
  // the wire for 300 ms, no sooner than 100 ms after the last step),
  // "settle limit"; and how long that took.
  std::string ended;
  double settle_ms = 0;
  // Where the run's time went, in ms: building the namespaces, wire, trace
  // and peers; the steps; settle_ms; and the rest (audit, capture, teardown,
  // judging). setup + settle + teardown is what a run costs beyond its steps.
  double setup_ms = 0, timeline_ms = 0, teardown_ms = 0;
  std::filesystem::path out_dir;
};

}  // namespace closepath
