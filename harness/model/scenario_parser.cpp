#include "scenario_parser.hpp"

#include "runtime_keys.hpp"

#include "pattern_words.hpp"
#include "program_world_parser.hpp"

#include "yaml_document.hpp"

#include <algorithm>
#include <map>
#include <regex>
#include <set>
#include <sstream>

namespace closepath {

std::string ScenarioError::one_line(const std::string& text) {
  static const char* const hex = "0123456789abcdef";
  std::string out;
  for (const char c : text) {
    const auto u = static_cast<unsigned char>(c);
    if (c == '\n') out += "\\n";
    else if (c == '\t') out += "\\t";
    else if (u < 0x20 || u == 0x7f) out += std::string("\\x") + hex[u >> 4] + hex[u & 15];
    else out += c;
  }
  return out;
}

namespace {

using yaml::Node;
constexpr std::size_t kMaxSteps = 1000;

class Parser {
 public:
  explicit Parser(std::filesystem::path file) : file_(std::move(file)) {}

  Scenario parse(const std::string& text) {
    yaml::NodePtr doc;
    try {
      doc = yaml::parse(text);
    } catch (const yaml::Error& e) {
      throw ScenarioError(file_, e.line, e.what());
    }
    const Node& root = *doc;
    if (!root.is_mapping()) fail(root, "a scenario is a mapping with name, steps and expect");

    Scenario s;
    s.file = file_;
    s.claim = leading_comment(text);
    static const std::set<std::string> known{"name", "summary", "tags",   "port",  "sysctl", "rto_min",
                                             "timers", "user", "family", "peer", "differs", "programs", "steps", "expect"};
    for (const auto& [k, v] : root.pairs) {
      const auto key = scalar(*k, "key");
      if (!known.count(key))
        fail(*k, "unknown key '" + key + "' (known: name summary tags port sysctl rto_min timers user family peer differs programs steps expect)");
    }
    const Node& name = require(root, "name");
    s.name = scalar(name, "name");
    if (!std::regex_match(s.name, std::regex("[a-z0-9_]{1,64}")))
      fail(name, "name '" + s.name + "' must be 1 to 64 lowercase letters, digits and _");
    if (const auto* n = root.find("summary")) s.summary = line_text(*n, "summary");
    if (const auto* n = root.find("tags")) {
      s.tags = scalars(*n, "tags");
      static const std::regex tag_form("[a-z0-9_-]{1,32}");
      for (const auto& t : s.tags)
        if (!std::regex_match(t, tag_form)) fail(*n, "tag '" + t + "' must be 1 to 32 lowercase letters, digits, - and _");
    }
    if (const auto* n = root.find("sysctl")) parse_sysctl(*n, s);
    if (const auto* n = root.find("rto_min")) {
      if (!n->is_mapping()) fail(*n, "rto_min maps client/server to a duration");
      for (const auto& [k, v] : n->pairs) s.rto_min[side(*k)] = duration(*v);
    }
    parse_settings(root, s);
    parse_steps(require(root, "steps"), s);
    if (s.user && s.program_sides.empty()) fail(*root.find("user"), "user applies to programs, and no step runs one (exec)");
    if (const auto* n = root.find("programs")) parse_programs(*n, s);
    s.writes_credentials = names_credentials(s);
    parse_expect(require(root, "expect"), s);
    check_anchors(s);
    return s;
  }

 private:
  // The run's settings: timers, port, family and the programs' user.
  void parse_settings(const Node& root, Scenario& s) const {
    if (const auto* n = root.find("timers")) s.timers = duration(*n);
    if (const auto* n = root.find("port")) {
      const auto port = scalar(*n, "port");
      if (!std::regex_match(port, std::regex("[0-9]{1,5}")) || std::stoi(port) < 1 || std::stoi(port) > 65535)
        fail(*n, "port must be a number from 1 to 65535");
      s.port = std::stoi(port);
    }
    if (const auto* n = root.find("family")) {
      const auto family = scalar(*n, "family");
      if (family == "ipv4") s.family = Family::ipv4;
      else if (family == "ipv6") s.family = Family::ipv6;
      else fail(*n, "family is ipv4 or ipv6, not '" + family + "'");
    }
    if (const auto* n = root.find("peer")) s.peers = parse_peer_key(*n, file_);
    if (const auto* n = root.find("differs")) s.differs = parse_differs_key(*n, file_);
    if (const auto* n = root.find("user")) {
      s.user = Located<std::string>{n->line, scalar(*n, "user")};
      if (!std::regex_match(s.user->value, std::regex("[A-Za-z_][A-Za-z0-9_.-]{0,31}")))
        fail(*n, "user '" + s.user->value + "' is not a user name");
    }
  }

  [[noreturn]] void fail(const Node& at, const std::string& problem) const {
    throw ScenarioError(file_, at.line, problem);
  }

  const Node& require(const Node& map, const char* key) const {
    const Node* n = map.find(key);
    if (!n) fail(map, std::string("missing '") + key + "'");
    return *n;
  }

  std::string scalar(const Node& n, const std::string& what) const {
    if (!n.is_scalar()) fail(n, what + " must be a single value");
    return n.value;
  }

  // A scalar that is one line of printable text (it reaches reports, captures and terminals).
  std::string line_text(const Node& n, const std::string& what) const {
    try {
      return yaml::line_text(n, what);
    } catch (const yaml::Error& e) {
      fail(n, e.what());
    }
  }

  std::vector<std::string> scalars(const Node& n, const std::string& what) const {
    if (!n.is_sequence()) fail(n, what + " must be a list");
    std::vector<std::string> out;
    for (const auto& item : n.items) out.push_back(line_text(*item, what + " entry"));
    return out;
  }

  std::chrono::milliseconds duration(const Node& n) const {
    try {
      return parse_duration(scalar(n, "duration"));
    } catch (const std::invalid_argument& e) {
      fail(n, e.what());
    }
  }

  Side side(const Node& key) const {
    const auto name = scalar(key, "side");
    if (const auto side = side_named(name)) return *side;
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

  void parse_sysctl(const Node& n, Scenario& s) const {
    if (!n.is_mapping()) fail(n, "sysctl must map client/server to settings");
    static const std::regex key_form(R"(net\.(ipv4|ipv6|core)(\.[a-z0-9_]+)+)");
    // A value is numbers or words separated by single spaces ("1", "4096 87380 6291456", "reno"):
    // what net.* settings take, and nothing a shell or a path would make something of.
    static const std::regex value_form(R"([A-Za-z0-9_.:-]+( [A-Za-z0-9_.:-]+)*)");
    for (const auto& [side_key, settings] : n.pairs) {
      const Side who = side(*side_key);
      if (settings->is_null()) continue;
      if (!settings->is_mapping()) fail(*settings, "sysctl." + to_string(who) + " must be a mapping");
      for (const auto& [k, v] : settings->pairs) {
        const auto key = scalar(*k, "sysctl name");
        if (key.size() > 128 || !std::regex_match(key, key_form))
          fail(*k, "sysctl '" + key + "' is not a per-namespace net.ipv4/net.ipv6/net.core setting");
        const auto value = scalar(*v, "sysctl value");
        if (value.size() > 256 || !std::regex_match(value, value_form))
          fail(*v, "sysctl value '" + value + "' for '" + key +
                       "' must be numbers or words separated by single spaces (letters, digits, _ . : -)");
        s.sysctl[who][key] = {k->line, value};
      }
    }
  }

  // What a step needs an earlier step of its side to have done: refused
  // here, since it could only fail at run time.
  struct StepOrder {
    std::map<Side, std::size_t> backgrounds, awaits;
    std::set<Side> handshakes, inq_on;
    void check(const PeerStep& ps) {
      const std::string side = to_string(ps.side);
      if (std::holds_alternative<Await>(ps.action) && awaits[ps.side]++ == backgrounds[ps.side])
        throw std::invalid_argument("nothing to await: no " + side + " step before it runs in the background (end one with '&')");
      if (std::holds_alternative<TlsCloseNotify>(ps.action) && !handshakes.contains(ps.side))
        throw std::invalid_argument("tls close_notify needs a TLS session: no 'tls handshake' of the " + side + " before it");
      if (std::holds_alternative<TlsHandshake>(ps.action)) handshakes.insert(ps.side);
      if (const auto* set = std::get_if<protocol::SetOption>(&ps.action); set && set->name == "tcp_inq") {
        if (set->value) inq_on.insert(ps.side);
        else inq_on.erase(ps.side);
      }
      if (const auto* get = std::get_if<protocol::Get>(&ps.action); get && get->item == protocol::Get::Item::cm_inq && !inq_on.contains(ps.side))
        throw std::invalid_argument("get cm_inq needs TCP_INQ on: no 'set tcp_inq 1' of the " + side + " before it");
      if (ps.background) ++backgrounds[ps.side];
    }
    bool holds = false;
    void check(const WireStep& ws) {
      if (std::holds_alternative<Hold>(ws.action)) holds = true;
      if (std::holds_alternative<Release>(ws.action) && !holds)
        throw std::invalid_argument("nothing to release: no 'wire: hold' step before it");
    }
  };

  void parse_steps(const Node& n, Scenario& s) const {
    if (!n.is_sequence() || n.items.empty()) fail(n, "steps must be a non-empty list");
    if (n.items.size() > kMaxSteps) fail(n, "more than " + std::to_string(kMaxSteps) + " steps");
    StepOrder order;
    for (const auto& item : n.items) {
      if (!item->is_mapping() || item->pairs.empty())
        fail(*item, "a step is one 'client: ACTION', 'server: ACTION', 'wire: FAULT' or 'wait: DURATION'");
      const auto& [key, value] = item->pairs.front();
      Step step;
      step.line = key->line;
      const auto who = scalar(*key, "step key");
      step.text = line_text(*value, "step");
      try {
        if (who == "wait") std::visit([&](auto&& w) { step.what = w; }, parse_wait_step(step.text));
        else if (who == "wire") {
          step.what = parse_wire_step(step.text);
          order.check(std::get<WireStep>(step.what));
          if (std::holds_alternative<Netem>(std::get<WireStep>(step.what).action)) s.needs_netem = true;
          if (std::holds_alternative<Impair>(std::get<WireStep>(step.what).action)) s.impairs = true;
        } else if (auto program = parse_program_step(side(*key), step.text)) {
          if (std::holds_alternative<Exec>(program->action)) s.program_sides.insert(program->side);
          else if (!s.program_sides.contains(program->side))
            throw std::invalid_argument("no program runs on this side yet: start one with 'exec PROGRAM ARGS...' first");
          step.what = std::move(*program);
        } else {
          step.what = parse_peer_step(side(*key), step.text);
          auto& ps = std::get<PeerStep>(step.what);
          read_named_files(ps.action);
          order.check(ps);
          if (std::holds_alternative<TlsHandshake>(ps.action) || std::holds_alternative<TlsStall>(ps.action)) s.uses_tls = true;
        }
      } catch (const std::invalid_argument& e) {
        fail(*value, e.what());
      }
      parse_runtime_outcomes(*item, step.text, std::get_if<PeerStep>(&step.what), file_);
      step.text = who + " " + step.text;
      s.steps.push_back(std::move(step));
    }
  }

  void parse_expect(const Node& n, Scenario& s) const {
    if (!n.is_mapping()) fail(n, "expect must be a mapping with wire and forbid");
    bool wire_given = false;
    for (const auto& [k, v] : n.pairs) {
      const auto key = scalar(*k, "key");
      if (key == "wire") {
        // An empty list expects no packet of the connection at all (a program that must never connect).
        if (!v->is_sequence()) fail(*v, "expect.wire must be a list (empty: no packet at all)");
        wire_given = true;
        s.wire_line = k->line;
        for (const auto& item : v->items) s.wire.push_back({item->line, pattern(*item)});
      } else if (key == "forbid") {
        if (!v->is_sequence()) fail(*v, "expect.forbid must be a list");
        for (const auto& item : v->items) {
          try {
            auto forbidden = pcap::parse_packet_pattern(line_text(*item, "forbid entry"));
            pcap::check_places(forbidden, pcap::PatternPlace::forbid);
            s.forbid.push_back({item->line, std::move(forbidden)});
          } catch (const pcap::PatternError& e) {
            fail(*item, e.what());
          }
        }
      } else if (key == "states") {
        per_side(*v, key, [&](Side who, const Node& list) {
          std::vector<pcap::StatePattern> patterns;
          for (const auto& item : list.items) {
            try {
              patterns.push_back(pcap::parse_state_pattern(scalar(*item, "state")));
            } catch (const std::invalid_argument& e) {
              fail(*item, e.what());
            }
          }
          s.states[who] = {list.line, patterns};
        });
      } else if (key == "leftovers" || key == "forbid_leftovers") {
        parse_leftovers(*v, key, key == "leftovers" ? s.leftovers : s.forbid_leftovers);
      } else if (key == "left_running") {
        if (!v->is_sequence() || v->items.empty()) fail(*v, "expect.left_running must be a list of sides: [client], [server]");
        std::set<Side> sides;
        for (const auto& item : v->items) {
          const Side who = side(*item);
          if (!s.program_sides.contains(who)) fail(*item, "no program runs on the " + to_string(who) + " (exec): none can leave anything");
          sides.insert(who);
        }
        s.left_running = Located<std::set<Side>>{v->line, sides};
      } else {
        fail(*k, "unknown key 'expect." + key + "' (known: wire forbid states leftovers forbid_leftovers left_running)");
      }
    }
    if (!wire_given) fail(n, "expect.wire is required: say what the wire must carry ([] for nothing at all)");
  }

  // expect.leftovers / forbid_leftovers: per side, "STATE [FIELD VALUE]..." each.
  void parse_leftovers(const Node& n, const std::string& key, std::map<Side, Located<std::vector<LeftoverPattern>>>& target) const {
    per_side(n, key, [&](Side who, const Node& list) {
      std::vector<LeftoverPattern> sockets;
      for (const auto& item : list.items) {
        try {
          sockets.push_back(parse_leftover_pattern(line_text(*item, "leftover")));
        } catch (const std::invalid_argument& e) {
          fail(*item, e.what());
        }
      }
      target[who] = {list.line, sockets};
    });
  }

  void parse_programs(const Node& n, Scenario& s) const {
    s.program_worlds = parse_program_worlds(n, file_);
    for (const auto& [who, world] : s.program_worlds) {
      if (!s.program_sides.count(who))
        throw ScenarioError(file_, world.line, "programs." + to_string(who) + " applies to programs, and no " + to_string(who) +
                                                   " step runs one (exec)");
    }
  }

  // "at ... after step N" must name a step the scenario has.
  void check_anchors(const Scenario& s) const {
    auto check = [&](std::size_t anchor, int line) {
      if (anchor > s.steps.size())
        throw ScenarioError(file_, line, "'after step " + std::to_string(anchor) +
                                             "' names a step the scenario does not have (it has " +
                                             std::to_string(s.steps.size()) + ")");
    };
    for (const auto& p : s.wire) {
      const auto* run = std::get_if<pcap::PacketRun>(&p.value);
      if (run && run->packet.at) check(run->packet.at->anchor, p.line);
    }
    for (const auto& step : s.steps) {
      if (const auto* ps = std::get_if<PeerStep>(&step.what); ps && ps->expect.at) check(ps->expect.at->anchor, step.line);
      if (const auto* ps = std::get_if<ProgramStep>(&step.what); ps && ps->at) check(ps->at->anchor, step.line);
    }
  }

  // "client: [...]" / "server: [...]" under expect.KEY
  template <typename Each>
  void per_side(const Node& n, const std::string& key, Each each) const {
    if (!n.is_mapping()) fail(n, "expect." + key + " maps client and/or server to a list");
    for (const auto& [k, v] : n.pairs) {
      const Side who = side(*k);
      if (!v->is_sequence()) fail(*v, "expect." + key + "." + to_string(who) + " must be a list");
      each(who, *v);
    }
  }

  // An action that names a file (send file PATH) reads it now: a missing one is refused with its line.
  void read_named_files(PeerAction& action) const {
    const auto dir = std::filesystem::absolute(file_).parent_path().string();
    std::visit(
        [&](auto& a) {
          using T = std::decay_t<decltype(a)>;
          if constexpr (requires { T::read_files(a, dir); }) T::read_files(a, dir);
        },
        action);
  }

  pcap::PatternElement pattern(const Node& item) const {
    try {
      auto element = pcap::parse_pattern(line_text(item, "wire pattern"));
      if (const auto* run = std::get_if<pcap::PacketRun>(&element)) pcap::check_places(run->packet, pcap::PatternPlace::expect);
      return element;
    } catch (const pcap::PatternError& e) {
      fail(item, e.what());
    }
  }

  std::filesystem::path file_;
};

}  // namespace

Scenario parse_scenario_text(const std::string& text, const std::filesystem::path& file) {
  // YAML also allows UTF-16 and UTF-32 (with a byte-order mark); scenarios are UTF-8, as the README says.
  if (text.size() >= 2 && ((text[0] == '\xff' && text[1] == '\xfe') || (text[0] == '\xfe' && text[1] == '\xff')))
    throw ScenarioError(file, 0, "the file is UTF-16 or UTF-32: scenario files are UTF-8");
  if (text.size() >= 4 && text.compare(0, 4, std::string("\0\0\xfe\xff", 4)) == 0)
    throw ScenarioError(file, 0, "the file is UTF-32: scenario files are UTF-8");
  return Parser(file).parse(text);
}

}  // namespace closepath
