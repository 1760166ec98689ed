#include "swarmcopy/util/tcp_listen.h"

namespace swarmcopy::util {

boost::system::error_code listen_on(boost::asio::ip::tcp::acceptor& acceptor,
                                    const std::string& address, std::uint16_t port) {
  namespace asio = boost::asio;
  boost::system::error_code ec;
  const auto ip = asio::ip::make_address(address, ec);
  if (ec) return ec;
  const asio::ip::tcp::endpoint where(ip, port);
  if (acceptor.open(where.protocol(), ec); ec) return ec;
  if (acceptor.set_option(asio::socket_base::reuse_address(true), ec); ec) return ec;
  if (acceptor.bind(where, ec); ec) return ec;
  acceptor.listen(asio::socket_base::max_listen_connections, ec);
  return ec;
}

}  // namespace swarmcopy::util
