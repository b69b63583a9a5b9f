// `user: NAME` in a scenario: who the user's programs run as. Looked up once
// before anything runs (an unknown name is the scenario's error, exit 2) and
// again when a program starts; the child switches to it before exec.
#pragma once

#include "scenario.hpp"

#include <sys/types.h>

#include <optional>
#include <string>
#include <vector>

namespace closepath {

struct ProgramUser {
  std::string name, home;
  uid_t uid = 0;
  gid_t gid = 0;
  std::vector<gid_t> groups;  // supplementary groups, as login would set them
};

// The scenario's user, or nullopt when it names none (programs run as the
// harness does: root, or the invoking user in rootless mode). Throws
// ScenarioError at the `user:` line when this machine has no such user.
std::optional<ProgramUser> program_user(const Scenario& s);

// Before anything runs: the user exists, and this process can become it
// (only root can; a rootless run maps nothing but the invoking user). Throws
// ScenarioError at the `user:` line.
void check_program_user(const Scenario& s);

}  // namespace closepath
