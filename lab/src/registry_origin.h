// RegistryOrigin: the origin of `--workload oci`: Debian's docker-registry (filesystem
// storage in the lab's work directory, on 127.0.0.1:5000 inside the origin namespace, so only
// that namespace reaches it directly) behind an nginx on ORIGIN:8080 that passes /v2/ through
// unbuffered and logs every request in kOriginLogFormat: its access log is the origin's egress,
// as for the other workloads. A blob's metainfo, which the daemons' blob jobs look for at the
// blob's URL + ".torrent" as at any origin, is served by nginx from a directory of
// "sha256:HEX.torrent" files (empty: unpublished, 404). harness::start_origin_server serves a
// directory and takes no further config, so the proxy's nginx.conf is written here. One thread
// (the lab's).
#pragma once

#include <expected>
#include <filesystem>
#include <optional>
#include <string>

#include "swarmcopy/harness/lab_process.h"
#include "swarmcopy/harness/network_lab.h"

namespace swarmcopy::lab {

class RegistryOrigin {
 public:
  static constexpr int kRegistryPort = 5000;  // 127.0.0.1 in the origin namespace
  static constexpr int kProxyPort = 8080;     // the origin's address

  // Starts both in namespace `ns` (at `address`), their files under `dir`, and waits until
  // each listens (bounded). torrents_dir() is DIR/torrents.
  static std::expected<RegistryOrigin, std::string> start(harness::NetworkLab& lab,
                                                          const std::string& ns,
                                                          const std::string& address,
                                                          const std::filesystem::path& dir);

  // nginx quits gracefully (every request logged); returns its access log. The registry is
  // left to the lab's close().
  std::filesystem::path quit();

  static std::filesystem::path torrents_dir(const std::filesystem::path& dir) {
    return dir / "torrents";
  }

 private:
  RegistryOrigin(harness::LabProcess registry, harness::LabProcess nginx,
                 std::filesystem::path access_log)
      : registry_(std::move(registry)),
        nginx_(std::move(nginx)),
        access_log_(std::move(access_log)) {}

  harness::LabProcess registry_;
  harness::LabProcess nginx_;
  std::filesystem::path access_log_;
};

}  // namespace swarmcopy::lab
