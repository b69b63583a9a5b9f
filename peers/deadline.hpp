// A deadline for one pending operation: when it fires it cancels the
// operations pending on `target`, which then complete with operation_aborted
// (keeping any partial byte count), and fired() turns true.
#pragma once

#include "asio_outcome.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

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

// An awaited operation's (error, bytes) as values, never an exception.
inline constexpr auto use_tuple = boost::asio::as_tuple(boost::asio::use_awaitable);

// The outcome, marked when our own deadline is what cancelled the operation.
inline Outcome finish(const Deadline& deadline, const boost::system::error_code& ec, std::uint64_t bytes) {
  Outcome o = outcome_of(ec, bytes);
  o.deadline = deadline.fired() && ec == boost::asio::error::operation_aborted;
  return o;
}


}  // namespace closepath::peer
