#include "netem.hpp"

#include "topology.hpp"

namespace closepath {

std::vector<std::vector<std::string>> netem_commands(const Netem& n) {
  std::vector<std::vector<std::string>> commands;
  auto leg = [&](const char* dev) {
    std::vector<std::string> argv{"tc", "qdisc", "replace", "dev", dev, "root", "netem"};
    argv.insert(argv.end(), n.args.begin(), n.args.end());
    commands.push_back(std::move(argv));
  };
  if (covers(n.dirs, Dir::c2s)) leg(kServerLeg);  // the client's packets leave the wire toward the server
  if (covers(n.dirs, Dir::s2c)) leg(kClientLeg);
  return commands;
}

void apply_netem(const NetNamespace& wire, const Netem& n) {
  for (const auto& argv : netem_commands(n)) run_in(wire, argv);
}

}  // namespace closepath
