// HttpFetcher: the method's own HTTP(S) client (libcurl easy interface; the only file of apt/
// that includes curl), for index files, small files, and whenever the daemon cannot help. It
// behaves as apt's http method: If-Modified-Since from the request's Last-Modified (a 304 is an
// IMS hit and removes the partial file), the file's mtime set from the origin's Last-Modified,
// every hash computed while the body streams, Maximum-Size enforced, errors as apt words and
// classifies them ("404  Not Found", FailReason HttpError404, 5xx/408/429 transient). One
// keep-alive connection reused across files. Blocking; bounded by Acquire::http::Timeout for
// connecting and for any stall. Not thread-safe; one owner.
#pragma once

#include <csignal>
#include <cstdint>
#include <ctime>
#include <expected>
#include <functional>
#include <memory>
#include <optional>

#include "swarmcopy/apt/acquire_request.h"
#include "swarmcopy/apt/fetch_result.h"
#include "swarmcopy/apt/method_config.h"

namespace swarmcopy::apt {

class HttpFetcher {
 public:
  // Called once, when the origin has answered with data: its size (when it said) and
  // Last-Modified, for 200 URI Start.
  using OnStart = std::function<void(std::optional<std::uint64_t>, std::optional<std::time_t>)>;

  explicit HttpFetcher(const MethodConfig& config);
  ~HttpFetcher();
  HttpFetcher(const HttpFetcher&) = delete;
  HttpFetcher& operator=(const HttpFetcher&) = delete;

  // `stop` (may be null): a flag that, once set, aborts the transfer within a second.
  std::expected<FetchResult, FetchFailure> fetch(const AcquireRequest& request,
                                                 const volatile std::sig_atomic_t* stop,
                                                 const OnStart& on_start);

 private:
  struct Handle;
  const MethodConfig& config_;
  std::unique_ptr<Handle> handle_;
};

}  // namespace swarmcopy::apt
