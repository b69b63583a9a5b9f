// What one closepath process shares between the runs it makes, owned by the
// command that runs them (closepath run, or a -j lane) and passed to each
// run explicitly: the backstage (rigs built ahead, teardowns off the runs'
// clocks) and the client-port sequence. The process-wide state that remains
// is what a signal handler or the watchdog must reach without being passed
// it: the stop signal (interrupt.hpp) and the activity record (watchdog.hpp).
#pragma once

#include "backstage.hpp"
#include "port_reservation.hpp"

namespace closepath {

struct Session {
  Session() = default;
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;
  ~Session() { backstage.drain(); }

  Backstage backstage;
  PortSequence ports;
};

}  // namespace closepath
