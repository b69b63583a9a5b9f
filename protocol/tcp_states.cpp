#include "tcp_states.hpp"

#include <iterator>

namespace closepath::protocol {

const char* tcp_state_name(unsigned state) {
  static const char* const names[] = {"?",          "ESTABLISHED", "SYN_SENT", "SYN_RECV",   "FIN_WAIT1",
                                      "FIN_WAIT2",  "TIME_WAIT",   "CLOSE",    "CLOSE_WAIT", "LAST_ACK",
                                      "LISTEN",     "CLOSING",     "NEW_SYN_RECV"};
  return state < std::size(names) ? names[state] : "?";
}

}  // namespace closepath::protocol
