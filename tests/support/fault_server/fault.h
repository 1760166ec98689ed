// Fault: how FaultServer misbehaves when answering one request. Build one with the factory
// functions (`Fault::http_status(503, "7")`, `Fault::reset_after(4096)`, ...) and give it to
// FaultServer::push_fault / set_fault. Plain value type; any thread.
#pragma once

#include <cstddef>
#include <string>

namespace swarmcopy::test {

struct Fault {
  enum class Kind {
    kNone,              // answer normally (Range honoured)
    kStatus,            // answer `code` (with Retry-After when set) and a small text body
    kIgnoreRange,       // answer 200 with the whole body, whatever the Range header says
    kIgnoreRangeReset,  // as kIgnoreRange, but reset the connection after `bytes` of the body
    kGzip,              // answer normally but with "Content-Encoding: gzip" and gzip bytes
    kShortBody,         // headers promise the full body; send `bytes` of it, then close (FIN)
    kReset,             // send `bytes` of the body, then reset the connection (RST)
    kStall,             // send `bytes` of the body, then nothing until the client or server quits
    kRedirect,          // answer `code` (3xx) with Location: `location`
    kHugeHeader,        // answer normally plus an "X-Junk" header of `bytes` bytes
    kOverlongRange,     // answer 206 with `bytes` more than the Range asked for
  };

  Kind kind = Kind::kNone;
  int code = 0;
  std::string retry_after;
  std::string location;
  std::size_t bytes = 0;

  static Fault none() { return {}; }
  static Fault http_status(int code, std::string retry_after = {}) {
    return {Kind::kStatus, code, std::move(retry_after), {}, 0};
  }
  static Fault ignore_range() { return {Kind::kIgnoreRange, 0, {}, {}, 0}; }
  static Fault ignore_range_reset_after(std::size_t sent) {
    return {Kind::kIgnoreRangeReset, 0, {}, {}, sent};
  }
  bool ignores_range() const {
    return kind == Kind::kIgnoreRange || kind == Kind::kIgnoreRangeReset;
  }
  static Fault gzip() { return {Kind::kGzip, 0, {}, {}, 0}; }
  static Fault short_body(std::size_t sent) { return {Kind::kShortBody, 0, {}, {}, sent}; }
  static Fault reset_after(std::size_t sent) { return {Kind::kReset, 0, {}, {}, sent}; }
  static Fault stall_after(std::size_t sent) { return {Kind::kStall, 0, {}, {}, sent}; }
  // `location` may be a path ("/next") or an absolute URL.
  static Fault redirect(std::string location, int code = 302) {
    return {Kind::kRedirect, code, {}, std::move(location), 0};
  }
  static Fault huge_header(std::size_t header_bytes) {
    return {Kind::kHugeHeader, 0, {}, {}, header_bytes};
  }
  static Fault overlong_range(std::size_t extra) {
    return {Kind::kOverlongRange, 0, {}, {}, extra};
  }
};

}  // namespace swarmcopy::test
