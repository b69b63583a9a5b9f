// Each side's TCP state sequence from both sources, as a record (how it is
// built: verdict/states.hpp).
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace closepath {

struct SideStates {
  std::optional<std::vector<std::string>> kernel;  // nullopt: not traced
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
