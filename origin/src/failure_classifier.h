// How HttpClient turns what went wrong into a FetchError: which context and kind, whether a
// retry may help (transient) and the one-line message. Central so that the rules the scheduler
// depends on (5xx/408/429 and network failures retry, other 4xx and bad URLs do not) live in
// one place. Pure functions; any thread.
#pragma once

#include <curl/curl.h>

#include <chrono>
#include <string>
#include <string_view>

#include "swarmcopy/origin/http_client.h"

namespace swarmcopy::engine::origin {

bool is_transient_http_status(int status);
bool is_transient_curl_code(CURLcode code);

// The origin answered with a failing status (kHttpStatus, code = status, kRemoteFile).
FetchError http_status_failure(int status, std::string_view reason,
                               std::chrono::seconds retry_after, const std::string& url);

// libcurl failed (kTransport, code = CURLcode, kGeneralTransport). `detail` is curl's error
// buffer, which says more than curl_easy_strerror (e.g. which host refused).
FetchError transport_failure(CURLcode code, std::string_view detail, const std::string& url);

// Anything else: a failure we detected ourselves (bad Content-Range, content changed, ...).
FetchError make_failure(api::ErrorContext context, api::ErrorKind kind, bool transient,
                        std::string message, const std::string& url, int code = 0);

}  // namespace swarmcopy::engine::origin
