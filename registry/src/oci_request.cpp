#include "swarmcopy/registry/oci_request.h"

#include <vector>

namespace swarmcopy::registry {
namespace {

bool lower_alnum(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); }
bool alnum(char c) { return lower_alnum(c) || (c >= 'A' && c <= 'Z'); }
bool hex_lower(char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); }

// [a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*
bool is_path_component(std::string_view part) {
  if (part.empty() || !lower_alnum(part.front()) || !lower_alnum(part.back())) return false;
  for (std::size_t i = 0; i < part.size();) {
    if (lower_alnum(part[i])) {
      ++i;
      continue;
    }
    // A separator run: ".", "_", "__" or one or more "-"; an alphanumeric follows (the last
    // character is one, checked above).
    const char c = part[i];
    std::size_t run = 0;
    while (i + run < part.size() && part[i + run] == c) ++run;
    if (c == '.' && run != 1) return false;
    if (c == '_' && run > 2) return false;
    if (c != '.' && c != '_' && c != '-') return false;
    i += run;
    if (!lower_alnum(part[i])) return false;  // "._", "-." ...: one separator between runs
  }
  return true;
}

std::vector<std::string_view> split(std::string_view text, char by) {
  std::vector<std::string_view> parts;
  for (;;) {
    const auto at = text.find(by);
    parts.push_back(text.substr(0, at));
    if (at == std::string_view::npos) return parts;
    text.remove_prefix(at + 1);
  }
}

// Query values the mirror passes on: n (a count), last (a tag), artifactType (a media type).
bool is_media_type(std::string_view text) {
  if (text.empty() || text.size() > 255) return false;
  for (char c : text) {
    if (!alnum(c) && c != '.' && c != '-' && c != '+' && c != '/' && c != '_') return false;
  }
  return true;
}

bool is_count(std::string_view text) {
  if (text.empty() || text.size() > 6) return false;
  for (char c : text) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

}  // namespace

bool is_repository_name(std::string_view name) {
  if (name.empty() || name.size() > kMaxNameLength) return false;
  for (auto part : split(name, '/')) {
    if (!is_path_component(part)) return false;
  }
  return true;
}

// [a-zA-Z0-9_][a-zA-Z0-9._-]{0,127}
bool is_tag(std::string_view tag) {
  if (tag.empty() || tag.size() > kMaxTagLength) return false;
  if (!alnum(tag.front()) && tag.front() != '_') return false;
  for (char c : tag) {
    if (!alnum(c) && c != '_' && c != '.' && c != '-') return false;
  }
  return true;
}

// algorithm ":" encoded; algorithm: [a-z0-9]+([+._-][a-z0-9]+)*; encoded: [a-zA-Z0-9=_-]+.
// sha256 and sha512 must be lowercase hex of their length, as the spec requires.
bool is_digest(std::string_view digest) {
  if (digest.size() > 256) return false;
  const auto colon = digest.find(':');
  if (colon == std::string_view::npos) return false;
  const auto algorithm = digest.substr(0, colon);
  const auto encoded = digest.substr(colon + 1);
  if (algorithm.empty() || encoded.empty()) return false;
  if (!lower_alnum(algorithm.front()) || !lower_alnum(algorithm.back())) return false;
  for (std::size_t i = 0; i < algorithm.size(); ++i) {
    const char c = algorithm[i];
    if (lower_alnum(c)) continue;
    if (c != '+' && c != '.' && c != '_' && c != '-') return false;
    if (!lower_alnum(algorithm[i + 1])) return false;  // a separator is never last (checked)
  }
  for (char c : encoded) {
    if (!alnum(c) && c != '=' && c != '_' && c != '-') return false;
  }
  const auto hex_of = [&](std::size_t length) {
    if (encoded.size() != length) return false;
    for (char c : encoded) {
      if (!hex_lower(c)) return false;
    }
    return true;
  };
  if (algorithm == "sha256") return hex_of(64);
  if (algorithm == "sha512") return hex_of(128);
  return true;
}

bool is_sha256_digest(std::string_view digest) {
  return digest.starts_with("sha256:") && is_digest(digest);
}

bool is_registry_host(std::string_view host) {
  if (host.empty() || host.size() > 255) return false;
  const auto colon = host.find(':');
  auto name = host.substr(0, colon);
  if (colon != std::string_view::npos) {
    const auto port = host.substr(colon + 1);
    if (!is_count(port) || port.size() > 5) return false;
  }
  if (name.empty()) return false;
  for (auto label : split(name, '.')) {
    if (label.empty() || label.size() > 63 || label.front() == '-' || label.back() == '-') {
      return false;
    }
    for (char c : label) {
      if (!alnum(c) && c != '-') return false;
    }
  }
  return true;
}

std::optional<OciRequest> parse_oci_target(std::string_view target) {
  if (target.size() > kMaxTargetLength) return std::nullopt;
  OciRequest request;
  std::string_view path = target;
  if (const auto mark = target.find('?'); mark != std::string_view::npos) {
    path = target.substr(0, mark);
    for (auto pair : split(target.substr(mark + 1), '&')) {
      const auto equals = pair.find('=');
      if (equals == std::string_view::npos) return std::nullopt;
      const auto key = pair.substr(0, equals);
      const auto value = pair.substr(equals + 1);
      if (key == "ns") {
        if (request.ns || !is_registry_host(value)) return std::nullopt;
        request.ns = std::string(value);
        continue;
      }
      const bool known = (key == "n" && is_count(value)) || (key == "last" && is_tag(value)) ||
                         (key == "artifactType" && is_media_type(value));
      if (!known) return std::nullopt;
      request.upstream_query += (request.upstream_query.empty() ? "?" : "&");
      request.upstream_query += pair;
    }
  }
  if (path == "/v2/" || path == "/v2") {
    if (!request.upstream_query.empty()) return std::nullopt;
    return request;
  }
  if (!path.starts_with("/v2/")) return std::nullopt;
  const auto parts = split(path.substr(4), '/');
  const auto count = parts.size();
  // The name is everything before the last two segments (a name may itself hold "blobs").
  const auto name_of = [&](std::size_t segments) -> std::optional<std::string> {
    if (count <= segments) return std::nullopt;
    std::string name;
    for (std::size_t i = 0; i + segments < count; ++i) {
      if (i > 0) name += '/';
      name += parts[i];
    }
    if (!is_repository_name(name)) return std::nullopt;
    return name;
  };
  // Uploads: /v2/<name>/blobs/uploads/ and /v2/<name>/blobs/uploads/<session>.
  for (std::size_t tail = 2; tail <= 3; ++tail) {
    if (count > tail && parts[count - tail] == "blobs" && parts[count - tail + 1] == "uploads") {
      // A session id is opaque, but only a plain word is worth an answer.
      if (tail == 3) {
        for (char c : parts[count - 1]) {
          if (!alnum(c) && c != '-' && c != '_' && c != '.' && c != '=') return std::nullopt;
        }
      }
      auto name = name_of(tail);
      if (!name) return std::nullopt;
      request.kind = OciRequest::Kind::kPush;
      request.name = std::move(*name);
      return request;
    }
  }
  if (count < 3) return std::nullopt;
  const auto kind = parts[count - 2];
  const auto last = parts[count - 1];
  auto name = name_of(2);
  if (!name) return std::nullopt;
  request.name = std::move(*name);
  if (kind == "tags" && last == "list") {
    request.kind = OciRequest::Kind::kTags;
  } else if (kind == "manifests" && (is_tag(last) || is_digest(last))) {
    request.kind = OciRequest::Kind::kManifest;
    request.reference = std::string(last);
  } else if (kind == "blobs" && is_digest(last)) {
    request.kind = OciRequest::Kind::kBlob;
    request.digest = std::string(last);
  } else if (kind == "referrers" && is_digest(last)) {
    request.kind = OciRequest::Kind::kReferrers;
    request.digest = std::string(last);
  } else {
    return std::nullopt;
  }
  // Only tags/list takes n and last; only referrers takes artifactType.
  const bool query_fits = request.upstream_query.empty() ||
                          (request.kind == OciRequest::Kind::kTags &&
                           request.upstream_query.find("artifactType=") == std::string::npos) ||
                          (request.kind == OciRequest::Kind::kReferrers &&
                           request.upstream_query.find("artifactType=") != std::string::npos &&
                           request.upstream_query.find('&') == std::string::npos);
  if (!query_fits) return std::nullopt;
  return request;
}

}  // namespace swarmcopy::registry
