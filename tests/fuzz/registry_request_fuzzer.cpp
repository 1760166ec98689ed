// Fuzzes the registry mirror's parsers (registry/): the first line of the input is a request
// target through parse_oci_target, the rest a registry_upstream value through parse_upstreams
// and select_upstream with the target's ns. Properties: no crash or exception; an accepted
// target's name, tag and digest pass the grammar checks on their own, its upstream query holds
// only n, last and artifactType and never ns, and the path the mirror sends upstream is made of
// the grammar's characters only (no dot segment, escape or control character ever reaches an
// upstream); an accepted upstream list re-parses from its URLs to the same schemes, hosts and
// ports.
// The first line is also a blob GET's Range header through answer_range, for a blob as long as
// the input (and one byte long, and empty): a part lies inside the blob, first before last.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "fuzz_check.h"
#include "swarmcopy/registry/byte_range.h"
#include "swarmcopy/registry/oci_request.h"
#include "swarmcopy/registry/upstream.h"

namespace {

using swarmcopy::registry::OciRequest;

bool safe_path_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '/' ||
         c == '.' || c == '-' || c == '_' || c == ':' || c == '=' || c == '+';
}

void check(const OciRequest& request, std::string_view target) {
  using Kind = OciRequest::Kind;
  FUZZ_CHECK(request.kind == Kind::kPing || swarmcopy::registry::is_repository_name(request.name),
             "an accepted name breaks the grammar");
  if (request.kind == Kind::kManifest) {
    FUZZ_CHECK(swarmcopy::registry::is_tag(request.reference) ||
                   swarmcopy::registry::is_digest(request.reference),
               "an accepted reference is neither a tag nor a digest");
  }
  if (request.kind == Kind::kBlob || request.kind == Kind::kReferrers) {
    FUZZ_CHECK(swarmcopy::registry::is_digest(request.digest), "an accepted digest is not one");
  }
  FUZZ_CHECK(request.name.find("..") == std::string::npos, "a name holds a dot segment");
  FUZZ_CHECK(request.upstream_query.find("ns=") == std::string::npos,
             "ns would reach the upstream");
  FUZZ_CHECK(request.upstream_query.empty() || request.upstream_query.front() == '?',
             "a malformed upstream query");
  const auto path = target.substr(0, target.find('?'));
  for (char c : path) FUZZ_CHECK(safe_path_char(c), "an accepted path holds a stray character");
  if (request.ns) {
    FUZZ_CHECK(swarmcopy::registry::is_registry_host(*request.ns), "an accepted ns is no host");
  }
}

void check_range(std::string_view range, std::uint64_t size) {
  using Kind = swarmcopy::registry::RangeAnswer::Kind;
  const std::string_view etag = "\"sha256:0\"";
  const auto answer = swarmcopy::registry::answer_range(range, std::nullopt, etag, size);
  if (answer.kind == Kind::kPart) {
    FUZZ_CHECK(answer.first <= answer.last, "a part ends before it starts");
    FUZZ_CHECK(answer.last < size, "a part goes past the blob");
  }
  if (size == 0) FUZZ_CHECK(answer.kind != Kind::kPart, "a part of an empty blob");
  const auto other = swarmcopy::registry::answer_range(range, "\"sha256:1\"", etag, size);
  FUZZ_CHECK(other.kind == Kind::kWhole, "a range for another copy was answered");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const auto newline = input.find('\n');
  const auto target = input.substr(0, newline);
  const auto setting =
      newline == std::string_view::npos ? std::string_view{} : input.substr(newline + 1);
  for (const std::uint64_t blob_size : {std::uint64_t{size}, std::uint64_t{1}, std::uint64_t{0}}) {
    check_range(target, blob_size);
  }
  const auto request = swarmcopy::registry::parse_oci_target(target);
  if (request) check(*request, target);
  const auto upstreams = swarmcopy::registry::parse_upstreams(setting);
  if (!upstreams) return 0;
  for (const auto& upstream : *upstreams) {
    FUZZ_CHECK(!upstream.host.empty(), "an accepted upstream has no host");
    FUZZ_CHECK(upstream.url().starts_with(upstream.tls ? "https://" : "http://"),
               "an upstream's URL has another scheme than its own");
    FUZZ_CHECK(upstream.port != 0, "an accepted upstream has port 0");
    const auto again = swarmcopy::registry::parse_upstreams(upstream.url());
    FUZZ_CHECK(again && again->size() == 1, "an upstream's URL does not parse back");
    FUZZ_CHECK((*again)[0].host == upstream.host && (*again)[0].port == upstream.port &&
                   (*again)[0].tls == upstream.tls && (*again)[0].base_path == upstream.base_path,
               "an upstream's URL parses back to another upstream");
  }
  const auto* chosen = swarmcopy::registry::select_upstream(
      *upstreams, request ? request->ns : std::optional<std::string>{});
  FUZZ_CHECK(chosen == nullptr || (!upstreams->empty()), "an upstream chosen from none");
  return 0;
}
