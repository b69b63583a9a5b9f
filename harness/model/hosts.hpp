// The two endpoints' addresses and the wire's leg names: fixed for every
// run, so a capture, a report and the topology that made them agree.
#pragma once

#include <string>

namespace closepath {

struct Host {
  std::string address;  // IPv4
  std::string mac;
};

inline const Host kClientHost{"10.0.0.1", "02:00:00:00:00:01"};
inline const Host kServerHost{"10.0.0.2", "02:00:00:00:00:02"};
inline constexpr const char* kClientLeg = "wc";
inline constexpr const char* kServerLeg = "ws";

}  // namespace closepath
