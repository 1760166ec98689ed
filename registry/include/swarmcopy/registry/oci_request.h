// OciRequest: what a request target of the OCI distribution API asks for, parsed strictly
// (parse_oci_target). The mirror acts only on targets that match the grammar of the spec
// (distribution-spec, "Pulling" and the name/reference/digest rules): anything else is refused
// before any upstream or the engine sees it. Pure functions; any thread.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace swarmcopy::registry {

struct OciRequest {
  enum class Kind {
    kPing,       // /v2/
    kManifest,   // /v2/<name>/manifests/<reference>
    kTags,       // /v2/<name>/tags/list
    kBlob,       // /v2/<name>/blobs/<digest>
    kReferrers,  // /v2/<name>/referrers/<digest>
    kPush,       // /v2/<name>/blobs/uploads/..., a manifest PUT: a pull-through mirror refuses
  };
  Kind kind = Kind::kPing;
  std::string name;       // repository name, e.g. "library/debian" (empty for kPing)
  std::string reference;  // kManifest: a tag or a digest
  std::string digest;     // kBlob, kReferrers: "algorithm:encoded"
  // containerd's `?ns=HOST`: which registry the runtime meant (selects the upstream).
  std::optional<std::string> ns;
  // The query the upstream gets: the parameters it understands (n, last, artifactType), in
  // the client's order, without ns; empty or starting with '?'.
  std::string upstream_query;
};

// The spec's limits: a name of at most 255 characters, a tag of at most 128.
inline constexpr std::size_t kMaxNameLength = 255;
inline constexpr std::size_t kMaxTagLength = 128;
// A target longer than this is refused whatever it holds.
inline constexpr std::size_t kMaxTargetLength = 2048;

// The request `target` (origin-form: path and query) as the OCI API reads it; nullopt when it
// does not match the grammar (a bad name, tag or digest, a percent-escape, an unknown query
// parameter, a path outside /v2/).
std::optional<OciRequest> parse_oci_target(std::string_view target);

// Grammar checks, exposed for the tests and the fuzzer.
bool is_repository_name(std::string_view name);
bool is_tag(std::string_view tag);
bool is_digest(std::string_view digest);
// "sha256:" and 64 lowercase hex digits: the digests the swarm can fetch by identity.
bool is_sha256_digest(std::string_view digest);
// A registry host as containerd names it in ns: host or host:port (letters, digits, '.', '-').
bool is_registry_host(std::string_view host);

}  // namespace swarmcopy::registry
