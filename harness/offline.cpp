#include "offline.hpp"

#include "capture_reader.hpp"
#include "fault_program.hpp"
#include "judge.hpp"
#include "ladder.hpp"
#include "pcapng_reader.hpp"
#include "report.hpp"
#include "states.hpp"

namespace closepath {
namespace {

struct Loaded {
  std::vector<pcap::Frame> frames;
  nlohmann::json facts;  // null for captures closepath did not write
};

Loaded load(const std::filesystem::path& capture) {
  Loaded l;
  if (!pcap::is_pcapng(capture)) {
    l.frames = pcap::read_capture(capture);
    return l;
  }
  auto file = pcap::read_pcapng(capture);
  l.frames = std::move(file.frames);
  for (const auto& c : file.section_comments)
    if (c.rfind(kRunFactsTag, 0) == 0) l.facts = nlohmann::json::parse(c.substr(std::string(kRunFactsTag).size()), nullptr, false);
  if (l.facts.is_discarded()) l.facts = nullptr;
  return l;
}

// The flow, with what the wire did to each packet read back from its comment.
pcap::Flow flow_of(const Loaded& l, const OfflineOptions& o) {
  std::optional<std::string> hint = o.client;
  if (!hint && l.facts.is_object()) hint = l.facts.value("client", std::string());
  auto flow = pcap::track_flow(l.frames, hint);
  for (auto& p : flow.packets) {
    p.delivered = note::delivered(p.note);
    p.injected = note::injected(p.note);
  }
  return flow;
}

std::map<Side, std::vector<SocketEntry>> leftovers_of(const nlohmann::json& facts) {
  std::map<Side, std::vector<SocketEntry>> out;
  if (!facts.is_object()) return out;
  for (Side side : {Side::client, Side::server}) {
    auto& list = out[side];
    for (const auto& e : facts["leftovers"].value(to_string(side), nlohmann::json::array()))
      list.push_back({e.value("state", ""), e.value("local", ""), e.value("remote", ""),
                      e.value("local_port", std::uint16_t{0}), e.value("remote_port", std::uint16_t{0}),
                      e.value("recv_q", 0u), e.value("send_q", 0u), e.value("orphan", false)});
  }
  return out;
}

std::string ladder_of(const pcap::Flow& flow, const pcap::InferredStates& inferred, std::optional<std::size_t> marked,
                      bool colour) {
  LadderInput in;
  in.packets = flow.packets;
  in.states = inferred;
  in.marked = marked;
  in.t0_ns = flow.packets.empty() ? 0 : flow.packets.front().mono_ns;
  in.colour = colour;
  return render_ladder(in);
}

}  // namespace

int check_capture(const std::filesystem::path& capture, const Scenario& s, const OfflineOptions& o, std::ostream& out) {
  const auto loaded = load(capture);
  const auto flow = flow_of(loaded, o);
  const auto inferred = pcap::infer_states(flow.packets);
  const auto& facts = loaded.facts;
  const auto leftovers = leftovers_of(facts);
  const int client_port = facts.is_object() ? facts.value("client_port", 0) : flow.client.port;
  auto states = collect_states(std::nullopt, inferred, leftovers, {flow.client.addr, flow.server.addr, client_port},
                               facts.is_object());
  std::vector<std::int64_t> anchors;
  if (facts.is_object()) {
    for (const auto& a : facts["anchors"]) anchors.push_back(a.is_number() ? a.get<std::int64_t>() : 0);
    for (Side side : {Side::client, Side::server})
      if (facts["kernel_states"].contains(to_string(side)))
        states[side].kernel = facts["kernel_states"][to_string(side)].get<std::vector<std::string>>();
  }
  std::optional<std::size_t> marked;
  std::optional<std::string> mismatch = judge_wire(s, flow, anchors, &marked);
  if (!mismatch) mismatch = judge_states(s, states);
  // Leftover sockets are not in a capture: only a closepath capture carries them.
  if (!mismatch && facts.is_object()) mismatch = judge_leftovers(s, leftovers);

  out << (mismatch ? "FAIL  " : "PASS  ") << s.name << "  (check of " << capture.string() << ", " << flow.packets.size()
      << " packets" << (facts.is_object() ? "" : "; no closepath run facts: step times and leftovers not checked") << ")\n";
  if (mismatch) out << "      " << *mismatch << "\n";
  if (mismatch || o.ladder) out << ladder_of(flow, inferred, marked, o.colour);
  return mismatch ? 1 : 0;
}

int show_capture(const std::filesystem::path& capture, const OfflineOptions& o, std::ostream& out) {
  const auto loaded = load(capture);
  const auto flow = flow_of(loaded, o);
  out << capture.string() << ": " << pcap::to_string(flow.client) << " -> " << pcap::to_string(flow.server) << ", "
      << flow.packets.size() << " packets";
  if (flow.other_tcp) out << " (" << flow.other_tcp << " segments of other connections not shown)";
  out << "\n" << ladder_of(flow, pcap::infer_states(flow.packets), std::nullopt, o.colour);
  return 0;
}

}  // namespace closepath
