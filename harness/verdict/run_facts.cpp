#include "run_facts.hpp"
#include "step_problems.hpp"

#include "tcp_state.hpp"
#include "wire_effect.hpp"

#include <charconv>

namespace closepath {
namespace {

const nlohmann::json& field(const nlohmann::json& j, const char* key, const char* what) {
  if (!j.is_object() || !j.contains(key)) throw FactsError(std::string("no ") + key + " (" + what + ")");
  return j.at(key);
}

template <typename T>
T number_in(const nlohmann::json& j, const std::string& name, T lo, T hi) {
  if (!j.is_number_integer()) throw FactsError(name + " is not a whole number");
  const auto v = j.get<std::int64_t>();
  if (v < static_cast<std::int64_t>(lo) || v > static_cast<std::int64_t>(hi)) throw FactsError(name + " is out of range");
  return static_cast<T>(v);
}

std::string text_of(const nlohmann::json& j, const std::string& name) {
  if (!j.is_string()) throw FactsError(name + " is not a string");
  return j.get<std::string>();
}

SocketEntry socket_entry_of(const nlohmann::json& e, const std::string& where) {
  SocketEntry entry;
  entry.state = text_of(field(e, "state", "a socket's state"), where + " state");
  entry.local = text_of(field(e, "local", "a socket's address"), where + " local");
  entry.remote = text_of(field(e, "remote", "a socket's peer"), where + " remote");
  entry.local_port = number_in<std::uint16_t>(field(e, "local_port", "a port"), where + " local_port", 0, 65535);
  entry.remote_port = number_in<std::uint16_t>(field(e, "remote_port", "a port"), where + " remote_port", 0, 65535);
  entry.recv_q = number_in<std::uint32_t>(field(e, "recv_q", "a queue"), where + " recv_q", 0, UINT32_MAX);
  entry.send_q = number_in<std::uint32_t>(field(e, "send_q", "a queue"), where + " send_q", 0, UINT32_MAX);
  const auto& orphan = field(e, "orphan", "whether a process held it");
  if (!orphan.is_boolean()) throw FactsError(where + " orphan is not true or false");
  entry.orphan = orphan.get<bool>();
  // Run facts written before the timer was recorded: unknown, never taken as "off".
  entry.timer = e.contains("timer") ? number_in<std::uint8_t>(e.at("timer"), where + " timer", 0, 4) : SocketEntry::kTimerUnknown;
  return entry;
}


std::optional<std::size_t> count_of(const nlohmann::json& step, const char* key, const std::string& where) {
  if (!step.contains(key)) return std::nullopt;
  return number_in<std::size_t>(step.at(key), where + "." + key, 0, std::size_t{1} << 40);
}

std::vector<RunFacts::Step> steps_of(const nlohmann::json& list) {
  if (!list.is_array()) throw FactsError("steps is not a list");
  std::vector<RunFacts::Step> steps;
  for (std::size_t i = 0; i < list.size(); ++i) {
    const auto& j = list[i];
    const auto where = "steps[" + std::to_string(i) + "]";
    if (!j.is_object()) throw FactsError(where + " is not an object");
    RunFacts::Step step;
    if (j.contains("outcome")) try {
        step.outcome = protocol::parse_outcome(j.at("outcome"));
      } catch (const std::invalid_argument& e) {
        throw FactsError(where + ".outcome: " + e.what());
      }
    step.seen = count_of(j, "seen", where);
    step.touched = count_of(j, "touched", where);
    step.awaited_step = count_of(j, "awaited_step", where);
    if (j.contains("problem")) try {
        step.problem = step_problem_of(j.at("problem"));
      } catch (const std::invalid_argument& e) {
        throw FactsError(where + "." + e.what());
      }
    steps.push_back(std::move(step));
  }
  return steps;
}

std::vector<ProgramRecord> programs_of(const nlohmann::json& list) {
  if (!list.is_array()) throw FactsError("programs is not a list");
  std::vector<ProgramRecord> programs;
  for (std::size_t i = 0; i < list.size(); ++i) {
    const auto where = "programs[" + std::to_string(i) + "]";
    const auto& j = list[i];
    ProgramRecord p;
    const auto side = side_named(text_of(field(j, "side", "a program's side"), where + ".side"));
    if (!side) throw FactsError(where + ".side is neither client nor server");
    p.side = *side;
    p.exec_step = number_in<std::size_t>(field(j, "exec_step", "the step that started it"), where + ".exec_step", 0, 1 << 20);
    p.left_running = number_in<std::size_t>(field(j, "left_running", "what it left"), where + ".left_running", 0, 1 << 20);
    if (j.contains("ended") && !j.at("ended").is_null()) p.ended = text_of(j.at("ended"), where + ".ended");
    programs.push_back(std::move(p));
  }
  return programs;
}

// {"7": ["held", "delayed"], ...}
std::map<std::size_t, std::uint8_t> effects_of(const nlohmann::json& j) {
  if (!j.is_object()) throw FactsError("effects must be an object");
  std::map<std::size_t, std::uint8_t> out;
  for (const auto& [frame, names] : j.items()) {
    std::size_t n = 0;
    const auto [end, ec] = std::from_chars(frame.data(), frame.data() + frame.size(), n);
    if (ec != std::errc{} || end != frame.data() + frame.size() || n == 0)
      throw FactsError("effects: '" + frame + "' is not a frame number");
    if (!names.is_array()) throw FactsError("effects." + frame + " is not a list");
    for (const auto& name : names) {
      const auto effect = pcap::wire_effect_named(text_of(name, "effects." + frame));
      if (!effect) throw FactsError("effects." + frame + " names no wire effect: " + name.dump());
      out[n] |= pcap::effect_bit(*effect);
    }
  }
  return out;
}

}  // namespace

RunFacts parse_facts(const nlohmann::json& j) {
  RunFacts f;
  f.client = text_of(field(j, "client", "the client's address"), "client");
  f.client_port = number_in<int>(field(j, "client_port", "the client's port"), "client_port", 0, 65535);
  const auto& anchors = field(j, "anchors", "step start times");
  if (!anchors.is_array()) throw FactsError("anchors is not a list");
  for (std::size_t i = 0; i < anchors.size(); ++i)
    f.anchors.push_back(anchors[i].is_null() ? 0 : number_in<std::int64_t>(anchors[i], "anchors[" + std::to_string(i) + "]",
                                                                            0, std::int64_t{1} << 62));
  if (j.contains("steps")) f.steps = steps_of(j.at("steps"));
  if (j.contains("programs")) f.programs = programs_of(j.at("programs"));
  if (j.contains("runtimes")) {
    const auto& runtimes = j.at("runtimes");
    if (!runtimes.is_object()) throw FactsError("runtimes is not an object");
    for (Side side : {Side::client, Side::server})
      if (runtimes.contains(to_string(side))) f.runtimes[side] = text_of(runtimes.at(to_string(side)), "runtimes." + to_string(side));
  }
  if (j.contains("effects")) f.effects = effects_of(j.at("effects")), f.effects_recorded = true;
  if (j.contains("undelivered")) {
    const auto& frames = j.at("undelivered");
    if (!frames.is_array()) throw FactsError("undelivered is not a list");
    f.undelivered.emplace();
    for (std::size_t i = 0; i < frames.size(); ++i)
      f.undelivered->insert(number_in<std::size_t>(frames[i], "undelivered[" + std::to_string(i) + "]", 1, std::size_t{1} << 40));
  }
  const auto& kernel = field(j, "kernel_states", "traced states");
  const auto& leftovers = field(j, "leftovers", "the socket audit");
  if (!kernel.is_object() || !leftovers.is_object()) throw FactsError("kernel_states and leftovers must be objects");
  for (Side side : {Side::client, Side::server}) {
    const auto name = to_string(side);
    if (kernel.contains(name)) {
      if (!kernel.at(name).is_array()) throw FactsError("kernel_states." + name + " is not a list");
      for (const auto& st : kernel.at(name)) {
        const auto state = text_of(st, "kernel_states." + name + " entry");
        if (!pcap::is_tcp_state(state)) throw FactsError("kernel_states." + name + " names no TCP state: " + state);
        f.kernel_states[side].push_back(state);
      }
      if (j.contains("kernel_from") && j.at("kernel_from").is_object() && j.at("kernel_from").contains(name))
        for (const auto& from : j.at("kernel_from").at(name)) f.kernel_from[side].push_back(text_of(from, "kernel_from." + name));
    }
    if (j.contains("at_close") && !j.at("at_close").is_object()) throw FactsError("at_close must be an object");
    if (j.contains("at_close") && j.at("at_close").contains(name))
      f.at_close[side] = socket_entry_of(j.at("at_close").at(name), "at_close." + name);
    auto& list = f.leftovers[side];
    if (!leftovers.contains(name)) continue;
    if (!leftovers.at(name).is_array()) throw FactsError("leftovers." + name + " is not a list");
    for (const auto& e : leftovers.at(name)) list.push_back(socket_entry_of(e, "leftovers." + name));
  }
  return f;
}


std::vector<StepResult> step_results(const Scenario& s, const RunFacts& facts, std::string& note) {
  std::vector<StepResult> out(s.steps.size());
  const bool recorded = facts.steps && facts.steps->size() == s.steps.size();
  if (facts.steps && !recorded)
    note = "the capture's run had " + std::to_string(facts.steps->size()) + " steps and the scenario has " +
           std::to_string(s.steps.size()) + ": its steps' outcomes are not judged";
  for (std::size_t i = 0; i < out.size(); ++i) {
    auto& sr = out[i];
    sr.step = &s.steps[i];
    if (recorded) {
      const auto& f = (*facts.steps)[i];
      sr.outcome = f.outcome;
      sr.seen = f.seen;
      sr.touched = f.touched;
      sr.awaited_step = f.awaited_step;
      sr.problem = f.problem;
    } else {
      sr.timed_only = true;
      if (i < facts.anchors.size() && facts.anchors[i]) sr.outcome = protocol::Outcome{.end = protocol::end::ok, .start_ns = facts.anchors[i]};
    }
  }
  return out;
}

}  // namespace closepath
