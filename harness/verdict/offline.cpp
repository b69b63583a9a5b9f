#include "offline.hpp"

#include "unique_fd.hpp"

#include "analysis.hpp"

#include "capture_reader.hpp"
#include "frame_facts.hpp"
#include "frame_notes.hpp"
#include "judge.hpp"
#include "ladder.hpp"
#include "report.hpp"
#include "run_facts.hpp"
#include "states.hpp"

#include <charconv>
#include <unistd.h>

namespace closepath {
namespace {

// A capture file as a source of frames, read again for each pass and never
// held whole.
// A pipe is copied to a temporary file first.
class FileSource {
 public:
  explicit FileSource(std::filesystem::path path) : path_(std::move(path)), fd_(pcap::spool_if_not_seekable(path_)) {}

  void operator()(const pcap::FrameVisitor& each) {
    bool stopped = false;
    auto summary = pcap::read_frames(path_, true, [&](std::size_t i, const pcap::Frame& f) {
      stopped = !each(i, f);
      return !stopped;
    }, fd_.get());
    comments_ = std::move(summary.section_comments);
    if (!stopped) cut_short_ = std::move(summary.cut_short);
  }
  pcap::FrameSource source() {
    return [this](const pcap::FrameVisitor& each) { (*this)(each); };
  }
  // Why reading stopped before the end of the file ("" when it did not).
  const std::string& cut_short() const { return cut_short_; }
  // Those of the sections the last reading went through.
  const std::vector<std::string>& section_comments() const { return comments_; }

 private:
  std::filesystem::path path_;
  UniqueFd fd_;  // the spooled copy of a pipe; none for a file
  std::vector<std::string> comments_;
  std::string cut_short_;
};

struct Loaded {
  explicit Loaded(const std::filesystem::path& capture) : file(capture) {}
  FileSource file;
  std::optional<RunFacts> facts;  // captures closepath did not write have none
  const std::string& cut_short() const { return file.cut_short(); }
};

// The capture's run facts, from its first section (closepath writes them
// there): this reading stops at the first frame.
void load(Loaded& l, const std::filesystem::path& capture) {
  l.file([](std::size_t, const pcap::Frame&) { return false; });
  for (const auto& c : l.file.section_comments()) {
    if (c.rfind(kRunFactsTag, 0) != 0) continue;
    const auto j = nlohmann::json::parse(c.substr(std::string(kRunFactsTag).size()), nullptr, false);
    try {
      if (j.is_discarded()) throw FactsError("not JSON");
      l.facts = parse_facts(j);
    } catch (const FactsError& e) {
      throw std::runtime_error(capture.string() + ": its closepath-run-facts comment is malformed: " + e.what());
    }
  }
}

// Why a capture gave no TCP connection, with everything that may explain it.
std::string nothing_usable(const Loaded& l, const std::map<std::string, std::size_t>& skipped) {
  std::string why = "no TCP connection in the capture";
  std::string more = pcap::describe_skipped(skipped);
  if (!l.cut_short().empty()) more += (more.empty() ? "" : "; ") + l.cut_short();
  return more.empty() ? why : why + " (" + more + ")";
}

// What a reader of a verdict on this capture should know: frames not decoded, a file cut short.
void warn(const std::filesystem::path& capture, const Loaded& l, const std::map<std::string, std::size_t>& skipped,
          std::ostream& err) {
  if (const auto s = pcap::describe_skipped(skipped); !s.empty()) err << capture.string() << ": note: " << s << "\n";
  if (!l.cut_short().empty()) err << "note: read up to where it stops: " << l.cut_short() << "\n";
}

// The flow, with what the wire did to each packet read back from its comment: one connection, or
// (`every_incarnation`) the whole life of its port pair, as a run judges it.
pcap::Flow flow_of(const std::filesystem::path& capture, Loaded& l, const OfflineOptions& o, bool every_incarnation,
                   bool may_be_empty = false) {
  std::optional<std::string> hint = o.client;
  if (!hint && l.facts) hint = l.facts->client;
  auto flow = pcap::track_flow(l.file.source(), hint, every_incarnation);
  if (flow.packets.empty() && !may_be_empty) throw std::runtime_error(capture.string() + ": " + nothing_usable(l, flow.skipped));
  // What the wire did, as the run recorded it; captures before run facts version 4 did not record
  // delivery, and are read from their comments as those versions wrote them.
  if (!l.facts || !l.facts->undelivered) annotate_from_comments(flow);
  if (l.facts)
    for (auto& p : flow.packets) {
      if (const auto it = l.facts->effects.find(p.frame + 1); it != l.facts->effects.end()) p.effects = it->second;
      if (!l.facts->undelivered) continue;
      p.note = note::wire_part(p.note);  // for display: what a program printed is its own line
      p.delivered = !l.facts->undelivered->contains(p.frame + 1);
      p.injected = pcap::has(p.effects, pcap::WireEffect::injected);
    }
  return flow;
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

namespace {

void append_number(std::string& text, std::uint64_t n) {
  char digits[20];
  text.append(digits, std::to_chars(digits, digits + sizeof digits, n).ptr);
}

// One packet as a JSON object, as nlohmann's dump() writes it (keys in
// order, no spaces), without a document made for each: what show --json
// spends most of its time on. Its strings (direction, flag letters) need no
// escaping.
void packet_json(std::string& text, const pcap::FlowPacket& p) {
  text += "{\"ack\":";
  if (p.flags & pcap::kAck) append_number(text, p.ack);
  else text += "null";
  if (!p.checksum_ok) text += ",\"checksum_ok\":false";
  text += ",\"dir\":\"";
  text += pcap::to_string(p.dir);
  text += "\",\"flags\":\"";
  text += pcap::flag_letters(p.flags);
  text += "\",\"frame\":";
  append_number(text, p.frame + 1);  // Wireshark's No.: the frame's place in the file, from 1
  text += ",\"len\":";
  append_number(text, p.len);
  text += ",\"seq\":";
  append_number(text, p.seq);
  if (p.truncated) text += ",\"truncated\":true";
  text += '}';
}

// One connection as JSON, written a packet at a time: a capture of millions
// of packets never becomes one document in memory.
void write_connection(std::ostream& out, const pcap::Flow& flow) {
  using nlohmann::json;
  out << "{\"client\": " << json(pcap::to_string(flow.client)) << ", \"server\": " << json(pcap::to_string(flow.server))
      << ",\n  \"packets\": [";
  std::string text;
  for (std::size_t i = 0; i < flow.packets.size(); ++i) {
    text += i ? ",\n   " : "\n   ";
    packet_json(text, flow.packets[i]);
    if (text.size() >= 1 << 16) out << text, text.clear();
  }
  out << text;
  const auto inferred = pcap::infer_states(flow.packets);
  json states = {{"client", pcap::state_names(inferred.client)}, {"server", pcap::state_names(inferred.server)}};
  if (inferred.starts_unknown) states["start"] = "unknown: the capture begins mid-connection";
  out << "],\n  \"states\": " << states.dump() << "}";
}

nlohmann::json capture_notes(const Loaded& l, const std::map<std::string, std::size_t>& skipped) {
  nlohmann::json j = {{"not_decoded", skipped}};
  if (!l.cut_short().empty()) j["cut_short"] = l.cut_short();
  return j;
}

}  // namespace

namespace {

// The run as its capture records it, judged: the flow and, with closepath's
// run facts, each step's record, the leftover sockets and the kernel's states.
RunResult judged_run(const Scenario& s, pcap::Flow flow, const std::optional<RunFacts>& facts, std::string& note) {
  RunResult r;
  r.scenario = &s;
  r.flow = std::move(flow);
  r.audited = facts.has_value();
  RecordedKernel recorded;
  if (facts) {
    r.leftovers = facts->leftovers;
    r.at_close = facts->at_close;
    r.steps = step_results(s, *facts, note);
    r.programs = facts->programs;
    r.runtimes = facts->runtimes;
    recorded = {facts->kernel_states, facts->kernel_from};
  }
  const int client_port = facts ? facts->client_port : r.flow.client.port;
  analyse(r, {r.flow.client.addr, r.flow.server.addr, client_port}, facts ? &recorded : nullptr);
  return r;
}

// A scenario's line that names what the wire did ("wire injected"), if any.
std::optional<int> line_naming_the_wire(const Scenario& s) {
  for (const auto& p : s.wire)
    if (const auto* run = std::get_if<pcap::PacketRun>(&p.value); run && run->packet.wire) return p.line;
  for (const auto& p : s.forbid)
    if (p.value.wire) return p.line;
  return std::nullopt;
}

}  // namespace

int check_capture(const std::filesystem::path& capture, const Scenario& s, const OfflineOptions& o, std::ostream& out,
                  std::ostream& notes) {
  Loaded loaded(capture);
  load(loaded, capture);
  // A scenario that expects no packet at all is judged on a capture with none (its run facts say the rest).
  auto read = flow_of(capture, loaded, o, true, s.wire.empty() && loaded.facts.has_value());
  warn(capture, loaded, read.skipped, notes);
  const auto& facts = loaded.facts;
  if (const auto line = line_naming_the_wire(s); line && !(facts && facts->effects_recorded))
    throw std::runtime_error(s.file.string() + ":" + std::to_string(*line) + ": names what the wire did ('wire ...'), which " +
                             capture.string() + " does not record (closepath's run facts, version 3 on): unknown, not judged");
  std::string steps_note;
  auto r = judged_run(s, std::move(read), facts, steps_note);
  const auto& flow = r.flow;
  if (!steps_note.empty()) notes << capture.string() << ": note: " << steps_note << "\n";
  const std::optional<std::string> mismatch =
      r.verdict == Verdict::pass ? std::nullopt : std::optional(r.first_mismatch);
  const auto& marked = r.mismatch_packet;

  if (o.json) {
    nlohmann::json j = {{"verdict", mismatch ? "fail" : "pass"},
                        {"scenario", s.name},
                        {"capture", capture.string()},
                        {"client", pcap::to_string(flow.client)},
                        {"server", pcap::to_string(flow.server)},
                        {"packets", flow.packets.size()},
                        {"run_facts", facts.has_value()},
                        {"capture_notes", capture_notes(loaded, flow.skipped)}};
    if (mismatch) j["first_mismatch"] = *mismatch;
    if (marked) j["frame"] = flow.packets[*marked].frame + 1;
    out << j.dump(2) << "\n";
    return mismatch ? 1 : 0;
  }
  const auto judged = flow.packets.empty() ? std::string("no TCP packet")
                                           : std::to_string(flow.packets.size()) + " packets of " +
                                                 pcap::to_string(pcap::Connection{flow.client, flow.server});
  out << (mismatch ? "FAIL  " : "PASS  ") << s.name << "  (check of " << capture.string() << ", " << judged
      << (facts ? "" : "; no closepath run facts: steps and leftovers not checked") << ")\n";
  if (mismatch) out << "      " << *mismatch << "\n";
  if (mismatch || o.ladder) out << ladder_of(flow, r.inferred, marked, o.colour);
  return mismatch ? 1 : 0;
}

int show_capture(const std::filesystem::path& capture, const OfflineOptions& o, std::ostream& out, std::ostream& notes) {
  Loaded loaded(capture);
  load(loaded, capture);
  if (o.json) {
    // Every connection, or the one --client names.
    pcap::Flows all;
    if (o.client) {
      all.flows.push_back(flow_of(capture, loaded, o, false));  // a connection per entry, as without --client
      all.skipped = all.flows.front().skipped;
    } else {
      all = pcap::track_flows(loaded.file.source());
    }
    const auto& flows = all.flows;
    const auto& skipped = all.skipped;
    if (flows.empty()) throw std::runtime_error(capture.string() + ": " + nothing_usable(loaded, skipped));
    warn(capture, loaded, skipped, notes);
    out << "{\"capture\": " << nlohmann::json(capture.string()).dump() << ",\n \"connections\": [";
    for (std::size_t i = 0; i < flows.size(); ++i) {
      out << (i ? ",\n " : "\n ");
      write_connection(out, flows[i]);
    }
    out << "],\n \"capture_notes\": " << capture_notes(loaded, skipped).dump() << "}\n";
    return 0;
  }
  const auto flow = flow_of(capture, loaded, o, true);
  warn(capture, loaded, flow.skipped, notes);
  out << capture.string() << ": " << pcap::to_string(pcap::Connection{flow.client, flow.server}) << ", "
      << flow.packets.size() << " packets";
  if (flow.other_tcp) out << " (" << flow.other_tcp << " segments of other connections not shown)";
  out << "\n" << ladder_of(flow, pcap::infer_states(flow.packets, flow.incarnations), std::nullopt, o.colour);
  return 0;
}

}  // namespace closepath
