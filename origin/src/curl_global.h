// curl_global_init exactly once per process, before the first handle is made. libcurl's
// global state is never torn down: other libraries in the process (or a later HttpClient)
// may still use it, and curl_global_cleanup is not safe while any thread might.
// Any thread.
#pragma once

namespace swarmcopy::engine::origin {

void ensure_curl_global_init();

}  // namespace swarmcopy::engine::origin
