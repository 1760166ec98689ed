// OriginFetcher: one file's HTTP origin, as both ways of fetching a file use it (HttpTransfer
// over HTTP alone, the swarm's origin pieces). It asks the origin what it serves (probe) and
// judges the answer by one rule (content_identity.h), and it fetches byte ranges that the HTTP
// client checks against the identity the file's record holds. So both paths notice the same
// content changes and report them in the same words, and neither builds requests by hand.
//
// Requests are named by the caller's own keys (known before fetch() returns, since a request
// may finish inside it); cancel() and the destructor abort them without calling back.
// Engine thread only, like origin::HttpClient.
#pragma once

#include <cstdint>
#include <expected>
#include <functional>
#include <map>
#include <optional>
#include <string>

#include "job_record.h"
#include "range_set.h"
#include "swarmcopy/origin/http_client.h"

namespace swarmcopy::engine {

class OriginFetcher {
 public:
  using Key = std::uint64_t;
  using ProbeDone = std::function<void(std::expected<origin::RemoteIdentity, origin::FetchError>)>;

  OriginFetcher(origin::HttpClient& http, std::string url, origin::RequestOptions options);
  ~OriginFetcher();
  OriginFetcher(const OriginFetcher&) = delete;
  OriginFetcher& operator=(const OriginFetcher&) = delete;

  // Asks the origin what it serves now. An answer that contradicts what `known` learned before
  // comes back as a permanent kContentChanged error (as a change noticed mid-fetch does);
  // `compare_size` as in identity_change. A probe in flight is replaced.
  void probe(const FileRecord& known, bool compare_size, ProbeDone done);
  bool probing() const { return probe_.has_value(); }

  // Fetches `range` of the file (or the whole body from byte 0), checked against the identity
  // `file` holds (size, ETag, Last-Modified, whether ranges work).
  void fetch(Key key, ByteRange range, bool whole_body, const FileRecord& file,
             origin::HttpClient::OnData on_data, origin::HttpClient::OnDone done);
  void cancel(Key key);
  // Every request and the probe.
  void cancel_all();
  std::size_t requests() const { return requests_.size(); }

  const std::string& url() const { return url_; }

 private:
  origin::HttpClient& http_;
  std::string url_;
  origin::RequestOptions options_;
  std::optional<origin::HttpClient::RequestId> probe_;
  std::map<Key, origin::HttpClient::RequestId> requests_;
};

}  // namespace swarmcopy::engine
