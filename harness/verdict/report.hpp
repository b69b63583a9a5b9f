// Writes what a run produced: capture.pcapng (one interface per wire leg,
// a comment on every packet), report.json, and the console summary.
#pragma once

#include "run_result.hpp"

#include <nlohmann/json.hpp>
#include <ostream>

namespace closepath {

// Comment for frame i: the step under way, what the wire did, and the state
// changes (inferred from the capture) the frame caused.
std::string frame_comment(const RunResult& r, std::size_t frame);

// What check needs from a run and the capture alone cannot give, stored in a
// section comment of the capture that starts with kRunFactsTag.
inline constexpr const char* kRunFactsTag = "closepath-run-facts ";
nlohmann::json run_facts(const RunResult& r);

// The ladder of a run; `colour` for a terminal.
std::string run_ladder(const RunResult& r, bool colour);

// JSON as closepath writes it: bytes that are not UTF-8 are replaced, never
// a reason to fail (indent -1: one line).
std::string json_text(const nlohmann::json& j, int indent = 2);

// Whether output to `fd` gets colour: a terminal, and NO_COLOR unset or
// empty (no-color.org: only a non-empty value turns colour off).
bool colour_for(int fd);

void write_capture(const RunResult& r);
nlohmann::json report_json(const RunResult& r);
// Writes the run's files; the report.json it wrote (with what only writing measures: phases_ms.report_html).
nlohmann::json write_report(const RunResult& r);
// One line per run ("PASS name ...") and, on failure, the mismatch and paths.
void print_summary(std::ostream& out, const RunResult& r);
// The summary, then the ladder when the run failed or `ladder` is set.
void print_run(std::ostream& out, const RunResult& r, bool ladder);

}  // namespace closepath
