// What a capture closepath wrote says of its run beyond its packets (a
// section comment, report.hpp's kRunFactsTag): each step's record, the
// kernel's states, the leftover sockets. Read back field by field: the
// comment is input like any other, and may come from anywhere.
#pragma once

#include "run_result.hpp"

#include <nlohmann/json.hpp>

#include <map>
#include <optional>
#include <stdexcept>
#include <set>
#include <string>
#include <vector>

namespace closepath {

struct RunFacts {
  std::string client;
  int client_port = 0;
  std::vector<std::int64_t> anchors;  // each step's start, 0 where a step never started
  // Each step's record, on the capture's clock (version 2 on); nullopt for
  // captures whose facts predate them (only the anchors are known).
  struct Step {
    std::optional<protocol::Outcome> outcome;
    std::optional<std::size_t> seen, touched, awaited_step;
    std::optional<StepProblem> problem;
  };
  std::optional<std::vector<Step>> steps;
  std::map<Side, std::vector<std::string>> kernel_states, kernel_from;
  std::map<Side, std::vector<SocketEntry>> leftovers;
  std::map<Side, SocketEntry> at_close;  // optional in the comment (captures before it had none)
  std::map<Side, std::string> runtimes;  // each side's peer runtime (none recorded: asio)
  std::vector<ProgramRecord> programs;   // side, exec step, how it ended, what it left running
  // What the wire did to each frame it touched, by frame number (1-based):
  // pcap::WireEffect bits (version 3 on; empty before).
  std::map<std::size_t, std::uint8_t> effects;
  bool effects_recorded = false;
  // The frames that never reached their receiver, by frame number (version 4
  // on; nullopt before, when the capture comments were read instead).
  std::optional<std::set<std::size_t>> undelivered;  // the facts hold `effects` at all (version 3 on): else what the wire did is unknown
};

// What is wrong with a run-facts comment.
struct FactsError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// Throws FactsError naming the field.
RunFacts parse_facts(const nlohmann::json& j);

// The steps of `s` as the facts recorded them: judged when the facts carry
// a record of each (and the scenario has as many steps), else only timed
// from the anchors. `note` says when the records could not be used.
std::vector<StepResult> step_results(const Scenario& s, const RunFacts& facts, std::string& note);

}  // namespace closepath
