// Transfer: one HTTP request of HttpClient (a probe or a range fetch) on its own curl easy
// handle. It owns what curl calls back into: it collects the final response's headers,
// checks them before the first body byte (status, Content-Range, Content-Encoding, identity),
// hands body bytes to on_data without copying and never past the requested end, and turns
// curl's final code into the request's outcome. It knows nothing of the multi handle.
// Used on the io_context's thread only.
#pragma once

#include <curl/curl.h>

#include <array>
#include <chrono>
#include <cstdint>
#include <expected>
#include <optional>
#include <string>

#include "curl_handles.h"
#include "response_headers.h"
#include "swarmcopy/origin/http_client.h"

namespace swarmcopy::engine::origin {

class Transfer {
 public:
  enum class Kind { kProbe, kRange, kWholeBody };

  // `on_data` is unused for probes.
  Transfer(HttpClient::RequestId id, Kind kind, RangeRequest request, HttpClient::OnData on_data);
  Transfer(const Transfer&) = delete;
  Transfer& operator=(const Transfer&) = delete;

  // Makes and configures the easy handle. A failure is permanent (a bad option or no memory).
  std::expected<void, FetchError> configure(const HttpClient::Options& options);

  HttpClient::RequestId id() const { return id_; }
  Kind kind() const { return kind_; }
  CURL* easy() const { return easy_.get(); }
  const std::string& url() const { return request_.url; }

  // From now on no user callback runs, and curl's next callback for this handle aborts it.
  void cancel() { cancelled_ = true; }
  bool cancelled() const { return cancelled_; }

  // Called when the handle joins the multi: the stall watchdog's clock starts.
  void started(std::chrono::steady_clock::time_point now) { last_progress_ = now; }
  // The request's budget was in debt when bytes arrived: the write callback paused the handle
  // (curl keeps those bytes and hands them over again once resumed). How long to wait before
  // curl_easy_pause(CURLPAUSE_CONT); nullopt when not paused. Cleared by resumed().
  std::optional<std::chrono::steady_clock::duration> paused_for() const { return paused_for_; }
  void resumed(std::chrono::steady_clock::time_point now) {
    paused_for_.reset();
    last_progress_ = now;  // the pause was ours, not the origin's stall
  }
  // Nothing arrived (header or body) for `timeout`. Rate-limited requests are left to curl's
  // own low-speed check: curl pauses them on purpose.
  bool stalled(std::chrono::steady_clock::time_point now, std::chrono::seconds timeout) const;
  // The transient error for a stalled request; bytes delivered so far stay valid.
  FetchError stall_failure(std::chrono::seconds timeout) const;

  // The outcome once curl finished with `code`: the response's identity (meaningful for a
  // probe; a fetch only cares whether it is an error).
  std::expected<RemoteIdentity, FetchError> outcome(CURLcode code);

 private:
  static std::size_t header_callback(char* data, std::size_t size, std::size_t count, void* self);
  static std::size_t write_callback(char* data, std::size_t size, std::size_t count, void* self);
  // CURLOPT_SSL_CTX_FUNCTION: adds HttpClient::Options::extra_ca to the connection's store.
  static CURLcode ssl_context_callback(CURL* easy, void* ssl_context, void* extra_ca);
  static int prereq_callback(void* self, char* primary_ip, char* local_ip, int primary_port,
                             int local_port);
  std::size_t on_header(std::string_view line);
  std::size_t on_body(const char* data, std::size_t length);

  // The checks made once, before the first body byte (or at the end for an empty body).
  std::expected<RemoteIdentity, FetchError> accept_response() const;
  std::optional<FetchError> identity_mismatch(const RemoteIdentity& seen) const;
  // curl gave up inside the final header block (a header over its size limit).
  bool header_block_broke_off(CURLcode code) const;
  FetchError failure(api::ErrorContext context, api::ErrorKind kind, bool transient,
                     std::string message, int code = 0) const;

  HttpClient::RequestId id_;
  Kind kind_;
  RangeRequest request_;
  HttpClient::OnData on_data_;

  CurlEasy easy_;
  CurlSlist headers_;
  std::array<char, CURL_ERROR_SIZE> error_buffer_{};
  ResponseHeaders response_;

  bool cancelled_ = false;
  bool accepted_ = false;
  // A probe answered 200 stops reading the body on purpose: curl reports a write error that
  // is in fact the probe's success.
  bool probe_stopped_body_ = false;
  std::optional<RemoteIdentity> identity_;
  std::optional<FetchError> failure_;
  std::uint64_t next_offset_ = 0;
  std::chrono::steady_clock::time_point last_progress_;
  std::optional<std::chrono::steady_clock::duration> paused_for_;
};

}  // namespace swarmcopy::engine::origin
