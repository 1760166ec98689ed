#include "content_identity.h"

#include "received_bytes.h"

namespace swarmcopy::engine {

std::optional<std::string> identity_change(const FileRecord& known,
                                           const origin::RemoteIdentity& now, bool compare_size) {
  if (compare_size && known.size && now.size && *known.size != *now.size) {
    return "size " + std::to_string(*known.size) + " -> " + std::to_string(*now.size);
  }
  if (!known.etag.empty() && !now.etag.empty() && known.etag != now.etag) {
    return "ETag " + known.etag + " -> " + now.etag;
  }
  if (!known.last_modified.empty() && !now.last_modified.empty() &&
      known.last_modified != now.last_modified) {
    return "Last-Modified " + known.last_modified + " -> " + now.last_modified;
  }
  return std::nullopt;
}

origin::FetchError content_changed(const FileRecord& file, const std::string& change) {
  return origin::FetchError{
      api::Error{api::ErrorContext::kRemoteFile, api::ErrorKind::kContentChanged, 0,
                 "content changed at the origin during the transfer (" + change + ")", file.url,
                 origin::protocol_of(file.url)},
      false,
      {}};
}

origin::FetchError size_contradicts_metadata(const FileRecord& file, std::uint64_t described,
                                             std::optional<std::uint64_t> served) {
  return origin::FetchError{
      api::Error{api::ErrorContext::kRemoteFile, api::ErrorKind::kContentChanged, 0,
                 "the metadata describes a file of " + std::to_string(described) +
                     " bytes, but the origin serves " +
                     (served ? std::to_string(*served) + " bytes" : "an unknown size"),
                 file.url, origin::protocol_of(file.url)},
      false,
      {}};
}

void learn_identity(FileRecord& file, const origin::RemoteIdentity& identity, bool with_size) {
  if (with_size) file.size = identity.size;
  file.etag = identity.etag;
  file.last_modified = identity.last_modified;
  file.accepts_ranges = identity.accepts_ranges;
}

void forget_content(FileRecord& file) {
  restart_counts(file);
  file.verified.clear();
  file.size.reset();
  file.etag.clear();
  file.last_modified.clear();
  file.info_hash.clear();
}

}  // namespace swarmcopy::engine
