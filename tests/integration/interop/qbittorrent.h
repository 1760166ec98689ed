// Qbittorrent: an unmodified qbittorrent-nox (Debian 12: 4.5.2, on libtorrent 2.0) run by a
// test as its child, with a private profile directory, driven through its Web API (HTTP on
// 127.0.0.1, Boost.Beast, no login: local clients skip authentication in that profile).
//
// The profile keeps everything on loopback: BitTorrent and the Web UI listen on 127.0.0.1 only,
// on free ports picked here; DHT, PeX, LSD, UPnP/NAT-PMP and the peer-country lookup (which
// downloads a GeoIP database) are off; the legal notice is accepted beforehand so that it
// starts without asking. Every request and every wait is bounded. The process is asked to shut
// down when the object dies, killed if it does not, and killed anyway if the test process dies.
// Not thread-safe; one owner.
#pragma once

#include <chrono>
#include <cstdint>
#include <expected>
#include <filesystem>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "process/child_process.h"

namespace swarmcopy::test {

class Qbittorrent {
 public:
  // $SWARMCOPY_TEST_QBITTORRENT_NOX, else the first qbittorrent-nox on $PATH; empty when none.
  static std::filesystem::path program();

  // Writes a profile under `profile` (an empty directory), starts `program` with it and returns
  // once its Web API answers and it listens for peers. Retries with other ports when one it was
  // given was taken meanwhile. The error says why, with the end of qBittorrent's log.
  static std::expected<std::unique_ptr<Qbittorrent>, std::string> start(
      const std::filesystem::path& program, const std::filesystem::path& profile);

  Qbittorrent(const Qbittorrent&) = delete;
  Qbittorrent& operator=(const Qbittorrent&) = delete;
  ~Qbittorrent();

  std::uint16_t peer_port() const { return peer_port_; }  // BitTorrent, TCP on 127.0.0.1
  std::uint16_t webui_port() const { return webui_port_; }
  const std::string& version() const { return version_; }  // "v4.5.2"

  // POST /api/v2/torrents/add: the metainfo file, saved in (or checked against) `save_path`,
  // started at once, its existing data hash-checked.
  std::expected<void, std::string> add_torrent(const std::filesystem::path& torrent,
                                               const std::filesystem::path& save_path);
  // GET /api/v2/torrents/info: every torrent (a JSON array of objects: hash, infohash_v1,
  // infohash_v2, state, progress, uploaded, ...).
  std::expected<nlohmann::json, std::string> torrents();
  // POST /api/v2/torrents/addPeers: connect the torrent `hash` (its "hash" in torrents()) to
  // `peer` ("127.0.0.1:PORT").
  std::expected<void, std::string> add_peer(const std::string& hash, const std::string& peer);
  // GET /api/v2/sync/torrentPeers: the torrent's peers as qBittorrent sees them (diagnostics).
  std::expected<nlohmann::json, std::string> peers(const std::string& hash);

  // The last `max_bytes` of the profile's qbittorrent.log, for failure messages.
  std::string log_tail(std::size_t max_bytes = 4096) const;

  // POST /api/v2/app/shutdown, then waits (bounded) for the process to exit; kills it if it
  // does not. Idempotent.
  void stop();

 private:
  Qbittorrent() = default;

  struct Response {
    unsigned status = 0;
    std::string body;
  };
  std::expected<Response, std::string> get(const std::string& target) const;
  std::expected<Response, std::string> post(const std::string& target,
                                            const std::string& content_type,
                                            std::string body) const;
  // Polls until the Web API answers and the log says the peer port is bound; false (with
  // `why`) when the log says a port could not be bound, the process died or time ran out.
  bool wait_until_ready(std::chrono::milliseconds timeout, std::string& why);

  std::filesystem::path profile_;
  std::uint16_t peer_port_ = 0;
  std::uint16_t webui_port_ = 0;
  std::string version_;
  std::unique_ptr<ChildProcess> process_;
};

}  // namespace swarmcopy::test
