#include "swarmcopy/origin/url_syntax.h"

#include <curl/curl.h>

#include <memory>

#include "curl_global.h"

namespace swarmcopy::engine::origin {

std::optional<std::string> url_syntax_error(std::string_view url) {
  ensure_curl_global_init();
  std::unique_ptr<CURLU, decltype(&curl_url_cleanup)> handle(curl_url(), &curl_url_cleanup);
  if (!handle) return std::string("out of memory");
  const std::string text(url);  // curl_url_set needs a terminated string
  const CURLUcode code = curl_url_set(handle.get(), CURLUPART_URL, text.c_str(), 0);
  if (code == CURLUE_OK) return std::nullopt;
  return std::string(curl_url_strerror(code));
}

}  // namespace swarmcopy::engine::origin
