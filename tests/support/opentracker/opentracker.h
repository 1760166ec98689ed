// Opentracker: Debian's opentracker (/usr/bin/opentracker), the reference BitTorrent tracker
// of group mode's tests, on 127.0.0.1 and a free port (HTTP and UDP). Debian builds it with a
// whitelist: it tracks only the info-hashes listed (`allow`, which reloads the list with
// SIGHUP, as an administrator would); anything else is refused. Stopped and reaped when the
// object dies.
#pragma once

#include <cstdint>
#include <expected>
#include <memory>
#include <string>

#include "process/child_process.h"
#include "test_dir/test_dir.h"

namespace swarmcopy::test {

class Opentracker {
 public:
  static constexpr const char* kBinary = "/usr/bin/opentracker";
  static std::expected<std::unique_ptr<Opentracker>, std::string> start();

  // "http://127.0.0.1:PORT/announce"
  std::string announce_url() const;
  // Adds an info-hash (40 hex digits) to the whitelist and has opentracker read it again.
  std::expected<void, std::string> allow(const std::string& info_hash);

 private:
  Opentracker() = default;
  TestDir dir_;
  std::uint16_t port_ = 0;
  std::unique_ptr<ChildProcess> process_;
};

}  // namespace swarmcopy::test
