// Upstream: a registry the mirror pulls through, from the `registry_upstream` setting:
// a comma-separated list of `URL` or `NAME=URL` (http:// or https://; an https upstream's
// certificate is checked against the system's CAs and swarmcopyd.conf's tls_ca_file). NAME is what
// containerd's `?ns=` names (docker.io, ghcr.io, ...); without NAME it is the URL's host[:port].
// A request with ns= goes to the upstream of that name (none: 404); a request without ns (Docker's
// registry-mirrors, skopeo) goes to the first one listed. Pure functions; any thread.
#pragma once

#include <cstdint>
#include <expected>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace swarmcopy::registry {

struct Upstream {
  std::string name;         // matched against ?ns=
  std::string host;         // a host name or an IP literal (no brackets)
  bool tls = false;         // https://
  std::uint16_t port = 80;  // 443 for https:// unless the URL names one
  std::string base_path;    // "" or "/prefix" (no trailing '/'): prepended to /v2/...
  // "http(s)://host[:port]/prefix": the origin URL of a blob is this + "/v2/<name>/blobs/<digest>".
  std::string url() const;
  // The Host header value.
  std::string host_header() const;
};

// Parses the setting's value; an error says what is wrong in a sentence.
std::expected<std::vector<Upstream>, std::string> parse_upstreams(std::string_view text);

// The upstream a request goes to: the one named `ns`, or the first without ns.
const Upstream* select_upstream(std::span<const Upstream> upstreams,
                                const std::optional<std::string>& ns);

}  // namespace swarmcopy::registry
