// Linux's TCP state numbers (include/net/tcp_states.h) by the names ss and
// the catalogue use. Shared by the peer (tcp_info) and the audit (sock_diag).
#pragma once

namespace closepath::protocol {

// "ESTABLISHED" for 1 ... "NEW_SYN_RECV" for 12; "?" for anything else.
const char* tcp_state_name(unsigned state);

}  // namespace closepath::protocol
