#include "failure_classifier.h"

#include <string>

namespace swarmcopy::engine::origin {
namespace {

bool starts_with_ignoring_case(std::string_view text, std::string_view prefix) {
  if (text.size() < prefix.size()) return false;
  for (std::size_t i = 0; i < prefix.size(); ++i) {
    const char c = text[i] >= 'A' && text[i] <= 'Z' ? char(text[i] - 'A' + 'a') : text[i];
    if (c != prefix[i]) return false;
  }
  return true;
}

std::string_view trim_newlines(std::string_view text) {
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.remove_suffix(1);
  return text;
}

}  // namespace

api::Protocol protocol_of(std::string_view url) {
  if (starts_with_ignoring_case(url, "https://")) return api::Protocol::kHttps;
  if (starts_with_ignoring_case(url, "http://")) return api::Protocol::kHttp;
  return api::Protocol::kNone;
}

bool is_transient_http_status(int status) {
  return status >= 500 || status == 408 || status == 429;
}

bool is_transient_curl_code(CURLcode code) {
  switch (code) {
    // The network or the origin had a bad moment: another attempt may well succeed.
    case CURLE_COULDNT_RESOLVE_PROXY:
    case CURLE_COULDNT_RESOLVE_HOST:  // DNS outages and captive networks are usually temporary
    case CURLE_COULDNT_CONNECT:
    case CURLE_WEIRD_SERVER_REPLY:
    case CURLE_HTTP2:
    case CURLE_PARTIAL_FILE:
    case CURLE_OPERATION_TIMEDOUT:
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_GOT_NOTHING:
    case CURLE_SEND_ERROR:
    case CURLE_RECV_ERROR:
    case CURLE_SEND_FAIL_REWIND:
    case CURLE_AGAIN:
    case CURLE_HTTP2_STREAM:
    case CURLE_HTTP3:
    case CURLE_QUIC_CONNECT_ERROR:
    case CURLE_PROXY:
      return true;
    // Everything else needs a different URL, certificate or build: UNSUPPORTED_PROTOCOL,
    // URL_MALFORMAT, TOO_MANY_REDIRECTS, PEER_FAILED_VERIFICATION, SSL_CACERT_BADFILE, ...
    default:
      return false;
  }
}

FetchError http_status_failure(int status, std::string_view reason,
                               std::chrono::seconds retry_after, const std::string& url) {
  std::string message = "HTTP " + std::to_string(status);
  if (!reason.empty()) message += " " + std::string(reason);
  return FetchError{api::Error{api::ErrorContext::kRemoteFile, api::ErrorKind::kHttpStatus, status,
                               std::move(message), url, protocol_of(url)},
                    is_transient_http_status(status), retry_after};
}

FetchError transport_failure(CURLcode code, std::string_view detail, const std::string& url) {
  std::string message = curl_easy_strerror(code);
  detail = trim_newlines(detail);
  if (!detail.empty() && detail != message) message += ": " + std::string(detail);
  return FetchError{api::Error{api::ErrorContext::kGeneralTransport, api::ErrorKind::kTransport,
                               static_cast<int>(code), std::move(message), url, protocol_of(url)},
                    is_transient_curl_code(code), std::chrono::seconds{0}};
}

FetchError make_failure(api::ErrorContext context, api::ErrorKind kind, bool transient,
                        std::string message, const std::string& url, int code) {
  return FetchError{api::Error{context, kind, code, std::move(message), url, protocol_of(url)},
                    transient, std::chrono::seconds{0}};
}

}  // namespace swarmcopy::engine::origin
