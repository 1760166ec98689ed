// FaultServer: an HTTP/1.1 origin for tests that misbehaves on request. It listens on
// 127.0.0.1 on a free port, runs on its own thread, and serves one in-memory body at every
// path (or, with `set_content_at`, its own body at one path: a file and its FILE.torrent),
// honouring single Range requests (206, Content-Range, ETag, Last-Modified, Accept-Ranges) and
// keep-alive. Per path, a queue of faults (`push_fault`) answers the next
// requests, then a standing fault (`set_fault`) or the normal answer. The body can be replaced
// while running (a new ETag) to simulate a file changing at the origin. Every request is
// recorded.
//
// Thread-safe: every method may be called from any thread while the server runs. The
// destructor closes every connection (stalled ones included) and joins the thread.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "fault_server/fault.h"
#include "fault_server/recorded_request.h"

namespace swarmcopy::test {

class FaultServer {
 public:
  // Serves an empty body until set_content is called.
  FaultServer();
  ~FaultServer();
  FaultServer(const FaultServer&) = delete;
  FaultServer& operator=(const FaultServer&) = delete;

  std::uint16_t port() const;
  // "http://127.0.0.1:<port><path>"; `path` starts with '/'.
  std::string url(std::string_view path) const;

  void set_content(std::string body, std::string etag, std::string last_modified);
  // Keeps Last-Modified; the ETag becomes a new "\"v<N>\"".
  void set_content(std::string body);
  // Serves `body` at `path` (query ignored) instead of the shared body, with an ETag of its own
  // and the shared Last-Modified. The shared body is unchanged for every other path.
  void set_content_at(std::string path, std::string body);
  std::string etag() const;
  std::string last_modified() const;

  // The next `times` requests to `path` (query ignored) get `fault`, before any queued later.
  void push_fault(std::string path, Fault fault, int times = 1);
  // Every request to `path` once its queue is empty; Fault::none() clears it.
  void set_fault(std::string path, Fault fault);
  void clear_faults();

  std::vector<RecordedRequest> requests() const;
  std::vector<RecordedRequest> requests_for(std::string_view path) const;
  void clear_requests();
  std::uint64_t connections_accepted() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace swarmcopy::test
