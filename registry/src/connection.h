// Connection: one client of the mirror, on its own strand. Reads a request (bounded header, no
// body, a deadline), routes it (a sha256 blob GET to the BlobSource, the rest to the upstream)
// and writes the answer; keep-alive until the client closes, misbehaves or the mirror stops.
#pragma once

#include <boost/asio/ip/tcp.hpp>
#include <memory>

#include "mirror_state.h"

namespace swarmcopy::registry {

// Serves `socket` until it closes; keeps itself alive through its handlers.
void serve_connection(boost::asio::ip::tcp::socket socket, std::shared_ptr<Mirror::State> state);

}  // namespace swarmcopy::registry
