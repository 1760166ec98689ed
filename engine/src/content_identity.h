// The origin's identity of a file (size, ETag, Last-Modified) against what a FileRecord learned
// before: one rule for the HTTP path and the swarm, so that both notice the same changes and
// report them in the same words. Pure functions; any thread.
#pragma once

#include <optional>
#include <string>

#include "job_record.h"
#include "swarmcopy/origin/http_client.h"

namespace swarmcopy::engine {

// How the origin's answer differs from what `known` learned ("ETag a -> b"), or nullopt when
// nothing it says contradicts it. An absent value never counts as a change. `compare_size`:
// the size too (the swarm compares it with its metadata instead).
std::optional<std::string> identity_change(const FileRecord& known,
                                           const origin::RemoteIdentity& now, bool compare_size);

// The content changed at the origin: `change` says how (see identity_change).
origin::FetchError content_changed(const FileRecord& file, const std::string& change);

// The origin serves a file of another size than the metadata describes: no byte of it could be
// verified. `served`: what it serves (nullopt: it did not say).
origin::FetchError size_contradicts_metadata(const FileRecord& file, std::uint64_t described,
                                             std::optional<std::uint64_t> served);

// The record learns what the origin now says of the file (ETag, Last-Modified, whether it serves
// ranges; the size only when `with_size`: the swarm's size is its metadata's).
void learn_identity(FileRecord& file, const origin::RemoteIdentity& identity, bool with_size);

// The bytes kept are of content that is gone: the record forgets them and the identity, so a
// later run starts afresh with the new content.
void forget_content(FileRecord& file);

}  // namespace swarmcopy::engine
