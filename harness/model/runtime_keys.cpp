#include "runtime_keys.hpp"

#include "runtimes.hpp"
#include "scenario_parser.hpp"


namespace closepath {
namespace {

using yaml::Node;

[[noreturn]] void fail(const std::filesystem::path& file, const Node& at, const std::string& problem) {
  throw ScenarioError(file, at.line, problem);
}

// One line of printable text (yaml::line_text), its problem the scenario's.
std::string text_of(const std::filesystem::path& file, const Node& n, const std::string& what) {
  try {
    return yaml::line_text(n, what);
  } catch (const yaml::Error& e) {
    fail(file, n, e.what());
  }
}

std::string runtime_of(const std::filesystem::path& file, const Node& n, const std::string& what) {
  const auto name = text_of(file, n, what);
  if (!protocol::find_runtime(name)) fail(file, n, "'" + name + "' is not a runtime (known: " + protocol::runtime_names() + ")");
  return name;
}

}  // namespace

std::map<Side, std::string> parse_peer_key(const Node& n, const std::filesystem::path& file) {
  std::map<Side, std::string> peers;
  if (n.is_scalar()) {
    peers[Side::client] = peers[Side::server] = runtime_of(file, n, "peer");
    return peers;
  }
  if (!n.is_mapping()) fail(file, n, "peer names a runtime (" + protocol::runtime_names() + "), or maps client/server to one");
  for (const auto& [k, v] : n.pairs) {
    const auto name = text_of(file, *k, "side");
    const auto side = side_named(name);
    if (!side) fail(file, *k, "unknown peer '" + name + "' (expected client or server)");
    peers[*side] = runtime_of(file, *v, "peer");
  }
  return peers;
}

std::map<std::string, std::string> parse_differs_key(const Node& n, const std::filesystem::path& file) {
  if (!n.is_mapping()) fail(file, n, "differs maps a runtime (" + protocol::runtime_names() + ") to why its program meets another close path here");
  std::map<std::string, std::string> differs;
  for (const auto& [k, v] : n.pairs) differs[runtime_of(file, *k, "runtime")] = text_of(file, *v, "differs");
  return differs;
}

void parse_runtime_outcomes(const Node& item, const std::string& step_text, PeerStep* ps, const std::filesystem::path& file) {
  if (!ps && item.pairs.size() > 1)
    fail(file, *item.pairs[1].first,
         "a step is one 'client: ACTION', 'server: ACTION', 'wire: FAULT' or 'wait: DURATION' (only a client or server "
         "action takes a runtime's outcome beside it)");
  for (std::size_t i = 1; ps && i < item.pairs.size(); ++i) {
    const auto& [k, v] = item.pairs[i];
    const auto name = text_of(file, *k, "step key");
    if (name == "client" || name == "server" || name == "wire" || name == "wait")
      fail(file, *k, "a step is one 'client: ACTION', 'server: ACTION', 'wire: FAULT' or 'wait: DURATION': '" + name +
                         "' is another step (give it its own '- ')");
    if (!protocol::find_runtime(name))
      fail(file, *k, "'" + name + "' beside a step names a runtime (" + protocol::runtime_names() + ")");
    const auto arrow = step_text.find("->");
    if (arrow == std::string::npos) fail(file, *k, "a runtime's outcome replaces the step's: give the step one ('-> ...') first");
    if (ps->runtime_expect.contains(name)) fail(file, *k, "'" + name + "' is given twice");
    try {
      // The step as that runtime's: its own words, this outcome (read by the one grammar of outcomes).
      auto alternative = parse_peer_step(ps->side, step_text.substr(0, arrow) + " -> " + text_of(file, *v, "outcome"));
      if (alternative.expect.at) throw std::invalid_argument("a runtime's outcome takes no time window ('at'): the step's applies");
      ps->runtime_expect[name] = std::move(alternative.expect);
    } catch (const std::invalid_argument& e) {
      fail(file, *v, e.what());
    }
  }
}

}  // namespace closepath
