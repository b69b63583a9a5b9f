#include "wire.hpp"

#include "clock.hpp"
#include "errors.hpp"
#include "interrupt.hpp"
#include "topology.hpp"

#include <pcap/pcap.h>
#include <poll.h>
#include <sched.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>
#include <future>
#include <memory>
#include <optional>

namespace closepath {

struct Wire::Legs {
  std::array<pcap_t*, 2> handle{};  // 0: the client's leg (wc), 1: the server's (ws); also the capture's interface ids
  pcap_t* operator[](std::size_t i) const { return handle[i]; }
};

namespace {

// A frame travelling c>s arrives on the client's leg and leaves by the server's.
std::size_t arrival_leg(pcap::Dir travels) { return pcap::index(travels); }
std::size_t departure_leg(pcap::Dir travels) { return pcap::index(pcap::reverse(travels)); }

using protocol::now_ns;

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

Wire::Wire(const NetNamespace& ns, FaultProgram& faults)
    : faults_(faults), last_frame_ns_(now_ns(CLOCK_MONOTONIC)), legs_(std::make_unique<Legs>()) {
  wake_fd_.reset(eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK));
  if (!wake_fd_) throw HostError(std::string("eventfd: ") + std::strerror(errno));
  std::promise<void> ready;
  auto started = ready.get_future();
  thread_ = std::thread([this, &ns, &ready] { run(ns, ready); });
  try {
    started.get();
  } catch (...) {
    thread_.join();
    throw;
  }
}

Wire::~Wire() {
  stop();
  if (thread_.joinable()) thread_.join();  // closing the legs' packet sockets waits for the kernel (RCU)
}

std::chrono::nanoseconds Wire::quiet_for() const {
  return std::chrono::nanoseconds(now_ns(CLOCK_MONOTONIC) - last_frame_ns_.load());
}

Wire::Traffic Wire::traffic() const {
  Traffic t;
  for (std::size_t leg = 0; leg < 2; ++leg) {
    t.read[leg] = read_[leg].load();
    t.sent[leg] = sent_[leg].load();
  }
  t.delayed = delayed_count_.load();
  return t;
}

void Wire::sync() {
  std::unique_lock lock(sync_mutex_);
  if (!thread_.joinable() || finished_) return;
  const auto ticket = ++sync_requested_;
  const std::uint64_t one = 1;
  (void)!write(wake_fd_.get(), &one, sizeof one);  // wake the loop
  sync_cv_.wait_for(lock, std::chrono::seconds(5), [&] { return sync_done_ >= ticket; });
}

std::vector<WireFrame> Wire::stop() {
  {
    std::unique_lock lock(sync_mutex_);
    if (thread_.joinable() && !finished_) {
      stop_requested_ = true;
      const std::uint64_t one = 1;
      (void)!write(wake_fd_.get(), &one, sizeof one);
      // Until the last frame is recorded; the legs close after, without us.
      sync_cv_.wait(lock, [&] { return finished_; });
    }
  }
  std::lock_guard lock(mutex_);
  return frames_;
}

std::size_t Wire::record(WireFrame f) {
  last_frame_ns_.store(f.mono_ns);
  std::lock_guard lock(mutex_);
  frames_.push_back(std::move(f));
  return frames_.size() - 1;
}

void Wire::send(pcap::Dir travels, std::span<const std::uint8_t> bytes, std::size_t record_index) {
  pcap_t* handle = (*legs_)[departure_leg(travels)];
  if (pcap_inject(handle, bytes.data(), bytes.size()) >= 0) {
    ++sent_[departure_leg(travels)];
    return;
  }
  std::lock_guard lock(mutex_);
  auto& f = frames_[record_index];
  f.forwarded = false;
  f.note += std::string(f.note.empty() ? "" : "; ") + note::kInjectFailed + ": " + pcap_geterr(handle);
}

void Wire::on_frame(pcap::Dir travels, std::int64_t ts_ns, std::span<const std::uint8_t> bytes) {
  WireFrame f;
  f.mono_ns = now_ns(CLOCK_MONOTONIC);
  f.frame.ts_ns = ts_ns;
  f.frame.interface = static_cast<std::uint32_t>(arrival_leg(travels));
  f.frame.bytes.assign(bytes.begin(), bytes.end());
  f.step = step_.load();
  auto decision = faults_.on_frame(travels, bytes);
  f.note = decision.note;
  f.marks = decision.marks;
  f.forwarded = decision.action != WireDecision::Action::drop;
  const std::int64_t arrived = f.mono_ns;
  const auto index = record(std::move(f));
  const auto goes_on = decision.bytes ? std::span<const std::uint8_t>(*decision.bytes) : bytes;  // corrupted, or as it came
  switch (decision.action) {
    case WireDecision::Action::forward: send(travels, goes_on, index); break;
    case WireDecision::Action::drop: break;
    case WireDecision::Action::delay:
      delay({{goes_on.begin(), goes_on.end()}, travels, index}, arrived + decision.delay.count());
      break;
    case WireDecision::Action::hold:
      held_.hold(decision.hold, {{goes_on.begin(), goes_on.end()}, travels, index, arrived, decision.delay.count()});
      break;
  }
  if (decision.copy && decision.action != WireDecision::Action::drop) {
    // Back to back with the original (nothing the receiver answers comes between), or after a delay of its own.
    // Stamped a nanosecond after it: made from it, the copy stays beside it in the capture's time order
    // even when the wire thread is slow to get to it (an emulated CPU) and other frames reach the legs meanwhile.
    const auto copy_index = record_injection(*decision.copy, ts_ns + 1);
    if (decision.copy_delay.count() > 0)
      delay({decision.copy->frame, decision.copy->travels, copy_index}, arrived + decision.copy_delay.count());
    else
      send(decision.copy->travels, decision.copy->frame, copy_index);
    faults_.injected({*decision.copy});
  }
  for (int hold : decision.release) release(hold, std::nullopt);
  // Counted once handled: until then the sender's count is ahead and the frame is in flight.
  ++read_[arrival_leg(travels)];
  faults_.frame_handled();
}

void Wire::let_go(Queued q, std::int64_t now, const std::optional<FaultMark>& mark) {
  {
    std::lock_guard lock(mutex_);
    auto& f = frames_[q.record];
    f.note += ", released after " + note::ms_text(now - q.due_ns);
    if (mark) f.marks.push_back(*mark);
  }
  if (q.delay_ns > 0) delay(std::move(q), now + q.delay_ns);
  else send(q.travels, q.bytes, q.record);
}

void Wire::release(int hold, const std::optional<FaultMark>& mark) {
  const auto now = now_ns(CLOCK_MONOTONIC);
  for (auto& q : held_.take(hold)) let_go(std::move(q), now, mark);
}

void Wire::release_oldest(std::size_t n, const std::optional<FaultMark>& mark) {
  const auto now = now_ns(CLOCK_MONOTONIC);
  for (auto& q : held_.take_oldest(n)) let_go(std::move(q), now, mark);
}

void Wire::delay(Queued q, std::int64_t due_ns) {
  q.due_ns = due_ns;
  // In due order (netem's tfifo): a frame with less delay, jittered, overtakes those before it; ties keep arrival order.
  auto& queue = delayed_[pcap::index(q.travels)];
  const auto at = std::upper_bound(queue.begin(), queue.end(), due_ns, [](std::int64_t due, const Queued& x) { return due < x.due_ns; });
  queue.insert(at, std::move(q));
  ++delayed_count_;
}

std::size_t Wire::record_injection(const Injection& inj, std::optional<std::int64_t> ts_ns) {
  WireFrame f;
  f.mono_ns = now_ns(CLOCK_MONOTONIC);
  f.frame.ts_ns = ts_ns.value_or(now_ns(CLOCK_REALTIME));
  f.frame.interface = static_cast<std::uint32_t>(departure_leg(inj.travels));  // recorded where it leaves
  f.frame.bytes = inj.frame;
  f.step = step_.load();
  f.injected = true;
  f.marks = {inj.mark};
  f.note = inj.note;
  return record(std::move(f));
}

void Wire::inject(const Injection& inj) { send(inj.travels, inj.frame, record_injection(inj)); }

void Wire::do_work() {
  auto work = faults_.take_work();
  for (const auto& inj : work.inject) inject(inj);
  if (!work.inject.empty()) faults_.injected(work.inject);
  for (int hold : work.release) release(hold, std::nullopt);
  release_oldest(work.release_all ? held_.count() : work.release_oldest, work.released);
}

void Wire::flush_delayed(std::int64_t now) {
  for (auto& queue : delayed_)
    while (!queue.empty() && queue.front().due_ns <= now) {
      send(queue.front().travels, queue.front().bytes, queue.front().record);
      queue.pop_front();
      --delayed_count_;
    }
}

std::optional<timespec> Wire::poll_timeout(std::int64_t now) const {
  std::optional<std::int64_t> due;
  for (const auto& queue : delayed_)
    if (!queue.empty()) due = std::min(due.value_or(queue.front().due_ns), queue.front().due_ns);
  if (!due) return std::nullopt;  // frames and the wake eventfd end the wait
  // To the nanosecond: a delayed frame leaves when it is due, not at the next millisecond.
  const auto wait = std::clamp<std::int64_t>(*due - now, 0, 3'600'000'000'000);
  return timespec{static_cast<time_t>(wait / 1'000'000'000), static_cast<long>(wait % 1'000'000'000)};
}

namespace {

// Both legs, opened at once from threads that join the wire namespace
// (packet sockets stay bound to it): opening one waits for the kernel
// (each sets up its ring through an RCU grace period), not the CPU.
std::array<PcapHandle, 2> open_legs(const NetNamespace& ns) {
  const auto join = [&ns] {
    if (setns(ns.fd(), CLONE_NEWNET) != 0) throw HostError(std::string("setns(wire): ") + std::strerror(errno));
  };
  join();
  auto client_leg = std::async(std::launch::async, [&] {
    join();
    return open_leg(kClientLeg);
  });
  std::array<PcapHandle, 2> handles{PcapHandle(nullptr, &pcap_close), PcapHandle(nullptr, &pcap_close)};
  handles[arrival_leg(pcap::Dir::s2c)] = open_leg(kServerLeg);
  handles[arrival_leg(pcap::Dir::c2s)] = client_leg.get();
  return handles;
}

}  // namespace

void Wire::run(const NetNamespace& ns, std::promise<void>& ready) {
  std::array<PcapHandle, 2> handles{PcapHandle(nullptr, &pcap_close), PcapHandle(nullptr, &pcap_close)};
  try {
    handles = open_legs(ns);  // this thread joins the wire namespace too
  } catch (...) {
    ready.set_exception(std::current_exception());
    return;
  }
  legs_->handle = {handles[0].get(), handles[1].get()};
  ready.set_value();
  forward();
  finish();
  // Each leg's packet socket waits out an RCU grace period as it closes: both at once.
  std::thread other([leg = std::move(handles[0])]() mutable { leg.reset(); });
  handles[1].reset();
  other.join();
}

void Wire::forward() {
  struct Context {
    Wire* wire;
    pcap::Dir travels;  // of every frame read on this leg
  };
  std::array<Context, 2> contexts{Context{this, pcap::Dir::c2s}, Context{this, pcap::Dir::s2c}};  // by arrival_leg
  const auto on_packet = [](u_char* user, const pcap_pkthdr* h, const u_char* bytes) {
    auto& c = *reinterpret_cast<Context*>(user);
    c.wire->on_frame(c.travels, std::int64_t{h->ts.tv_sec} * 1'000'000'000 + h->ts.tv_usec,  // nanosecond precision
                     {bytes, h->caplen});
  };
  const auto dispatch_both = [&] {
    for (std::size_t i = 0; i < 2; ++i) pcap_dispatch((*legs_)[i], -1, on_packet, reinterpret_cast<u_char*>(&contexts[i]));
  };
  std::array<pollfd, 4> fds{};
  for (std::size_t i = 0; i < 2; ++i) fds[i] = {pcap_get_selectable_fd((*legs_)[i]), POLLIN, 0};
  fds[2] = {wake_fd_.get(), POLLIN, 0};
  fds[3] = {closepath::wake_fd(), POLLIN, 0};  // an interrupt or a stuck run: barriers must look again
  for (;;) {
    const auto timeout = poll_timeout(now_ns(CLOCK_MONOTONIC));
    const int n = ppoll(fds.data(), fds.size(), timeout ? &*timeout : nullptr, nullptr);
    if (n < 0 && errno != EINTR) break;
    if (fds[3].revents) {
      faults_.wake_waiters();
      fds[3].fd = -1;  // it stays readable: once is enough
    }
    if (fds[2].revents) {
      std::uint64_t drained = 0;
      (void)!read(wake_fd_.get(), &drained, sizeof drained);
    }
    std::uint64_t requested = 0;
    bool stopping = false;
    {
      std::lock_guard lock(sync_mutex_);
      requested = sync_requested_;
      stopping = stop_requested_;
    }
    // Dispatch both legs every round: immediate mode delivers frames as they
    // come; when stopping, frames already read by the kernel belong to the run.
    dispatch_both();
    if (stopping) break;
    do_work();
    flush_delayed(now_ns(CLOCK_MONOTONIC));
    {
      std::lock_guard lock(sync_mutex_);
      sync_done_ = std::max(sync_done_, requested);
    }
    sync_cv_.notify_all();
  }
}

void Wire::finish() {
  // Frames still queued were never delivered: say so in the capture.
  {
    std::lock_guard lock(mutex_);
    for (const auto& queue : delayed_)
      for (const auto& q : queue) {
        frames_[q.record].forwarded = false;
        frames_[q.record].note += std::string("; ") + note::kStillDelayed;
      }
    held_.for_each([&](const Queued& q) {
      frames_[q.record].forwarded = false;
      frames_[q.record].note += std::string("; ") + note::kStillHeld;
    });
  }
  legs_->handle = {};
  {
    std::lock_guard lock(sync_mutex_);
    finished_ = true;
  }
  sync_cv_.notify_all();
}

}  // namespace closepath
