#include "origin_fetcher.h"

#include "content_identity.h"

namespace swarmcopy::engine {

OriginFetcher::OriginFetcher(origin::HttpClient& http, std::string url,
                             origin::RequestOptions options)
    : http_(http), url_(std::move(url)), options_(std::move(options)) {}

OriginFetcher::~OriginFetcher() { cancel_all(); }

void OriginFetcher::probe(const FileRecord& known, bool compare_size, ProbeDone done) {
  if (probe_) http_.cancel(*probe_);
  // The verdict needs the record as it was when the probe was asked, not a reference that may
  // change (or go) meanwhile.
  probe_ = http_.probe(url_, options_,
                       [this, known, compare_size, done = std::move(done)](
                           std::expected<origin::RemoteIdentity, origin::FetchError> result) {
                         probe_.reset();
                         if (result) {
                           if (auto change = identity_change(known, *result, compare_size)) {
                             done(std::unexpected(content_changed(known, *change)));
                             return;
                           }
                         }
                         done(std::move(result));
                       });
}

void OriginFetcher::fetch(Key key, ByteRange range, bool whole_body, const FileRecord& file,
                          origin::HttpClient::OnData on_data, origin::HttpClient::OnDone done) {
  origin::RangeRequest request;
  request.url = url_;
  request.begin = range.begin;
  request.end = range.end;
  request.whole_body = whole_body;
  request.expected.size = file.size;
  request.expected.etag = file.etag;
  request.expected.last_modified = file.last_modified;
  request.expected.accepts_ranges = file.accepts_ranges;
  request.options = options_;
  requests_[key] = 0;
  const auto id =
      http_.fetch(request, std::move(on_data), [this, key, done = std::move(done)](auto result) {
        requests_.erase(key);
        done(std::move(result));
      });
  // The request may already have finished (and been erased) if the client answered inline.
  if (auto it = requests_.find(key); it != requests_.end()) it->second = id;
}

void OriginFetcher::cancel(Key key) {
  auto node = requests_.extract(key);
  if (!node.empty()) http_.cancel(node.mapped());
}

void OriginFetcher::cancel_all() {
  if (probe_) http_.cancel(*probe_);
  probe_.reset();
  for (const auto& [key, id] : requests_) http_.cancel(id);
  requests_.clear();
}

}  // namespace swarmcopy::engine
