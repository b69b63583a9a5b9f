#include "program_user.hpp"

#include "scenario_parser.hpp"

#include <grp.h>
#include <pwd.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace closepath {

std::optional<ProgramUser> program_user(const Scenario& s) {
  if (!s.user) return std::nullopt;
  const auto& name = s.user->value;
  std::vector<char> buf(16384);
  passwd pw{}, *found = nullptr;
  const int e = getpwnam_r(name.c_str(), &pw, buf.data(), buf.size(), &found);
  if (!found)
    throw ScenarioError(s.file, s.user->line,
                        "user '" + name + "': " + (e ? std::strerror(e) : "this machine has no such user"));
  ProgramUser u{.name = name, .home = pw.pw_dir, .uid = pw.pw_uid, .gid = pw.pw_gid, .groups = {}};
  int count = 32;
  for (;;) {
    u.groups.resize(static_cast<std::size_t>(count));
    const int want = count;
    if (getgrouplist(name.c_str(), pw.pw_gid, u.groups.data(), &count) >= 0) break;
    if (count <= want) count = want * 2;  // some libcs do not report the size they need
  }
  u.groups.resize(static_cast<std::size_t>(count));
  return u;
}

void check_program_user(const Scenario& s) {
  if (!s.user) return;
  program_user(s);
  if (geteuid() != 0)
    throw ScenarioError(s.file, s.user->line,
                        "user '" + s.user->value + "': programs can run as another user only when closepath runs as root; "
                        "this run is rootless, and its user namespace maps no one but you");
}

}  // namespace closepath
