// `get so_error|tcp_info|inq|outq`: what the kernel holds for a socket,
// read with getsockopt through Asio's GettableSocketOption (Asio has no
// option for TCP_INFO) or the SIOCINQ/SIOCOUTQ ioctls. SO_ERROR is
// read-and-clear: a pending error read here no longer ends the next read
// or write.
#pragma once

#include "asio_outcome.hpp"
#include "command.hpp"

#include <boost/asio/ip/tcp.hpp>

namespace closepath::peer {

// The outcome of `get ITEM` on an open socket or acceptor: so_error's end is
// the pending error's name (ok when none); tcp_info's end is ok and its
// fields are in Outcome::tcp_info; inq's and outq's end is ok with the count
// as the outcome's bytes.
template <typename Socket>
Outcome read_socket(Socket& s, protocol::Get::Item item);

}  // namespace closepath::peer
