// report.html: a run for people, from its report.json alone: one
// self-contained page (inline SVG, CSS and a few lines of JS; a content
// security policy forbids fetching anything) with the sequence diagram
// (client | wire | server, an arrow per frame, what the wire did drawn on
// its lane, the steps on their sides, the state changes each frame caused),
// the first mismatch marked on its frame and linked from the top, the
// expected patterns, the states, the leftovers and the programs' lines.
// Meaning never rests on colour alone (words and marks say it too), and the
// page prints. index.html: every run of one `closepath run`, with links.
#pragma once

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

namespace closepath {

std::string report_html(const nlohmann::json& report);

// One run for the index: its report and its directory relative to the index.
struct IndexedRun {
  nlohmann::json report;
  std::string dir;
};
// `title` heads the page; `spreads` is the --repeat summary's text, if any.
std::string index_html(const std::vector<IndexedRun>& runs, const std::string& title, const std::string& spreads);

// HTML's five special characters escaped.
std::string html_escape(const std::string& text);

}  // namespace closepath
