#include "report_html.hpp"

#include <algorithm>
#include <cstdio>
#include <sstream>

namespace closepath {
namespace {

using nlohmann::json;

// Nothing leaves the file: no fetch, no font, no image but inline data.
constexpr const char* kHead = R"(<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:">
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>
body{font:14px/1.4 system-ui,sans-serif;margin:1.5em;color:#111}
code,pre,.mono,svg text{font-family:ui-monospace,monospace}
h1{font-size:1.3em;margin:0 0 .3em} h2{font-size:1.1em;margin:1.4em 0 .4em}
.verdict{font-weight:bold;padding:0 .4em;border:2px solid}
.pass{color:#075e24} .fail,.error{color:#a40e0e} .skipped{color:#555}
.mismatch-box{border:3px double #a40e0e;padding:.5em;margin:.6em 0}
table{border-collapse:collapse;margin:.3em 0} td,th{border:1px solid #bbb;padding:2px 6px;text-align:left;vertical-align:top}
tr.bad td{background:#fde8e8} tr.bad td:first-child::before{content:"\2717 "}
svg .lane{stroke:#888;stroke-dasharray:4 3} svg .pkt{stroke:#1d3f8f;stroke-width:1.5;fill:none}
svg .pkt.undelivered{stroke-dasharray:6 3} svg .mismatch .pkt{stroke:#a40e0e;stroke-width:3.5}
svg .mark{font-weight:bold} svg .step{fill:#333} svg .step.bad{fill:#a40e0e;font-weight:bold} svg .state{fill:#555;font-size:11px}
svg text{font-size:12px} svg .kernel{font-style:italic} .small{font-size:12px;color:#444}
@media print{body{margin:0} a{color:inherit} .mismatch-box{break-inside:avoid}}
</style>
)";

std::string fmt_ms(double ms) {
  char text[32];
  std::snprintf(text, sizeof text, "%.1f ms", ms);
  return text;
}

std::string str(const json& j, const char* key, const std::string& fallback = "") {
  const auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : fallback;
}

double num(const json& j, const char* key, double fallback = 0) {
  const auto it = j.find(key);
  return it != j.end() && it->is_number() ? it->get<double>() : fallback;
}

// "S. 0:1 len 100", as the ladder labels a packet.
std::string packet_label(const json& tcp) {
  std::string s = str(tcp, "flags") + " " + std::to_string(tcp.value("seq", 0u));
  if (tcp.contains("ack")) s += ":" + std::to_string(tcp.value("ack", 0u));
  if (tcp.value("len", 0u)) s += " len " + std::to_string(tcp.value("len", 0u));
  return s;
}

bool has_effect(const json& row, const char* effect) {
  const auto it = row.find("effects");
  return it != row.end() && std::find(it->begin(), it->end(), effect) != it->end();
}

struct Row {
  double t_ms;
  int order;  // 0 a step, 1 a frame, 2 a state change the kernel traced: steps first on a tie (they cause packets)
  const json* item;
};

// The list under `key`, or an empty one: a reference into `j` (rows point into it), never a temporary.
const json& list(const json& j, const char* key) {
  static const json empty = json::array();
  const auto it = j.find(key);
  return it != j.end() && it->is_array() ? *it : empty;
}

std::vector<Row> rows_of(const json& report) {
  std::vector<Row> rows;
  for (const auto& s : list(report, "steps"))
    if (s.contains("outcome") && s["outcome"].is_object()) rows.push_back({num(s["outcome"], "start_ms"), 0, &s});
  for (const auto& w : list(report, "wire"))
    if (w.contains("tcp")) rows.push_back({num(w, "t_ms"), 1, &w});
  if (const auto states = report.find("states"); states != report.end() && states->is_object())
    for (const auto& c : list(*states, "kernel_changes")) rows.push_back({num(c, "t_ms"), 2, &c});
  std::stable_sort(rows.begin(), rows.end(), [](const Row& a, const Row& b) { return a.t_ms != b.t_ms ? a.t_ms < b.t_ms : a.order < b.order; });
  return rows;
}

// Lanes: the time, the client's steps (right-aligned against its lane), the arrows, the server's steps.
constexpr int kClientX = 380, kWireX = 590, kServerX = 800, kWidth = 1180, kRowHeight = 34;

std::string svg_text(int x, int y, const std::string& text, const char* anchor, const char* cls) {
  return "<text x=\"" + std::to_string(x) + "\" y=\"" + std::to_string(y) + "\" text-anchor=\"" + anchor + "\" class=\"" + cls +
         "\">" + html_escape(text) + "</text>";
}

// `first`: this step holds the run's first mismatch (it is marked, and linked from the top).
std::string step_row(const json& s, int y, bool first) {
  const std::string text = str(s, "text");
  const std::string who = text.substr(0, text.find(' '));
  const bool bad = s.value("ran", false) && !s.value("ok", true);
  std::string label = "[" + std::to_string(s.value("index", 0)) + "] " + text;
  if (s["outcome"].contains("end")) label += " => " + str(s["outcome"], "end");
  // Cut to its side's room (the whole text is in the steps table), the mismatch's words kept whole.
  const std::size_t room = who == "client" ? 44 : who == "server" ? 52 : 60;
  const std::string said = bad ? (first ? "  !! first mismatch" : "  (mismatch)") : "";
  label = label.substr(0, room > said.size() + 12 ? room - said.size() : 12) + said;
  const char* cls = bad ? "step bad" : "step";
  std::string row = "<g id=\"step-" + std::to_string(s.value("index", 0)) + "\"" + (first ? " class=\"mismatch\"" : "") + ">";
  if (who == "client") row += svg_text(kClientX - 10, y, label, "end", cls);
  else if (who == "server") row += svg_text(kServerX + 10, y, label, "start", cls);
  else row += svg_text(kWireX, y, label, "middle", cls);
  return row + "</g>";
}

std::string frame_row(const json& w, int y) {
  const auto& tcp = w["tcp"];
  const bool c2s = str(tcp, "dir") == "c>s";
  const bool injected = w.value("injected", false);
  const bool undelivered = !w.value("forwarded", true) || has_effect(w, "corrupted");
  int from = c2s ? kClientX : kServerX, to = c2s ? kServerX : kClientX;
  if (injected) from = kWireX;
  if (undelivered) to = kWireX;
  const int frame = w.value("frame", 0);
  std::ostringstream o;
  o << "<g id=\"frame-" << frame << "\"" << (w.value("mismatch", false) ? " class=\"mismatch\"" : "") << "><title>"
    << html_escape(str(w, "comment")) << "</title>";
  o << "<line class=\"pkt" << (undelivered ? " undelivered" : "") << "\" x1=\"" << from << "\" y1=\"" << y << "\" x2=\"" << to
    << "\" y2=\"" << y << "\" marker-end=\"url(#head)\"/>";
  o << svg_text((kClientX + kServerX) / 2 + (c2s ? -100 : 100), y - 5, "No. " + std::to_string(frame) + "  " + packet_label(tcp), "middle", "");
  std::string did;
  for (const auto& e : w.value("effects", json::array())) did += (did.empty() ? "" : ", ") + e.get<std::string>();
  if (undelivered && did.empty()) did = "not delivered";
  if (!did.empty()) o << svg_text(kWireX, y + 13, (undelivered ? "X " : "") + did, "middle", "mark");
  for (const char* side : {"client", "server"}) {  // each side's changes at this frame, on one label
    std::string states;
    for (const auto& change : w.value("inferred", json::array()))
      if (str(change, "side") == side) states += (states.empty() ? "" : " > ") + str(change, "state");
    const bool client = std::string(side) == "client";
    if (!states.empty()) o << svg_text(client ? kClientX - 6 : kServerX + 6, y + 13, "[" + states + "]", client ? "end" : "start", "state");
  }
  if (w.value("mismatch", false)) o << svg_text(c2s ? kServerX + 6 : kClientX - 6, y - 5, "!! first mismatch", c2s ? "start" : "end", "step bad");
  o << "</g>";
  return o.str();
}

// A state change from the kernel's trace, on its side's lane (the capture's own inference sits under each frame).
std::string kernel_change_row(const json& c, int y) {
  const bool client = str(c, "side") == "client";
  return svg_text(client ? kClientX - 6 : kServerX + 6, y, "kernel: " + str(c, "from") + " > " + str(c, "to"), client ? "end" : "start",
                  "state kernel");
}

// The step that holds the first mismatch when no frame does (0: none).
int first_bad_step(const json& report) {
  for (const auto& w : list(report, "wire"))
    if (w.value("mismatch", false)) return 0;
  if (!report.contains("first_mismatch")) return 0;
  for (const auto& s : list(report, "steps"))
    if (s.value("ran", false) && !s.value("ok", true)) return s.value("index", 0);
  return 0;
}

std::string sequence_svg(const json& report) {
  const auto rows = rows_of(report);
  const int bad_step = first_bad_step(report);
  const int height = kRowHeight * static_cast<int>(rows.size() + 2);
  std::ostringstream o;
  o << "<svg width=\"" << kWidth << "\" height=\"" << height << "\" role=\"img\" "
    << "aria-label=\"sequence diagram: client, wire, server\"><defs><marker id=\"head\" markerWidth=\"8\" markerHeight=\"8\" "
    << "refX=\"7\" refY=\"4\" orient=\"auto\"><path d=\"M0,0 L8,4 L0,8 z\" fill=\"#1d3f8f\"/></marker></defs>";
  for (const auto& [x, name] : {std::pair{kClientX, "client"}, std::pair{kWireX, "wire"}, std::pair{kServerX, "server"}}) {
    o << svg_text(x, 16, name, "middle", "mark");
    o << "<line class=\"lane\" x1=\"" << x << "\" y1=\"22\" x2=\"" << x << "\" y2=\"" << height << "\"/>";
  }
  int y = 22 + kRowHeight;
  for (const auto& r : rows) {
    o << svg_text(4, y, fmt_ms(r.t_ms), "start", "state");
    if (r.order == 0) o << step_row(*r.item, y, bad_step == r.item->value("index", 0));
    else if (r.order == 1) o << frame_row(*r.item, y);
    else o << kernel_change_row(*r.item, y);
    y += kRowHeight;
  }
  o << "</svg>";
  return o.str();
}

}  // namespace

std::string html_escape(const std::string& text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default: out += c;
    }
  }
  return out;
}

namespace {

std::string header(const json& r) {
  const std::string verdict = str(r, "verdict", "error");
  std::ostringstream o;
  o << "<title>" << html_escape(str(r, "scenario")) << ": " << verdict << "</title></head><body>\n";
  o << "<h1>" << html_escape(str(r, "scenario")) << " <span class=\"verdict " << verdict << "\">" << verdict << "</span></h1>\n";
  o << "<p>" << html_escape(str(r, "claim")) << "</p>\n<p class=\"small\">" << html_escape(str(r, "family")) << ", peers "
    << html_escape(r.value("peers", json::object()).dump()) << ", seed " << r.value("seed", 0ull) << ", "
    << fmt_ms(num(r, "seconds") * 1000) << " &middot; <a href=\"capture.pcapng\">capture.pcapng</a> &middot; "
    << "<a href=\"report.json\">report.json</a></p>\n";
  if (r.contains("first_mismatch")) {
    o << "<div class=\"mismatch-box\"><strong>First mismatch:</strong> <code>" << html_escape(str(r, "first_mismatch")) << "</code>";
    for (const auto& w : list(r, "wire"))
      if (w.value("mismatch", false))
        o << " &rarr; <a href=\"#frame-" << w.value("frame", 0) << "\">frame " << w.value("frame", 0) << " in the diagram</a>";
    if (const int step = first_bad_step(r)) o << " &rarr; <a href=\"#step-" << step << "\">step " << step << " in the diagram</a>";
    o << "</div>\n";
  }
  return o.str();
}

std::string expected_and_seen(const json& r) {
  std::ostringstream o;
  o << "<h2>Expected and seen</h2><table><tr><th>line</th><th>expected pattern</th></tr>";
  for (const auto& e : r.value("expect", json::object()).value("wire", json::array()))
    o << "<tr><td>" << e.value("line", 0) << "</td><td class=\"mono\">" << html_escape(str(e, "pattern")) << "</td></tr>";
  o << "</table><table><tr><th>No.</th><th>ms</th><th>packet</th><th>what the wire did, and why</th></tr>";
  for (const auto& w : list(r, "wire")) {
    if (!w.contains("tcp")) continue;
    o << "<tr" << (w.value("mismatch", false) ? " class=\"bad\"" : "") << "><td>" << w.value("frame", 0) << "</td><td>"
      << fmt_ms(num(w, "t_ms")) << "</td><td class=\"mono\">" << html_escape(str(w["tcp"], "dir") + " " + packet_label(w["tcp"]))
      << "</td><td class=\"small\">" << html_escape(str(w, "comment")) << "</td></tr>";
  }
  o << "</table>";
  return o.str();
}

std::string steps_table(const json& r) {
  std::ostringstream o;
  o << "<h2>Steps</h2><table><tr><th>#</th><th>step</th><th>outcome</th><th>start</th><th>end</th></tr>";
  for (const auto& s : list(r, "steps")) {
    const auto& out = s.value("outcome", json());
    const bool bad = s.value("ran", false) && !s.value("ok", true);
    o << "<tr" << (bad ? " class=\"bad\"" : "") << "><td>" << s.value("index", 0) << "</td><td class=\"mono\">"
      << html_escape(str(s, "text")) << "</td><td>" << (out.is_object() ? html_escape(str(out, "end")) : "not run");
    if (s.contains("mismatch")) o << "<br><span class=\"small\">" << html_escape(str(s, "mismatch")) << "</span>";
    o << "</td><td>" << (out.is_object() ? fmt_ms(num(out, "start_ms")) : "") << "</td><td>"
      << (out.is_object() ? fmt_ms(num(out, "end_ms")) : "") << "</td></tr>";
  }
  o << "</table>";
  return o.str();
}

std::string states_and_leftovers(const json& r) {
  std::ostringstream o;
  o << "<h2>States</h2><table><tr><th>side</th><th>kernel (traced)</th><th>inferred from the capture</th><th>judged by</th></tr>";
  for (const char* side : {"client", "server"}) {
    const auto& st = r.value("states", json::object()).value(side, json::object());
    auto list = [](const json& j) { return j.is_array() ? html_escape(j.dump()) : std::string("unknown"); };
    o << "<tr><td>" << side << "</td><td class=\"mono\">" << list(st.value("kernel", json())) << "</td><td class=\"mono\">"
      << list(st.value("inferred", json())) << "</td><td>" << html_escape(str(st, "judged_by")) << "</td></tr>";
  }
  o << "</table><h2>Sockets left behind</h2><table><tr><th>side</th><th>state</th><th>local</th><th>remote</th></tr>";
  for (const char* side : {"client", "server"})
    for (const auto& s : r.value("leftovers", json::object()).value(side, json::array()))
      o << "<tr><td>" << side << "</td><td>" << html_escape(str(s, "state")) << "</td><td>" << html_escape(str(s, "local"))
        << "</td><td>" << html_escape(str(s, "remote")) << "</td></tr>";
  o << "</table>";
  return o.str();
}

std::string programs_lines(const json& r) {
  if (!r.contains("programs")) return "";
  std::ostringstream o;
  o << "<h2>Programs</h2>";
  for (const auto& p : r["programs"]) {
    o << "<p><strong>" << html_escape(str(p, "side")) << "</strong> <code>" << html_escape(p.value("argv", json::array()).dump())
      << "</code>, ended: " << html_escape(p.value("ended", json()).dump()) << "</p><pre>";
    for (const auto& l : p.value("output", json::array()))
      o << html_escape(fmt_ms(num(l, "ms")) + " " + str(l, "stream") + ": " + str(l, "text")) << "\n";
    o << "</pre>";
  }
  return o.str();
}

// Brings the first mismatch into view, and says whether it is (for a reader's script or a test).
constexpr const char* kScript = R"(<script>
(function(){var m=document.querySelector('.mismatch');if(!m){document.body.dataset.mismatch='none';return;}
if(!location.hash)m.scrollIntoView({block:'center'});var r=m.getBoundingClientRect();
document.body.dataset.mismatch=(r.bottom>0&&r.top<window.innerHeight)?'visible':'hidden';})();
</script>)";

}  // namespace

std::string report_html(const json& report) {
  std::ostringstream o;
  o << kHead << header(report) << "<h2>Sequence</h2><p class=\"small\">Hover a packet for its capture comment. "
    << "A dashed arrow stopping at the wire was not delivered (X: dropped or corrupted); one starting at the wire was "
    << "injected by it. [STATE] under a packet: the state it moved a side to, read from the capture; "
    << "<i>kernel: A &gt; B</i>: a change the kernel traced, at its time.</p>" << sequence_svg(report) << expected_and_seen(report) << steps_table(report)
    << states_and_leftovers(report) << programs_lines(report) << kScript << "</body></html>\n";
  return o.str();
}

std::string index_html(const std::vector<IndexedRun>& runs, const std::string& title, const std::string& spreads) {
  std::ostringstream o;
  o << kHead << "<title>" << html_escape(title) << "</title></head><body><h1>" << html_escape(title) << "</h1>";
  o << "<table><tr><th>scenario</th><th>run</th><th>family</th><th>peers</th><th>verdict</th><th>seconds</th><th>first mismatch</th></tr>";
  for (const auto& run : runs) {
    const auto& r = run.report;
    const std::string verdict = str(r, "verdict", "error");
    o << "<tr" << (verdict == "fail" || verdict == "error" ? " class=\"bad\"" : "") << "><td>" << html_escape(str(r, "scenario"))
      << "</td><td><a href=\"" << html_escape(run.dir) << "/report.html\">" << html_escape(run.dir) << "</a></td><td>"
      << html_escape(str(r, "family")) << "</td><td>" << html_escape(r.value("peers", json::object()).dump()) << "</td><td class=\""
      << verdict << "\">" << verdict << "</td><td>" << num(r, "seconds") << "</td><td class=\"small\">"
      << html_escape(str(r, "first_mismatch", str(r, "error"))) << "</td></tr>";
  }
  o << "</table>";
  if (!spreads.empty()) o << "<h2>Repeat summary</h2><pre>" << html_escape(spreads) << "</pre>";
  o << "</body></html>\n";
  return o.str();
}

}  // namespace closepath
