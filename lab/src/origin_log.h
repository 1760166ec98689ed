// What the origin sent, from nginx's access log written in kOriginLogFormat: body bytes of the
// content (the file, the .deb, the image's layers) apart from everything else (metadata: a
// .torrent, apt's indexes, manifests), per round of a run.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace swarmcopy::lab {

// The log_format the lab gives nginx: one line per request, as read_access_log parses it.
// $msec is when the request ended (logged), $request_time how long it took: their difference
// is when it started.
inline constexpr const char* kOriginLogFormat =
    "$remote_addr $uri $status $body_bytes_sent $msec $request_time";

struct OriginTraffic {
  std::uint64_t content = 0;   // body bytes of the content's URIs
  std::uint64_t metadata = 0;  // body bytes of every other URI
};

// One entry per round: the requests that started at or after round_starts[i] (seconds since
// the epoch) and before round_starts[i + 1]. By start, not by end: a request cut off by an
// outage is logged only when its connection finally closes, maybe rounds later.
// `content_uris`: the content's paths ("/f.bin"), as nginx's $uri has them. A missing log
// reads as no traffic.
std::vector<OriginTraffic> read_access_log(const std::filesystem::path& log,
                                           const std::vector<std::string>& content_uris,
                                           const std::vector<double>& round_starts);

}  // namespace swarmcopy::lab
