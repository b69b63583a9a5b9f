// A client port no other closepath run on this host is using: held by an
// abstract unix socket named after it in the harness's own network
// namespace, so the reservation needs no files and dies with the process,
// even when it is SIGKILLed. The port keys a run's kernel trace events, so
// two concurrent runs (of one harness or of several) must never share one.
#pragma once

namespace closepath {

// The client ports runs take: one range, for the reservation and its messages.
inline constexpr int kFirstClientPort = 20000, kLastClientPort = 59999;

class PortReservation {
 public:
  // The first free port from `preferred` on (within kFirstClientPort-kLastClientPort);
  // throws HostError when none is free.
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

// The ports one process's runs take in turn: each run the next free one on,
// so a port comes round again only after tens of thousands of runs. Starts
// at a point of the range set by the process id (spread, so that the lanes
// of one -j run, whose ids neighbour, start far apart), so two harnesses at
// once seldom try the same ports first.
class PortSequence {
 public:
  PortSequence();
  // `exactly` when it is not 0 (--port), else the next free one.
  PortReservation take(int exactly);

 private:
  int next_;
};

}  // namespace closepath
