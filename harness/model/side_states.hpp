// Each side's TCP state sequence from both sources, as a record (how it is
// built: verdict/states.hpp).
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace closepath {

// Where a state of the kernel's sequence comes from: the tracepoints; the
// socket audit (a time-wait socket the tracepoint reports as CLOSE); or, where
// neither can follow a socket (a time-wait socket gone before the audit), the
// capture, followed by the packet that showed it.
inline constexpr const char* kFromTrace = "trace";
inline constexpr const char* kFromAudit = "audit";
inline constexpr const char* kFromCapture = "capture";

struct SideStates {
  std::optional<std::vector<std::string>> kernel;  // nullopt: not traced
  std::vector<std::string> kernel_from;            // per kernel state: kFromTrace, kFromAudit, kFromCapture...
  std::vector<std::string> inferred;
  std::vector<std::string> inferred_from;  // per inferred state: the packet behind it ("frame 6 (c>s F. ...)") or the audit
  std::vector<std::string> resets;  // "sent" / "received", from tcp_*_reset
  std::string note;                 // how the kernel sequence was completed, if it was
  std::string inferred_note;        // how the inferred sequence was completed, if it was
};

struct Addresses {
  std::string client, server;
  int port = 0;  // the client's port: unique per run
};

}  // namespace closepath
