// What counts as a credential in a job's request: URL userinfo, a query parameter named like a
// signature or token, and every header except a few that only shape the answer. It decides two
// things: what is masked when a job is shown (the daemon's answers, the CLI), and which content
// is private: fetched with credentials, it never joins a swarm, is never seeded, and is never
// given to another user from the cache. Erring towards private costs peering; erring the other
// way leaks. Pure functions; any thread.
#pragma once

#include <span>
#include <string>
#include <string_view>

namespace swarmcopy::api {

// True for Authorization, Proxy-Authorization and Cookie: their values are always masked.
bool is_secret_header(std::string_view header);
// True unless the header only shapes the answer (User-Agent, Accept, Accept-Language,
// Accept-Encoding, Cache-Control, Pragma, Referer): any other header may be what lets the
// caller in (Bearer tokens, API keys, X-JFrog-Art-Api, PRIVATE-TOKEN...).
bool header_may_carry_credentials(std::string_view header);
// True when the URL has userinfo ("user:pass@") or a query parameter whose name suggests a
// secret (signature, token, key, auth, password, secret, credential, session; X-Amz-*).
bool url_has_credentials(std::string_view url);
// Any of the above in a request: its content is private to the caller.
bool sends_credentials(std::string_view url, std::span<const std::string> headers);

// "Authorization: ***" for a secret header; other headers unchanged.
std::string mask_header(std::string_view header);
// The URL with its userinfo and secret-looking query values replaced by "***".
std::string mask_url(std::string_view url);
// A proxy URL as it may be shown: "http://user:***@proxy:3128" (the password replaced; a user
// name without a password, often a token, becomes "***"). A URL without userinfo unchanged.
std::string mask_proxy_url(std::string_view url);

}  // namespace swarmcopy::api
