#include "socket_reading.hpp"

#include "tcp_states.hpp"

#include <linux/sockios.h>
#include <netinet/in.h>
#include <sys/ioctl.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <sys/uio.h>

#include <array>

#include <cerrno>
#include <cstring>
#include <stdexcept>

namespace closepath::peer {
namespace {

// A fixed-size value read with getsockopt; Asio's GettableSocketOption.
template <int Level, int Name, typename T>
class Readable {
 public:
  const T& value() const { return value_; }
  template <typename Protocol> int level(const Protocol&) const { return Level; }
  template <typename Protocol> int name(const Protocol&) const { return Name; }
  template <typename Protocol> T* data(const Protocol&) { return &value_; }
  template <typename Protocol> std::size_t size(const Protocol&) const { return sizeof(T); }
  // The kernel may return less than the struct (an older kernel's tcp_info): the rest stays zero.
  template <typename Protocol> void resize(const Protocol&, std::size_t n) {
    if (n > sizeof(T)) throw std::length_error("getsockopt returned more than asked");
  }

 private:
  T value_{};
};

using SoError = Readable<SOL_SOCKET, SO_ERROR, int>;
using TcpInfoOption = Readable<IPPROTO_TCP, TCP_INFO, tcp_info>;

protocol::TcpInfo named(const tcp_info& i) {
  return {std::string(tcp_state_name(i.tcpi_state)),
          {{"retransmits", i.tcpi_retransmits},
           {"total_retrans", i.tcpi_total_retrans},
           {"unacked", i.tcpi_unacked},
           {"lost", i.tcpi_lost},
           {"probes", i.tcpi_probes},
           {"backoff", i.tcpi_backoff},
           {"rto_ms", i.tcpi_rto / 1000},
           {"snd_cwnd", i.tcpi_snd_cwnd},
           {"rtt_us", i.tcpi_rtt}}};
}

// SIOCINQ: bytes received and not yet read (a FIN is not one); SIOCOUTQ: bytes sent and not yet
// acknowledged, with those not yet sent. A listener has neither: EINVAL.
Outcome queued(int fd, protocol::Get::Item item) {
  int n = 0;
  if (::ioctl(fd, item == protocol::Get::Item::inq ? SIOCINQ : SIOCOUTQ, &n) < 0)
    return outcome_of({errno, boost::system::system_category()});
  return outcome_of({}, static_cast<std::uint64_t>(n));
}

// TCP_CM_INQ, as the kernel attaches it to a read with TCP_INQ on: a read of
// 0 bytes (MSG_PEEK: it takes nothing) carries it. The bytes received and not
// yet read, a received FIN counted as one (tcp_inq_hint).
Outcome cm_inq(int fd) {
  alignas(cmsghdr) std::array<char, CMSG_SPACE(sizeof(int))> control{};
  iovec nothing{nullptr, 0};
  msghdr m{};
  m.msg_iov = &nothing;
  m.msg_iovlen = 1;
  m.msg_control = control.data();
  m.msg_controllen = control.size();
  if (::recvmsg(fd, &m, MSG_PEEK | MSG_DONTWAIT) < 0) return outcome_of({errno, boost::system::system_category()});
  for (cmsghdr* c = CMSG_FIRSTHDR(&m); c; c = CMSG_NXTHDR(&m, c))
    if (c->cmsg_level == SOL_TCP && c->cmsg_type == TCP_CM_INQ) {
      int n = 0;
      std::memcpy(&n, CMSG_DATA(c), sizeof n);
      return outcome_of({}, static_cast<std::uint64_t>(n));
    }
  return outcome_of({ENOMSG, boost::system::system_category()});  // TCP_INQ is off
}

}  // namespace

template <typename Socket>
Outcome read_socket(Socket& s, protocol::Get::Item item) {
  if (!s.is_open()) return outcome_of(boost::asio::error::bad_descriptor);
  boost::system::error_code ec;
  if (item == protocol::Get::Item::so_error) {
    SoError e;
    s.get_option(e, ec);
    if (ec) return outcome_of(ec);
    return outcome_of({e.value(), boost::system::system_category()});
  }
  if (item == protocol::Get::Item::inq || item == protocol::Get::Item::outq) return queued(s.native_handle(), item);
  if (item == protocol::Get::Item::cm_inq) return cm_inq(s.native_handle());
  TcpInfoOption info;
  s.get_option(info, ec);
  Outcome o = outcome_of(ec);
  if (!ec) o.tcp_info = named(info.value());
  return o;
}

template Outcome read_socket(boost::asio::ip::tcp::socket&, protocol::Get::Item);
template Outcome read_socket(boost::asio::ip::tcp::acceptor&, protocol::Get::Item);

}  // namespace closepath::peer
