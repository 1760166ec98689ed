// Opens, binds (with SO_REUSEADDR, so a restarted service gets its port back at once) and
// listens on ADDRESS:PORT: the steps every listener of ours (the daemon's TCP pages, the
// registry mirror) takes before its accept loop. Each caller words the error its own way.
#pragma once

#include <boost/asio/ip/tcp.hpp>
#include <cstdint>
#include <string>

namespace swarmcopy::util {

// An unparsable address or any failing step: its error code, the acceptor left as it stood.
boost::system::error_code listen_on(boost::asio::ip::tcp::acceptor& acceptor,
                                    const std::string& address, std::uint16_t port);

}  // namespace swarmcopy::util
