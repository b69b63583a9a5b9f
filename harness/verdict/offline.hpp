// Working on saved captures, without root and without running anything:
// `check` judges one against a scenario's wire, state and leftover
// expectations; `show` prints its ladder. A capture closepath wrote carries
// its run's facts (step times, kernel states, leftover sockets) in a section
// comment, so check gives the live run's verdict; any other capture (e.g.
// from tcpdump on a production host) is judged on what it holds: wire
// patterns without step-relative times, and states inferred from it.
#pragma once

#include "scenario.hpp"

#include <filesystem>
#include <optional>
#include <ostream>
#include <string>

namespace closepath {

struct OfflineOptions {
  std::optional<std::string> client;  // ADDR or ADDR:PORT of the client, for captures with many flows
  bool ladder = false;                // print the ladder even when it passes
  bool colour = false;
  bool json = false;                  // machine-readable output (show: every connection; check: the verdict)
};

// Exit code: 0 pass, 1 fail. Throws std::runtime_error for an unreadable
// capture, or one with no TCP connection (naming what was not decoded).
// `notes` gets what a reader of the verdict should know: frames not
// decoded, a file cut short.
int check_capture(const std::filesystem::path& capture, const Scenario& s, const OfflineOptions& o, std::ostream& out,
                  std::ostream& notes);
int show_capture(const std::filesystem::path& capture, const OfflineOptions& o, std::ostream& out, std::ostream& notes);

}  // namespace closepath
