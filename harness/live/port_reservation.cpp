#include "port_reservation.hpp"

#include "errors.hpp"

#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>
#include <utility>

namespace closepath {
namespace {
constexpr int kLow = kFirstClientPort, kHigh = kLastClientPort;
}

int PortReservation::try_hold(int port) {
  const int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd < 0) throw HostError(std::string("socket(AF_UNIX): ") + std::strerror(errno));
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  const std::string name = "closepath-client-port-" + std::to_string(port);
  std::memcpy(addr.sun_path + 1, name.data(), name.size());  // sun_path[0] == 0: abstract
  const auto len = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + 1 + name.size());
  if (bind(fd, reinterpret_cast<sockaddr*>(&addr), len) == 0) return fd;
  const int e = errno;
  close(fd);
  if (e != EADDRINUSE) throw HostError("reserving client port " + std::to_string(port) + ": " + std::strerror(e));
  return -1;
}

PortReservation PortReservation::first_free(int preferred) {
  const int span = kHigh - kLow + 1;
  for (int i = 0; i < span; ++i) {
    const int port = kLow + ((preferred - kLow) % span + i + span) % span;
    if (const int fd = try_hold(port); fd >= 0) return {fd, port};
  }
  throw HostError("no free client port between " + std::to_string(kLow) + " and " + std::to_string(kHigh) +
                  ": too many closepath runs at once");
}

PortReservation PortReservation::exactly(int port) {
  const int fd = try_hold(port);
  if (fd < 0) throw HostError("client port " + std::to_string(port) + " is in use by another closepath run");
  return {fd, port};
}

// Processes of one -j run have neighbouring ids: a stride coprime to the
// range's 40000 ports puts their starts 4099 ports apart, so one lane does
// not step onto the port its sibling has just let go.
PortSequence::PortSequence()
    : next_(kLow + static_cast<int>((static_cast<long long>(getpid()) * 4099) % (kHigh - kLow + 1))) {}

PortReservation PortSequence::take(int exactly) {
  auto held = exactly ? PortReservation::exactly(exactly) : PortReservation::first_free(next_);
  next_ = held.port() + 1;
  return held;
}

PortReservation::PortReservation(PortReservation&& other) noexcept
    : fd_(std::exchange(other.fd_, -1)), port_(other.port_) {}

PortReservation::~PortReservation() {
  if (fd_ >= 0) close(fd_);
}

}  // namespace closepath
