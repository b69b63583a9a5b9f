// The two endpoints' addresses and the wire's leg names: fixed for every
// run, so a capture, a report and the topology that made them agree.
#pragma once

#include <string>

namespace closepath {

// The address family a run's endpoints speak. IPv4 unless the scenario pins
// one (`family:`) or the run asks for IPv6 (`--ipv6`).
enum class Family { ipv4, ipv6 };

inline const char* to_string(Family f) { return f == Family::ipv4 ? "ipv4" : "ipv6"; }

struct Host {
  std::string address;   // IPv4
  std::string address6;  // IPv6 (a unique local address)
  std::string mac;
  const std::string& address_in(Family f) const { return f == Family::ipv4 ? address : address6; }
};

inline const Host kClientHost{"10.0.0.1", "fd00::1", "02:00:00:00:00:01"};
inline const Host kServerHost{"10.0.0.2", "fd00::2", "02:00:00:00:00:02"};
// The endpoints' subnet in each family, and its prefix length.
inline const char* subnet(Family f) { return f == Family::ipv4 ? "10.0.0.0/24" : "fd00::/64"; }
inline int prefix_length(Family f) { return f == Family::ipv4 ? 24 : 64; }
inline constexpr const char* kClientLeg = "wc";
inline constexpr const char* kServerLeg = "ws";

}  // namespace closepath
