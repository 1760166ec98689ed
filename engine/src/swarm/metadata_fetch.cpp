#include "metadata_fetch.h"

namespace swarmcopy::engine::swarm {

std::string default_metadata_url(const std::string& url) {
  std::string base = url.substr(0, url.find('#'));
  const auto query = base.find('?');
  if (query == std::string::npos) return base + ".torrent";
  return base.substr(0, query) + ".torrent" + base.substr(query);
}

MetadataFetch::MetadataFetch(origin::HttpClient& http, std::string url, bool named,
                             origin::RequestOptions options, Done done)
    : http_(http), url_(std::move(url)), named_(named), done_(std::move(done)) {
  origin::RangeRequest request;
  request.url = url_;
  request.whole_body = true;
  request.options = std::move(options);
  request_ = http_.fetch(
      request,
      [this](std::uint64_t, std::span<const char> bytes) -> api::Result<void> {
        if (body_.size() + bytes.size() > kMaxBytes) {
          return api::fail(api::ErrorContext::kRemoteFile, api::ErrorKind::kLimitExceeded,
                           "metadata larger than " + std::to_string(kMaxBytes >> 20) + " MiB", 0,
                           url_, origin::protocol_of(url_));
        }
        body_.insert(body_.end(), bytes.begin(), bytes.end());
        return {};
      },
      [this](std::expected<void, origin::FetchError> result) { on_done(std::move(result)); });
}

MetadataFetch::~MetadataFetch() { cancel(); }

void MetadataFetch::cancel() {
  if (request_) http_.cancel(*request_);
  request_.reset();
}

void MetadataFetch::on_done(std::expected<void, origin::FetchError> result) {
  request_.reset();
  auto done = std::move(done_);
  if (!result) {
    const auto& error = result.error().error;
    // Any other client error at the default URL (403 on a locked-down origin, 400 ...) also
    // means no metadata for us; at a URL the caller named, only "not there" does.
    const bool absent = error.kind == api::ErrorKind::kHttpStatus &&
                        (error.code == 404 || error.code == 410 ||
                         (!named_ && error.code >= 400 && error.code < 500 && error.code != 408 &&
                          error.code != 429));
    if (absent) {
      done(MetadataResult{"no metadata at the origin (HTTP " + std::to_string(error.code) + ")",
                          std::nullopt});
      return;
    }
    auto failure = std::move(result.error());
    failure.error.message = "cannot fetch the metadata: " + failure.error.message;
    done(std::unexpected(std::move(failure)));
    return;
  }
  auto meta = peer::parse_metainfo(body_, url_);
  if (!meta && !named_) {
    done(MetadataResult{"no usable metadata at the origin (" + meta.error().message + ")",
                        std::nullopt});
    return;
  }
  if (!meta) {
    // Metadata the origin serves but we cannot use is the publisher's mistake: say so, do not
    // guess at the content.
    auto error = meta.error();
    error.context = api::ErrorContext::kRemoteFile;
    error.file = url_;
    error.protocol = origin::protocol_of(url_);
    done(std::unexpected(origin::FetchError{std::move(error), false, {}}));
    return;
  }
  done(MetadataResult{std::nullopt, std::move(*meta)});
}

}  // namespace swarmcopy::engine::swarm
