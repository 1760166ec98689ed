// Owners of libcurl's C handles: the easy handle (one request), the multi handle (the driver)
// and the header list (a request's extra headers). Each frees its handle with the matching
// curl call; nothing else in origin/ calls a curl *_cleanup or curl_slist_free_all.
// Plain values, any thread (the handles themselves are used on the io_context's thread).
#pragma once

#include <curl/curl.h>

#include <memory>

namespace swarmcopy::engine::origin {

struct CurlEasyDeleter {
  void operator()(CURL* easy) const { curl_easy_cleanup(easy); }
};
struct CurlMultiDeleter {
  void operator()(CURLM* multi) const { curl_multi_cleanup(multi); }
};
struct CurlSlistDeleter {
  void operator()(curl_slist* list) const { curl_slist_free_all(list); }
};

using CurlEasy = std::unique_ptr<CURL, CurlEasyDeleter>;
using CurlMulti = std::unique_ptr<CURLM, CurlMultiDeleter>;
using CurlSlist = std::unique_ptr<curl_slist, CurlSlistDeleter>;

}  // namespace swarmcopy::engine::origin
