// A client port no other closepath run on this host is using: held by an
// abstract unix socket named after it in the harness's own network
// namespace, so the reservation needs no files and dies with the process,
// even when it is SIGKILLed. The port keys a run's kernel trace events, so
// two concurrent runs (of one harness or of several) must never share one.
#pragma once

namespace closepath {

class PortReservation {
 public:
  // The first free port from `preferred` on (within 20000-59999); throws
  // HostError when none is free.
  static PortReservation first_free(int preferred);
  // Exactly `port`, or HostError naming the run that holds it.
  static PortReservation exactly(int port);
  PortReservation(PortReservation&& other) noexcept;
  PortReservation& operator=(PortReservation&&) = delete;
  PortReservation(const PortReservation&) = delete;
  ~PortReservation();

  int port() const { return port_; }

 private:
  PortReservation(int fd, int port) : fd_(fd), port_(port) {}
  static int try_hold(int port);  // fd, or -1 when taken
  int fd_ = -1;
  int port_ = 0;
};

}  // namespace closepath
