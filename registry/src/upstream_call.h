// UpstreamCall: one HTTP/1.1 exchange with an upstream registry on behalf of a client request
// (pass-through): connect, send the client's method and headers (hop-by-hop ones dropped, Host
// the upstream's), read the whole answer within the size and time limits. An https upstream's
// certificate is verified against `tls` (the mirror's client context) and must name its host. Runs
// on the executor it is given (the client connection's strand); the callback runs there too.
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>
#include <functional>
#include <memory>
#include <string>

#include "swarmcopy/registry/mirror_options.h"
#include "swarmcopy/registry/upstream.h"

namespace swarmcopy::registry {

using ClientRequest = boost::beast::http::request<boost::beast::http::empty_body>;
using UpstreamResponse = boost::beast::http::response<boost::beast::http::string_body>;
// The answer, or an error sentence (no answer: connect failed, too large, too slow).
using UpstreamDone = std::function<void(std::expected<UpstreamResponse, std::string>)>;

// Sends `method` `target` (already made for the upstream: base path and query) with the
// client's end-to-end headers to `upstream`, and calls `done` once.
void call_upstream(const boost::asio::any_io_executor& executor, const MirrorOptions& options,
                   boost::asio::ssl::context& tls, const Upstream& upstream,
                   const ClientRequest& client, boost::beast::http::verb method, std::string target,
                   UpstreamDone done);

// True for headers that describe one connection, not the message (RFC 9110 7.6.1): never
// forwarded either way.
bool is_hop_by_hop(std::string_view header);

}  // namespace swarmcopy::registry
