// Writes what a run produced: capture.pcapng (one interface per wire leg,
// a comment on every packet), report.json, and the console summary.
#pragma once

#include "run_result.hpp"

#include <nlohmann/json.hpp>
#include <ostream>

namespace closepath {

// Comment for frame i: the step under way and what the wire did.
std::string frame_comment(const RunResult& r, const WireFrame& f);

void write_capture(const RunResult& r);
nlohmann::json report_json(const RunResult& r);
void write_report(const RunResult& r);
// One line per run ("PASS name ...") and, on failure, the mismatch and paths.
void print_summary(std::ostream& out, const RunResult& r);

}  // namespace closepath
