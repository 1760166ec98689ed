#include "file_transfer.h"

#include <spdlog/spdlog.h>
#include <boost/asio/post.hpp>

namespace swarmcopy::engine {

FileTransfer::FileTransfer(Deps deps, FileRecord file, Settings settings, Hooks hooks)
    : deps_(deps),
      file_(std::move(file)),
      settings_(std::move(settings)),
      hooks_(std::move(hooks)) {}

FileTransfer::~FileTransfer() { *alive_ = false; }

const FileRecord& FileTransfer::file() const {
  if (swarm_) return swarm_->file();
  if (http_) return http_->file();
  return file_;
}

std::uint64_t FileTransfer::bytes_written() const {
  if (swarm_) return swarm_->bytes_written();
  if (http_) return http_->bytes_written();
  // What an earlier run verified counts from the start, not only once a transfer runs.
  return file_.verified.total();
}

void FileTransfer::start() {
  if (file_.completed) {
    boost::asio::post(deps_.io, [done = hooks_.done] { done({}); });
    return;
  }
  switch (file_.mode) {
    case api::DownloadMode::kBypass:
      start_http("mode bypass");
      return;
    case api::DownloadMode::kHttpOnly:
      start_http("mode http-only");
      return;
    case api::DownloadMode::kLan:
      if (settings_.sends_credentials(file_.url)) {
        start_http(
            "the job sends credentials (URL userinfo, a secret query parameter or an access "
            "header): private content is never peered");
        return;
      }
      if (deps_.cache == nullptr || !deps_.swarm_hub) {
        start_http("the content cache is disabled (the swarm keeps its data there)");
        return;
      }
      start_metadata();
      return;
  }
}

void FileTransfer::start_http(std::optional<std::string> peers_unused_reason,
                              std::shared_ptr<const peer::Metainfo> expected_pieces) {
  file_.peers_unused_reason = std::move(peers_unused_reason);
  http_ = std::make_unique<HttpTransfer>(
      HttpTransfer::Deps{deps_.io, deps_.pool, deps_.http, deps_.options, deps_.cache}, file_,
      settings_, hooks_, std::move(expected_pieces));
  http_->start();
}

void FileTransfer::start_metadata() {
  const auto url = file_.metadata_url.value_or(swarm::default_metadata_url(file_.url));
  metadata_ = std::make_unique<swarm::MetadataFetch>(
      deps_.http, url, file_.metadata_url.has_value(), settings_.request_options(),
      [this](auto result) { on_metadata(std::move(result)); });
}

void FileTransfer::on_metadata(std::expected<swarm::MetadataResult, origin::FetchError> result) {
  // Destroyed later: this runs inside its callback.
  boost::asio::post(deps_.io,
                    [fetch = std::shared_ptr<swarm::MetadataFetch>(std::move(metadata_))] {});
  if (!result) {
    stopped_ = true;
    boost::asio::post(deps_.io, [done = hooks_.done, error = std::move(result.error())] {
      done(std::unexpected(error));
    });
    return;
  }
  if (result->absent_reason) {
    spdlog::info("{}: {}; HTTP only", file_.url, *result->absent_reason);
    start_http(result->absent_reason);
    return;
  }
  auto hub = deps_.swarm_hub();
  if (!hub) {
    spdlog::warn("{}: peers unavailable: {}", file_.url, hub.error().describe());
    start_http("peer session unavailable: " + hub.error().message);
    return;
  }
  // From here the swarm has the file; its hooks are ours, unless it gives the file back.
  swarm_ = std::make_unique<swarm::SwarmTransfer>(
      swarm::SwarmTransfer::Deps{deps_.io, deps_.pool, deps_.http, deps_.options, **hub}, file_,
      std::move(*result->meta), settings_, hooks_, [this, alive = alive_](std::string reason) {
        if (*alive) on_swarm_fell_back(std::move(reason));
      });
  swarm_->start();
}

// Neither the origin (it ignores Range requests) nor any peer could serve pieces, but the
// origin can still send the whole file in one stream: the HTTP-only path takes over, with the
// swarm's view of the file (identity, peers seen) and its metadata for the final check.
void FileTransfer::on_swarm_fell_back(std::string reason) {
  if (stopped_) return;
  file_ = swarm_->file();
  file_.verified.clear();  // the swarm's ranges are of its cache item, not of our temporary file
  auto pieces = swarm_->metadata();
  swarm_.reset();  // ended already; posted here, so none of its code is running
  start_http(std::move(reason), std::move(pieces));
}

void FileTransfer::stop() {
  stopped_ = true;
  if (metadata_) metadata_->cancel();
  if (swarm_) swarm_->stop();
  if (http_) http_->stop();
}

}  // namespace swarmcopy::engine
