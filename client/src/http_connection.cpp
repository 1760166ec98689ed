#include "http_connection.h"

#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>

namespace swarmcopy::client {
namespace {

namespace http = boost::beast::http;

// The biggest answer read: a list of every job of a full store (10 000 jobs of a few files
// each) is tens of MiB; anything beyond this is a broken daemon, not data.
constexpr std::uint64_t kMaxBodyBytes = 512ull << 20;

http::verb verb_of(HttpRequest::Method method) {
  switch (method) {
    case HttpRequest::Method::kGet:
      return http::verb::get;
    case HttpRequest::Method::kPost:
      return http::verb::post;
    case HttpRequest::Method::kPatch:
      return http::verb::patch;
  }
  return http::verb::get;
}

}  // namespace

std::expected<HttpConnection, boost::system::error_code> HttpConnection::open(
    const std::filesystem::path& socket, UnixStream::Clock::time_point deadline) {
  auto stream = UnixStream::connect(socket, deadline);
  if (!stream) return std::unexpected(stream.error());
  return HttpConnection(std::move(*stream));
}

std::expected<HttpResponse, HttpConnection::Failure> HttpConnection::exchange(
    const HttpRequest& request, UnixStream::Clock::time_point deadline) {
  stream_.set_deadline(deadline);
  Failure failure;

  http::request<http::string_body> message{verb_of(request.method), request.target, 11};
  // The daemon ignores the host; HTTP/1.1 requires one.
  message.set(http::field::host, "swarmcopy");
  message.set(http::field::user_agent, "swarmcopy-client/1");
  message.keep_alive(true);
  if (request.body) {
    message.set(http::field::content_type, "application/json");
    message.body() = *request.body;
  }
  message.prepare_payload();
  http::write(stream_, message, failure.error);
  if (failure.error) return std::unexpected(failure);
  failure.sent = true;

  http::response_parser<http::string_body> parser;
  parser.body_limit(kMaxBodyBytes);
  http::read(stream_, buffer_, parser, failure.error);
  if (failure.error) {
    failure.answered = parser.got_some();
    return std::unexpected(failure);
  }
  auto answer = parser.release();
  HttpResponse response;
  response.status = static_cast<int>(answer.result_int());
  response.keep_alive = answer.keep_alive();
  response.body = std::move(answer.body());
  return response;
}

}  // namespace swarmcopy::client
