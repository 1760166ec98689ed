// ResponseHeaders: the status and the headers HttpClient cares about, collected line by line
// from CURLOPT_HEADERFUNCTION. With redirects (and 1xx answers, and a proxy's CONNECT reply)
// curl hands over the header block of every hop; a status line therefore starts afresh, so
// after the last block only the final response's values remain.
// Plain value type; used on the io_context's thread.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "content_range.h"

namespace swarmcopy::engine::origin {

class ResponseHeaders {
 public:
  // One header line as curl delivers it, CRLF included.
  void feed(std::string_view line);

  int status() const { return status_; }  // 0 until a status line arrived
  const std::string& reason() const { return reason_; }
  // The blank line after the current block's headers arrived.
  bool complete() const { return complete_; }

  const std::optional<std::uint64_t>& content_length() const { return content_length_; }
  // has_content_range(): the header was present; content_range(): it parsed.
  bool has_content_range() const { return has_content_range_; }
  const std::optional<ContentRange>& content_range() const { return content_range_; }
  const std::string& content_range_raw() const { return content_range_raw_; }
  const std::string& etag() const { return etag_; }
  const std::string& last_modified() const { return last_modified_; }
  // All Content-Encoding values joined with ", " (the header may repeat).
  const std::string& content_encoding() const { return content_encoding_; }
  const std::string& retry_after() const { return retry_after_; }
  // The file's SHA-256 from Repr-Digest, else from Digest (digest_headers.h); nullopt: neither
  // was there, or it could not be read.
  std::optional<std::string> sha256() const;

 private:
  void reset();

  int status_ = 0;
  std::string reason_;
  bool complete_ = false;
  std::optional<std::uint64_t> content_length_;
  bool has_content_range_ = false;
  std::optional<ContentRange> content_range_;
  std::string content_range_raw_;
  std::string etag_;
  std::string last_modified_;
  std::string content_encoding_;
  std::string retry_after_;
  std::string repr_digest_;    // every Repr-Digest line's value, joined with ", "
  std::string legacy_digest_;  // the same for Digest
};

}  // namespace swarmcopy::engine::origin
