#include "event_stream.h"

#include <array>

#include <boost/asio/error.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>
#include <nlohmann/json.hpp>

#include "connection_pool.h"
#include "swarmcopy/ipc/codec.h"

namespace swarmcopy::client {
namespace {

namespace http = boost::beast::http;

// A line longer than this is not an event: the stream is broken.
constexpr std::size_t kMaxLineBytes = 16u << 20;

}  // namespace

api::Result<std::unique_ptr<EventStream>> EventStream::open(
    const std::filesystem::path& socket, const std::string& target, int cancel_fd,
    UnixStream::Clock::time_point deadline) {
  auto connected = UnixStream::connect(socket, deadline);
  if (!connected) {
    return std::unexpected(unavailable(socket, "cannot reach swarmcopyd", connected.error()));
  }
  std::unique_ptr<EventStream> events(new EventStream(socket, std::move(*connected)));
  events->stream_.set_cancel_fd(cancel_fd);
  events->stream_.set_deadline(deadline);

  http::request<http::empty_body> request{http::verb::get, target, 11};
  request.set(http::field::host, "swarmcopy");
  request.set(http::field::user_agent, "swarmcopy-client/1");
  request.set(http::field::accept, "application/x-ndjson");
  boost::system::error_code error;
  http::write(events->stream_, request, error);
  if (!error) http::read_header(events->stream_, events->buffer_, events->parser_, error);
  if (error) {
    return std::unexpected(unavailable(socket, "swarmcopyd did not answer " + target, error));
  }
  const int status = static_cast<int>(events->parser_.get().result_int());
  if (status != 200) {
    // The body of a failure is short; read it for the daemon's own error.
    std::array<char, 4096> body{};
    events->parser_.get().body().data = body.data();
    events->parser_.get().body().size = body.size();
    http::read(events->stream_, events->buffer_, events->parser_, error);
    const std::string text(body.data(), body.size() - events->parser_.get().body().size);
    auto json = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
    if (json.is_object() && json.contains("error")) {
      if (auto parsed = ipc::error_from_json(json["error"])) return std::unexpected(*parsed);
    }
    return api::fail(api::ErrorContext::kGeneralQueueManager, api::ErrorKind::kInternal,
                     "swarmcopyd answered HTTP " + std::to_string(status) + " to " + target, status,
                     socket.string(), api::Protocol::kLocal);
  }
  // From here on the stream may stay quiet for hours: only cancel or EOF ends a read.
  events->stream_.set_deadline(UnixStream::Clock::time_point::max());
  return events;
}

api::Result<std::string> EventStream::next_line() {
  for (;;) {
    if (const auto end = pending_.find('\n'); end != std::string::npos) {
      std::string line = pending_.substr(0, end);
      pending_.erase(0, end + 1);
      if (!line.empty() && line.back() == '\r') line.pop_back();
      if (line.empty()) continue;  // a keep-alive blank line
      return line;
    }
    if (pending_.size() > kMaxLineBytes) {
      return api::fail(api::ErrorContext::kGeneralQueueManager, api::ErrorKind::kInternal,
                       "an event line from swarmcopyd is too long", 0, socket_.string(),
                       api::Protocol::kLocal);
    }
    if (parser_.is_done()) {
      return std::unexpected(
          unavailable(socket_, "swarmcopyd ended the event stream", boost::asio::error::eof));
    }
    std::array<char, 16384> chunk{};
    parser_.get().body().data = chunk.data();
    parser_.get().body().size = chunk.size();
    boost::system::error_code error;
    http::read_some(stream_, buffer_, parser_, error);
    // need_buffer: our chunk is full, which is the normal way of getting body bytes.
    if (error == http::error::need_buffer) error = {};
    pending_.append(chunk.data(), chunk.size() - parser_.get().body().size);
    if (error) {
      return std::unexpected(unavailable(socket_, "the event stream of swarmcopyd broke", error));
    }
  }
}

}  // namespace swarmcopy::client
