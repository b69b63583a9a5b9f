#include "judge.hpp"

#include "matcher.hpp"

namespace closepath {

std::string to_string(Verdict v) {
  switch (v) {
    case Verdict::pass: return "pass";
    case Verdict::fail: return "fail";
    case Verdict::error: return "error";
  }
  return "?";
}

namespace {

std::string outcome_text(const std::string& end, std::optional<std::uint64_t> bytes) {
  if (!bytes) return end;
  return end + " (" + std::to_string(*bytes) + " bytes)";
}

std::string where(const Scenario& s, int line) { return s.file.string() + ":" + std::to_string(line) + ": "; }

}  // namespace

std::optional<std::string> compare_outcome(const PeerStep& step, const nlohmann::json& outcome) {
  const std::string end = outcome.value("end", "?");
  const auto bytes = outcome.value("bytes", std::uint64_t{0});
  const bool end_ok = end == step.expect.end;
  const bool bytes_ok = !step.expect.bytes || *step.expect.bytes == bytes;
  if (end_ok && bytes_ok) return std::nullopt;
  return "expected " + outcome_text(step.expect.end, step.expect.bytes) + " vs actual " + outcome_text(end, bytes);
}

std::optional<std::string> judge_wire(const Scenario& s, const pcap::Flow& flow) {
  std::vector<pcap::PatternElement> patterns;
  for (const auto& p : s.wire) patterns.push_back(p.value);
  if (auto m = pcap::match_sequence(patterns, flow.packets)) {
    const int line = m->pattern ? s.wire[*m->pattern].line : s.wire.back().line;
    return where(s, line) + "wire: " + m->message;
  }
  std::vector<pcap::PacketPattern> forbidden;
  for (const auto& f : s.forbid) forbidden.push_back(f.value);
  if (auto m = pcap::match_forbidden(forbidden, flow.packets)) return where(s, s.forbid[*m->pattern].line) + "wire: " + m->message;
  return std::nullopt;
}

void judge(RunResult& r) {
  const Scenario& s = *r.scenario;
  for (std::size_t i = 0; i < r.steps.size(); ++i) {
    const auto& sr = r.steps[i];
    if (!sr.mismatch) continue;
    r.verdict = Verdict::fail;
    r.first_mismatch = where(s, sr.step->line) + "step " + std::to_string(i + 1) + " (" + sr.step->text + "): " + *sr.mismatch;
    return;
  }
  if (auto m = judge_wire(s, r.flow)) {
    r.verdict = Verdict::fail;
    r.first_mismatch = *m;
    return;
  }
  r.verdict = Verdict::pass;
}

}  // namespace closepath
