#include "wire.hpp"

#include "errors.hpp"
#include "topology.hpp"

#include <pcap/pcap.h>
#include <poll.h>
#include <sched.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstring>
#include <memory>

namespace closepath {
namespace {

std::int64_t now_ns(clockid_t clock) {
  timespec ts{};
  clock_gettime(clock, &ts);
  return std::int64_t{ts.tv_sec} * 1'000'000'000 + ts.tv_nsec;
}

using PcapHandle = std::unique_ptr<pcap_t, decltype(&pcap_close)>;

PcapHandle open_leg(const char* leg) {
  char err[PCAP_ERRBUF_SIZE] = {};
  PcapHandle h(pcap_create(leg, err), &pcap_close);
  if (!h) throw HostError(std::string(leg) + ": pcap_create failed: " + err);
  auto check = [&](int rc, const char* call) {
    if (rc != 0) throw HostError(std::string(leg) + ": " + call + " failed: " + pcap_statustostr(rc));
  };
  check(pcap_set_snaplen(h.get(), 262144), "pcap_set_snaplen");
  check(pcap_set_promisc(h.get(), 1), "pcap_set_promisc");
  check(pcap_set_immediate_mode(h.get(), 1), "pcap_set_immediate_mode");
  check(pcap_set_tstamp_precision(h.get(), PCAP_TSTAMP_PRECISION_NANO), "pcap_set_tstamp_precision");
  const int rc = pcap_activate(h.get());
  if (rc < 0) throw HostError(std::string(leg) + ": pcap_activate failed: " + pcap_geterr(h.get()));
  if (pcap_setdirection(h.get(), PCAP_D_IN) != 0)
    throw HostError(std::string(leg) + ": pcap_setdirection failed: " + pcap_geterr(h.get()));
  if (pcap_setnonblock(h.get(), 1, err) != 0) throw HostError(std::string(leg) + ": pcap_setnonblock failed: " + err);
  return h;
}

}  // namespace

Wire::Wire(const NetNamespace& ns, FaultProgram& faults) : faults_(faults), last_frame_ns_(now_ns(CLOCK_MONOTONIC)) {
  stop_fd_ = eventfd(0, EFD_CLOEXEC);
  if (stop_fd_ < 0) throw HostError(std::string("eventfd: ") + std::strerror(errno));
  std::promise<void> ready;
  auto started = ready.get_future();
  thread_ = std::thread([this, &ns, &ready] { run(ns, ready); });
  try {
    started.get();
  } catch (...) {
    thread_.join();
    close(stop_fd_);
    throw;
  }
}

Wire::~Wire() {
  stop();
  close(stop_fd_);
}

std::chrono::nanoseconds Wire::quiet_for() const {
  return std::chrono::nanoseconds(now_ns(CLOCK_MONOTONIC) - last_frame_ns_.load());
}

std::vector<WireFrame> Wire::stop() {
  if (thread_.joinable()) {
    const std::uint64_t one = 1;
    (void)!write(stop_fd_, &one, sizeof one);
    thread_.join();
  }
  std::lock_guard lock(mutex_);
  return frames_;
}

void Wire::run(const NetNamespace& ns, std::promise<void>& ready) {
  std::array<PcapHandle, 2> legs{PcapHandle(nullptr, &pcap_close), PcapHandle(nullptr, &pcap_close)};
  try {
    // Only this thread joins the wire namespace; packet sockets stay bound to it.
    if (setns(ns.fd(), CLONE_NEWNET) != 0) throw HostError(std::string("setns(wire): ") + std::strerror(errno));
    legs[0] = open_leg(kClientLeg);
    legs[1] = open_leg(kServerLeg);
  } catch (...) {
    ready.set_exception(std::current_exception());
    return;
  }
  ready.set_value();

  struct Context {
    Wire* wire;
    pcap_t* out;
    Leg from;
  };
  std::array<Context, 2> contexts{Context{this, legs[1].get(), Leg::client}, Context{this, legs[0].get(), Leg::server}};
  const auto on_packet = [](u_char* user, const pcap_pkthdr* h, const u_char* bytes) {
    auto& c = *reinterpret_cast<Context*>(user);
    WireFrame f;
    f.mono_ns = now_ns(CLOCK_MONOTONIC);
    f.frame.ts_ns = std::int64_t{h->ts.tv_sec} * 1'000'000'000 + h->ts.tv_usec;  // nanosecond precision
    f.frame.interface = static_cast<std::uint32_t>(c.from);
    f.frame.bytes.assign(bytes, bytes + h->caplen);
    f.step = c.wire->step_.load();
    const auto decision = c.wire->faults_.on_frame(c.from, f.frame.bytes);
    f.note = decision.note;
    f.forwarded = decision.forward;
    if (decision.forward && pcap_inject(c.out, bytes, h->caplen) < 0) {
      f.forwarded = false;
      f.note += std::string(f.note.empty() ? "" : "; ") + "inject failed: " + pcap_geterr(c.out);
    }
    c.wire->last_frame_ns_.store(f.mono_ns);
    std::lock_guard lock(c.wire->mutex_);
    c.wire->frames_.push_back(std::move(f));
  };

  std::array<pollfd, 3> fds{};
  for (std::size_t i = 0; i < 2; ++i) fds[i] = {pcap_get_selectable_fd(legs[i].get()), POLLIN, 0};
  fds[2] = {stop_fd_, POLLIN, 0};
  for (;;) {
    const int n = poll(fds.data(), fds.size(), 100);
    if (n < 0 && errno != EINTR) break;
    if (fds[2].revents) break;
    // Dispatch both legs every round: immediate mode delivers frames as they come.
    for (std::size_t i = 0; i < 2; ++i)
      pcap_dispatch(legs[i].get(), -1, on_packet, reinterpret_cast<u_char*>(&contexts[i]));
  }
}

}  // namespace closepath
