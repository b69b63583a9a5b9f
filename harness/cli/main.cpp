// closepath: scripted TCP close-path experiments between two real Linux
// stacks. See README.md. Exit codes: 0 all passed, 1 an expectation failed,
// 2 bad usage or scenario file, 3 the host lacks something or a run errored,
// 130 interrupted.
#include "catalogue.hpp"
#include "doctor.hpp"
#include "encapsulations.hpp"
#include "errors.hpp"
#include "flow.hpp"
#include "host_setup.hpp"
#include "offline.hpp"
#include "protocol_reference.hpp"
#include "report.hpp"
#include "run_command.hpp"
#include "scenario_dir.hpp"
#include "scenario_parser.hpp"
#include "spec.hpp"
#include "word_reference.hpp"

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <unistd.h>

#include <iomanip>
#include <iostream>

namespace {

using namespace closepath;
namespace fs = std::filesystem;

int cmd_list(ScenarioDir& dir, bool json) {
  nlohmann::json out = nlohmann::json::array();
  int rc = 0;
  for (const auto& file : catalogue_files(dir.get())) {
    try {
      const auto s = parse_scenario_file(file);
      if (json) out.push_back({{"name", s.name}, {"file", file.string()}, {"summary", s.summary}, {"tags", s.tags}, {"claim", s.claim}});
      else std::cout << std::left << std::setw(28) << s.name << " " << s.summary << "\n";
    } catch (const ScenarioError& e) {
      std::cerr << e.what() << "\n";
      rc = 2;
    }
  }
  if (json) std::cout << json_text(out) << "\n";
  return rc;
}

int cmd_doctor(bool json) {
  // Probe as a run would: an ordinary user from inside its own user namespace.
  bool rootless = false;
  try {
    rootless = HostSetup({.trace = false, .handlers = false}).rootless();
  } catch (const HostError&) {
    // probe_host() reports user namespaces as refused
  }
  return print_doctor(std::cout, probe_host(rootless), json);
}

nlohmann::json encapsulations_json() {
  auto out = nlohmann::json::array();
  for (const auto& e : pcap::encapsulations())
    out.push_back({{"found_as", pcap::carrier_name(e.carrier)}, {"first", e.first}, {"last", e.last},
                   {"step", e.step}, {"name", e.name}, {"doc", e.doc}});
  return out;
}

struct HelpArgs {
  std::string topic = "words";
  std::string format = "text";
};

int cmd_help(const HelpArgs& h) {
  if (h.topic == "encapsulations") {
    if (h.format == "json") std::cout << json_text(encapsulations_json()) << "\n";
    else std::cout << pcap::encapsulations_markdown();
    return 0;
  }
  if (h.topic == "protocol") {
    const auto spec = protocol::protocol_spec();
    if (h.format == "json") std::cout << json_text(spec) << "\n";
    else std::cout << protocol_markdown(spec);
    return 0;
  }
  const auto sections = word_reference();
  if (h.format == "json") std::cout << json_text(reference_json(sections)) << "\n";
  else if (h.format == "markdown") std::cout << reference_markdown(sections);
  else std::cout << reference_text(sections);
  return 0;
}

struct OfflineArgs {
  fs::path capture;
  std::string scenario;
  OfflineOptions options;
};

void add_offline_commands(CLI::App& app, OfflineArgs& o, CLI::App*& check, CLI::App*& show) {
  check = app.add_subcommand("check", "judge a saved capture against a scenario, without running anything");
  check->add_option("capture", o.capture, "a pcapng or pcap file")->required()->check(CLI::ExistingFile);
  check->add_option("--scenario", o.scenario, "scenario NAME or FILE")->required();
  check->add_option("--client", o.options.client, "the client's ADDR or ADDR:PORT (for captures of other hosts)");
  check->add_flag("--ladder", o.options.ladder, "print the ladder even when it passes");
  check->add_flag("--json", o.options.json, "print the verdict as JSON (first mismatch, its Wireshark frame number)");
  show = app.add_subcommand("show", "print the ladder diagram of any capture");
  show->add_option("capture", o.capture, "a pcapng or pcap file")->required()->check(CLI::ExistingFile);
  show->add_option("--client", o.options.client, "the client's ADDR or ADDR:PORT");
  show->add_flag("--json", o.options.json,
                 "print every TCP connection as JSON: packets with Wireshark's frame numbers and relative seq/ack, "
                 "and the states inferred for each side");
}

// check or show; bad input (a --client, an unreadable capture, no such connection) exits 2.
int cmd_offline(OfflineArgs& o, ScenarioDir& dir, bool is_show) {
  o.options.colour = colour_for(STDOUT_FILENO);
  const char* command = is_show ? "show" : "check";
  if (o.options.client) {
    try {
      pcap::check_client_hint(*o.options.client);
    } catch (const std::invalid_argument& e) {
      std::cerr << "closepath " << command << ": --client " << e.what() << "\n";
      return 2;
    }
  }
  try {
    if (is_show) return show_capture(o.capture, o.options, std::cout, std::cerr);
    const auto scenario = parse_scenario_file(dir.resolve(o.scenario));
    return check_capture(o.capture, scenario, o.options, std::cout, std::cerr);
  } catch (const ScenarioError&) {
    throw;
  } catch (const pcap::NoSuchConnection& e) {
    std::cerr << o.capture.string() << ": " << e.what() << "\n";
    return 2;
  } catch (const std::runtime_error& e) {  // an unreadable capture is bad input
    std::cerr << e.what() << "\n";
    return 2;
  }
}

// The exit code of what went wrong outside any verdict.
int report_exception() {
  try {
    throw;
  } catch (const ScenarioError& e) {
    std::cerr << e.what() << "\n";
    return 2;
  } catch (const UsageError& e) {
    std::cerr << "closepath: " << e.what() << "\n";
    return 2;
  } catch (const HostError& e) {
    std::cerr << "closepath: " << e.what() << "\n";
    return 3;
  } catch (const std::filesystem::filesystem_error& e) {
    std::cerr << "closepath: cannot write its output (see --out): " << e.what() << "\n";
    return 2;
  } catch (const std::exception& e) {
    std::cerr << "closepath: internal error: " << e.what() << "\n";
    return 3;
  }
}

}  // namespace

int main(int argc, char** argv) {
  self_dir();  // before anything unshares a mount namespace: see catalogue.cpp
  CLI::App app{"closepath: scripted TCP close-path experiments between two real Linux TCP stacks"};
  app.require_subcommand(1);
  app.fallthrough();  // --scenarios may follow the subcommand
  std::string scenarios_dir;
  app.add_option("--scenarios", scenarios_dir,
                 "directory of scenario files (default: the checkout's scenarios/, else the installed catalogue)")
      ->envname("CLOSEPATH_SCENARIOS");
  bool list_json = false;
  auto* list = app.add_subcommand("list", "list the scenario catalogue");
  list->add_flag("--json", list_json, "machine-readable output");
  RunArgs run_args;
  auto* run = add_run_command(app, run_args);
  OfflineArgs offline;
  CLI::App *check = nullptr, *show = nullptr;
  add_offline_commands(app, offline, check, show);
  bool doctor_json = false;
  auto* doctor = app.add_subcommand("doctor", "say what this host can do and how to get what it lacks");
  doctor->add_flag("--json", doctor_json, "machine-readable output");
  HelpArgs help_args;
  auto* help = app.add_subcommand("help", "the scenario language's reference, from its registries: `closepath help words`");
  help->add_option("topic", help_args.topic,
                   "words (the default): every word a scenario may write; protocol: the peer protocol, for a peer in "
                   "another language; encapsulations: what show and check read in a capture")
      ->check(CLI::IsMember({"words", "protocol", "encapsulations"}));
  help->add_option("--format", help_args.format, "text (default), markdown (as docs/language.md, docs/protocol.md and docs/outputs.md hold it) or json")
      ->check(CLI::IsMember({"text", "markdown", "json"}));
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int rc = app.exit(e);
    return rc == 0 ? 0 : 2;
  }
  ScenarioDir dir(scenarios_dir);
  try {
    if (*list) return cmd_list(dir, list_json);
    if (*run) return cmd_run(run_args, dir);
    if (*doctor) return cmd_doctor(doctor_json);
    if (*help) return cmd_help(help_args);
    if (*check || *show) return cmd_offline(offline, dir, static_cast<bool>(*show));
  } catch (...) {
    return report_exception();
  }
  return 2;
}
