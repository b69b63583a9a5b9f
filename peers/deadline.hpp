// A deadline for one pending operation: when it fires it cancels the
// operations pending on `target`, which then complete with operation_aborted
// (keeping any partial byte count), and fired() turns true.
#pragma once

#include <boost/asio/steady_timer.hpp>

#include <chrono>
#include <memory>

namespace closepath::peer {

class Deadline {
 public:
  template <typename Cancellable>
  Deadline(Cancellable& target, std::chrono::milliseconds after)
      : timer_(target.get_executor(), after), fired_(std::make_shared<bool>(false)) {
    timer_.async_wait([fired = fired_, &target](const boost::system::error_code& ec) {
      if (ec) return;  // cancelled: the operation finished first
      *fired = true;
      boost::system::error_code ignored;
      target.cancel(ignored);
    });
  }
  Deadline(const Deadline&) = delete;
  Deadline& operator=(const Deadline&) = delete;
  ~Deadline() { timer_.cancel(); }

  bool fired() const { return *fired_; }

 private:
  boost::asio::steady_timer timer_;
  std::shared_ptr<bool> fired_;
};

}  // namespace closepath::peer
