// `closepath doctor`: what this host can do, each capability probed for real
// inside a throwaway namespace (never the host's own), with what it is
// needed for and how to get it.
#pragma once

#include <ostream>
#include <string>
#include <vector>

namespace closepath {

struct Capability {
  std::string name;
  bool present = false;
  bool required = false;  // the core catalogue cannot run without it
  std::string detail;     // what was found, or why not
  std::string needed_for;
  std::string how_to_get;
};

// `rootless`: this process runs in the user namespace rootless mode made (HostSetup).
std::vector<Capability> probe_host(bool rootless);
// Prints the table; returns 0 when every required capability is present, else 3.
int print_doctor(std::ostream& out, const std::vector<Capability>& caps, bool json);

// Whether the kernel offers sch_netem (probed in a throwaway namespace).
bool netem_available(std::string* why = nullptr);

}  // namespace closepath
