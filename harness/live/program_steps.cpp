#include "program_steps.hpp"
#include "tcp_states.hpp"

#include "clock.hpp"
#include "interrupt.hpp"
#include "overloaded.hpp"
#include "placeholders.hpp"
#include "socket_audit.hpp"
#include "watchdog.hpp"

#include <sys/wait.h>

#include <filesystem>

namespace closepath {
namespace {

using namespace std::chrono_literals;

std::int64_t mono_ns() { return protocol::now_ns(); }

std::optional<std::string> ended_as(const ProgramProcess& p) {
  const auto status = p.status();
  return status ? std::optional(describe_status(*status)) : std::nullopt;
}

}  // namespace

namespace {

// Ends a program step: its end word, and what the runner saw when it is not ok.
struct StepEnd {
  StepResult& sr;
  std::int64_t start;
  void operator()(std::string word, std::optional<StepProblem> problem = std::nullopt) const {
    sr.outcome = protocol::Outcome{.end = std::move(word), .start_ns = start, .end_ns = mono_ns()};
    sr.problem = std::move(problem);
  }
};

void await_output(ProgramProcess& slot, const Output& o, std::size_t& from, std::chrono::steady_clock::time_point until,
                  const StepEnd& end) {
  if (const auto i = slot.wait_line(std::regex(o.pattern), from, until)) {
    from = *i + 1;
    end(protocol::end::ok);
    end.sr.outcome->end_ns = slot.record().lines[*i].mono_ns;  // when it was printed, not when the runner looked
    return;
  }
  const auto lines = slot.record().lines;
  end(protocol::end::timeout, NoLine{.last_line = lines.empty() ? std::nullopt : std::optional(lines.back().text),
                                     .program_ended = ended_as(slot)});
}

}  // namespace

void ProgramSteps::await_ready(const ProgramStep& ps, const ProgramProcess& slot, std::chrono::steady_clock::time_point until,
                               StepResult& sr, std::int64_t start) {
  const StepEnd end{sr, start};
  std::optional<SocketEntry> other_family;
  if (listening(ps.side, slot, until, other_family)) return end(protocol::end::ok);
  end(protocol::end::timeout, NoListener{.port = r_.server_port, .family = r_.family,
                                         .other_family = other_family ? std::optional(other_family->local) : std::nullopt,
                                         .program_ended = ended_as(slot)});
}

void ProgramSteps::run(const ProgramStep& ps, std::size_t index, const std::string& where) {
  auto& sr = r_.steps[index];
  const auto start = mono_ns();
  const auto until = std::chrono::steady_clock::now() + ps.within;
  const std::string who = "the " + to_string(ps.side) + " program";
  const StepEnd end{sr, start};
  if (const auto* e = std::get_if<Exec>(&ps.action)) return exec(ps, *e, index, sr, start);
  ProgramProcess* slot = live_.program(ps.side);
  if (const auto failed = failed_exec_.find(ps.side); failed != failed_exec_.end()) {
    sr.problem = NotRun{.why = NotRun::Why::program_not_started, .by_step = failed->second + 1, .ended = {}};
    return;
  }
  if (!slot) {
    sr.problem = NotRun{.why = NotRun::Why::no_program, .by_step = 0, .ended = {}};
    return;
  }
  std::visit(overloaded{
                 [&](const Exec&) {},
                 [&](const Ready&) {
                   now_doing(where + ": waiting for a socket listening on port " + std::to_string(r_.server_port));
                   await_ready(ps, *slot, until, sr, start);
                 },
                 [&](const Output& o) {
                   now_doing(where + ": waiting for " + who + " to print /" + o.pattern + "/");
                   await_output(*slot, o, output_from_[ps.side], until, end);
                 },
                 [&](const SignalProgram& sig) {
                   slot->signal(sig.number);
                   end(protocol::end::ok);
                 },
                 [&](const Running&) {
                   const auto status = slot->status();
                   end(status ? describe_status(*status) : std::string(protocol::end::ok));
                 },
                 [&](const ExitExpect&) {
                   now_doing(where + ": waiting for " + who + " to end");
                   const auto status = slot->wait_exit(until);
                   if (!status) return end(protocol::end::timeout);
                   end(describe_status(*status));
                 }},
             ps.action);
}

void ProgramSteps::exec(const ProgramStep& ps, const Exec& e, std::size_t index, StepResult& sr, std::int64_t start) {
  now_doing("step " + std::to_string(index + 1) + ": starting " + e.argv[0]);
  auto end = [&](const char* word) { sr.outcome = protocol::Outcome{.end = word, .start_ns = start, .end_ns = mono_ns()}; };
  const ProgramProcess* slot = live_.program(ps.side);
  if (slot && !slot->status()) {
    end(protocol::end::error);
    sr.problem = RunnerError{"the " + to_string(ps.side) + " program is still running: one program per side"};
    return;
  }
  try {
    live_.programs.push_back(
        std::make_unique<ProgramProcess>(ps.side, live_.topology.of(ps.side), substitute(e.argv), start_of(ps.side), index,
                                         std::vector<pid_t>{live_.peer(ps.side).pid()}));
  } catch (const ProgramNotStarted& failed) {  // the scenario's program, not the host, is at fault
    failed_exec_[ps.side] = index;
    end(protocol::end::error);
    sr.problem = RunnerError{failed.what()};
    return;
  }
  failed_exec_.erase(ps.side);
  output_from_[ps.side] = 0;
  end(protocol::end::ok);
}

PlaceholderValues ProgramSteps::placeholder_values() const {
  return {.family = r_.family, .server_port = r_.server_port,
          .scenario_dir = std::filesystem::absolute(s_.file).parent_path().string(),
          .out_dir = std::filesystem::absolute(r_.out_dir).string()};
}

std::vector<std::string> ProgramSteps::substitute(std::vector<std::string> argv) const {
  const auto values = placeholder_values();
  for (auto& word : argv) word = closepath::substitute(word, values);
  return argv;
}

// The scenario's user and the side's `programs:` world, filled in; paths absolute (from closepath's directory).
ProgramStart ProgramSteps::start_of(Side side) const {
  ProgramStart start{.user = program_user(s_), .env = {}, .cwd = {}, .stdin_file = "/dev/null"};
  const auto world = s_.program_worlds.find(side);
  if (world == s_.program_worlds.end()) return start;
  const auto values = placeholder_values();
  auto path = [&](const std::string& p) { return std::filesystem::absolute(closepath::substitute(p, values)).string(); };
  for (const auto& [name, value] : world->second.env) start.env.emplace_back(name, closepath::substitute(value, values));
  if (world->second.cwd) start.cwd = path(*world->second.cwd);
  if (world->second.stdin_file) start.stdin_file = path(*world->second.stdin_file);
  return start;
}

// sock_diag has no notification for listen(): this is the one wait that
// looks again, every 5 ms, until the deadline or the program's end. A
// listener of the other family only (an IPv4 socket in an IPv6 run) does
// not count; `other_family` gets it.
bool ProgramSteps::listening(Side side, const ProgramProcess& program, std::chrono::steady_clock::time_point until,
                             std::optional<SocketEntry>& other_family) const {
  for (;;) {
    for (const auto& e : audit_sockets(live_.topology.of(side))) {
      if (e.state != name(TcpState::listen) || e.local_port != r_.server_port) continue;
      if (r_.family == Family::ipv4 ? e.ipv4 : e.ipv6) return true;
      other_family = e;
    }
    if (program.status() || std::chrono::steady_clock::now() >= until) return false;
    interruptible_sleep(5ms);
  }
}

}  // namespace closepath
