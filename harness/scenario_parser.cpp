#include "scenario_parser.hpp"

#include <yaml-cpp/yaml.h>

#include <fstream>
#include <regex>
#include <set>
#include <sstream>

namespace closepath {

std::string to_string(Side s) { return s == Side::client ? "client" : "server"; }

namespace {

class Parser {
 public:
  explicit Parser(std::filesystem::path file) : file_(std::move(file)) {}

  Scenario parse(const std::string& text) {
    YAML::Node root;
    try {
      root = YAML::Load(text);
    } catch (const YAML::Exception& e) {
      throw ScenarioError(file_, e.mark.line + 1, "bad YAML: " + e.msg);
    }
    if (!root.IsMap()) fail(root, "a scenario is a mapping with name, steps and expect");

    Scenario s;
    s.file = file_;
    s.claim = leading_comment(text);
    static const std::set<std::string> known{"name", "summary", "tags", "port", "sysctl", "rto_min", "timers", "steps", "expect"};
    for (const auto& kv : root) {
      const auto key = scalar(kv.first, "key");
      if (!known.count(key))
        fail(kv.first, "unknown key '" + key + "' (known: name summary tags port sysctl rto_min timers steps expect)");
    }
    s.name = scalar(require(root, "name"), "name");
    if (!std::regex_match(s.name, std::regex("[a-z0-9_]+")))
      fail(root["name"], "name '" + s.name + "' must be lowercase letters, digits and _");
    if (root["summary"]) s.summary = scalar(root["summary"], "summary");
    if (root["tags"]) s.tags = scalars(root["tags"], "tags");
    if (root["sysctl"]) parse_sysctl(root["sysctl"], s);
    if (root["rto_min"]) {
      if (!root["rto_min"].IsMap()) fail(root["rto_min"], "rto_min maps client/server to a duration");
      for (const auto& kv : root["rto_min"]) s.rto_min[side(kv.first)] = duration(kv.second);
    }
    if (root["timers"]) s.timers = duration(root["timers"]);
    if (root["port"]) {
      const auto port = scalar(root["port"], "port");
      if (!std::regex_match(port, std::regex("[0-9]{1,5}")) || std::stoi(port) < 1 || std::stoi(port) > 65535)
        fail(root["port"], "port must be a number from 1 to 65535");
      s.port = std::stoi(port);
    }
    parse_steps(require(root, "steps"), s);
    parse_expect(require(root, "expect"), s);
    return s;
  }

 private:
  [[noreturn]] void fail(const YAML::Node& at, const std::string& problem) const {
    throw ScenarioError(file_, at.Mark().line + 1, problem);
  }

  YAML::Node require(const YAML::Node& map, const char* key) const {
    auto n = map[key];
    if (!n) fail(map, std::string("missing '") + key + "'");
    return n;
  }

  std::string scalar(const YAML::Node& n, const std::string& what) const {
    if (!n.IsScalar()) fail(n, what + " must be a single value");
    return n.Scalar();
  }

  std::vector<std::string> scalars(const YAML::Node& n, const std::string& what) const {
    if (!n.IsSequence()) fail(n, what + " must be a list");
    std::vector<std::string> out;
    for (const auto& item : n) out.push_back(scalar(item, what + " entry"));
    return out;
  }

  std::chrono::milliseconds duration(const YAML::Node& n) const {
    try {
      return parse_duration(scalar(n, "duration"));
    } catch (const std::invalid_argument& e) {
      fail(n, e.what());
    }
  }

  Side side(const YAML::Node& key) const {
    const auto name = scalar(key, "side");
    if (name == "client") return Side::client;
    if (name == "server") return Side::server;
    fail(key, "unknown peer '" + name + "' (expected client or server)");
  }

  static std::string leading_comment(const std::string& text) {
    std::istringstream in(text);
    std::string claim;
    for (std::string line; std::getline(in, line) && line.rfind("#", 0) == 0;) {
      const auto body = line.find_first_not_of("# ");
      if (body == std::string::npos) continue;
      claim += (claim.empty() ? "" : " ") + line.substr(body);
    }
    return claim;
  }

  void parse_sysctl(const YAML::Node& n, Scenario& s) const {
    if (!n.IsMap()) fail(n, "sysctl must map client/server to settings");
    static const std::regex key_form(R"(net\.(ipv4|ipv6|core)(\.[a-z0-9_]+)+)");
    for (const auto& per_side : n) {
      const Side who = side(per_side.first);
      if (per_side.second.IsNull()) continue;
      if (!per_side.second.IsMap()) fail(per_side.second, "sysctl." + to_string(who) + " must be a mapping");
      for (const auto& kv : per_side.second) {
        const auto key = scalar(kv.first, "sysctl name");
        if (!std::regex_match(key, key_form))
          fail(kv.first, "sysctl '" + key + "' is not a per-namespace net.ipv4/net.ipv6/net.core setting");
        const auto value = scalar(kv.second, "sysctl value");
        if (value.empty() || value.find_first_of("\n/") != std::string::npos)
          fail(kv.second, "sysctl value for '" + key + "' must be one line");
        s.sysctl[who][key] = value;
      }
    }
  }

  void parse_steps(const YAML::Node& n, Scenario& s) const {
    if (!n.IsSequence() || n.size() == 0) fail(n, "steps must be a non-empty list");
    for (const auto& item : n) {
      if (!item.IsMap() || item.size() != 1)
        fail(item, "a step is one 'client: ACTION', 'server: ACTION', 'wire: FAULT' or 'wait: DURATION'");
      const auto kv = *item.begin();
      Step step;
      step.line = kv.first.Mark().line + 1;
      const auto who = scalar(kv.first, "step key");
      step.text = scalar(kv.second, "step");
      try {
        if (who == "wait") step.what = WaitStep{parse_duration(step.text)};
        else if (who == "wire") {
          step.what = parse_wire_step(step.text);
          if (std::holds_alternative<Netem>(std::get<WireStep>(step.what).action)) s.needs_netem = true;
        } else {
          step.what = parse_peer_step(side(kv.first), step.text);
          const auto& action = std::get<PeerStep>(step.what).action;
          if (std::holds_alternative<TlsHandshake>(action) || std::holds_alternative<TlsStall>(action)) s.uses_tls = true;
        }
      } catch (const std::invalid_argument& e) {
        fail(kv.second, e.what());
      }
      step.text = who + " " + step.text;
      s.steps.push_back(std::move(step));
    }
  }

  void parse_expect(const YAML::Node& n, Scenario& s) const {
    if (!n.IsMap()) fail(n, "expect must be a mapping with wire and forbid");
    for (const auto& kv : n) {
      const auto key = scalar(kv.first, "key");
      if (key == "wire") {
        if (!kv.second.IsSequence() || kv.second.size() == 0) fail(kv.second, "expect.wire must be a non-empty list");
        for (const auto& item : kv.second) s.wire.push_back({item.Mark().line + 1, pattern(item)});
      } else if (key == "forbid") {
        if (!kv.second.IsSequence()) fail(kv.second, "expect.forbid must be a list");
        for (const auto& item : kv.second) {
          try {
            s.forbid.push_back({item.Mark().line + 1, pcap::parse_packet_pattern(scalar(item, "forbid entry"))});
          } catch (const pcap::PatternError& e) {
            fail(item, e.what());
          }
        }
      } else if (key == "states") {
        per_side(kv.second, key, [&](Side who, const YAML::Node& list) {
          std::vector<pcap::StatePattern> patterns;
          for (const auto& item : list) {
            try {
              patterns.push_back(pcap::parse_state_pattern(scalar(item, "state")));
            } catch (const std::invalid_argument& e) {
              fail(item, e.what());
            }
          }
          s.states[who] = {list.Mark().line + 1, patterns};
        });
      } else if (key == "leftovers" || key == "forbid_leftovers") {
        auto& target = key == "leftovers" ? s.leftovers : s.forbid_leftovers;
        per_side(kv.second, key, [&](Side who, const YAML::Node& list) {
          std::vector<std::string> states;
          for (const auto& item : list) {
            const auto state = scalar(item, "state");
            if (!pcap::is_tcp_state(state)) fail(item, "unknown TCP state '" + state + "'");
            states.push_back(pcap::strip_tcp_prefix(state));
          }
          target[who] = {list.Mark().line + 1, states};
        });
      } else {
        fail(kv.first, "unknown key 'expect." + key + "' (known: wire forbid states leftovers forbid_leftovers)");
      }
    }
    if (s.wire.empty()) fail(n, "expect.wire is required: say what the wire must carry");
  }

  // "client: [...]" / "server: [...]" under expect.KEY
  template <typename Each>
  void per_side(const YAML::Node& n, const std::string& key, Each each) const {
    if (!n.IsMap()) fail(n, "expect." + key + " maps client and/or server to a list");
    for (const auto& kv : n) {
      const Side who = side(kv.first);
      if (!kv.second.IsSequence()) fail(kv.second, "expect." + key + "." + to_string(who) + " must be a list");
      each(who, kv.second);
    }
  }

  pcap::PatternElement pattern(const YAML::Node& item) const {
    try {
      return pcap::parse_pattern(scalar(item, "wire pattern"));
    } catch (const pcap::PatternError& e) {
      fail(item, e.what());
    }
  }

  std::filesystem::path file_;
};

}  // namespace

Scenario parse_scenario_text(const std::string& text, const std::filesystem::path& file) {
  return Parser(file).parse(text);
}

Scenario parse_scenario_file(const std::filesystem::path& file) {
  std::ifstream in(file);
  if (!in) throw ScenarioError(file, 0, "cannot open the file");
  std::stringstream buffer;
  buffer << in.rdbuf();
  return parse_scenario_text(buffer.str(), file);
}

}  // namespace closepath
