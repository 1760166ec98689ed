#include "curl_global.h"

#include <curl/curl.h>

#include <mutex>
#include <stdexcept>

namespace swarmcopy::engine::origin {

void ensure_curl_global_init() {
  static std::once_flag once;
  std::call_once(once, [] {
    // Failing here means libcurl cannot work at all (no memory, broken TLS backend): a
    // programming/environment error, not something a request could report.
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
      throw std::runtime_error("curl_global_init failed");
    }
  });
}

}  // namespace swarmcopy::engine::origin
