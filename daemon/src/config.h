// Config: every setting of swarmcopyd, from defaults (per mode), then the config file (`key =
// value` lines, `#` comments), then the command line (`--key value`), later ones winning.
// SIGHUP reloads the file and re-applies the command line; reloadable() tells which keys take
// effect without a restart. Plain value type; parsing is pure (any thread).
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "daemon_mode.h"
#include "swarmcopy/api/error.h"
#include "swarmcopy/engine/engine_options.h"

namespace swarmcopy::daemon {

// What an embedded engine gets by default: the daemon's settings start from it, except where a
// shared service needs other values (said where they differ).
inline const engine::EngineOptions kEngineDefaults{};

struct Config {
  std::filesystem::path socket;     // default: per mode (default_socket)
  std::filesystem::path state_dir;  // default: per mode (default_state_dir)
  // Engine limits (EngineOptions): restart to change. A service shared by every user of the
  // machine caps jobs tighter than one program embedding the engine.
  std::uint32_t max_jobs = 10000;
  std::uint32_t max_jobs_per_user = 1000;
  std::uint32_t max_files_per_job = kEngineDefaults.max_files_per_job;
  std::uint32_t max_active_jobs = kEngineDefaults.max_active_jobs;
  std::uint32_t min_retry_delay_ms =
      static_cast<std::uint32_t>(kEngineDefaults.min_retry_delay.count());
  std::uint32_t checkpoint_interval_ms =
      static_cast<std::uint32_t>(kEngineDefaults.checkpoint_interval.count());
  // A job's notify command still running after this long is killed.
  std::uint32_t notify_command_timeout_ms =
      static_cast<std::uint32_t>(kEngineDefaults.notify_command_timeout.count());
  // The swarm and the cache (EngineOptions): restart to change.
  std::string download_mode = "lan";  // lan, group, http-only or bypass
  // ADDRESS:PORT for peers; port 0 = any. A service listens on a fixed port, one that firewall
  // rules can name (an embedded engine takes any free one).
  std::string peer_listen = "0.0.0.0:6881";
  std::vector<std::string> peers;  // HOST:PORT peers to dial for every swarm
  bool local_discovery = kEngineDefaults.peer.local_discovery;  // LSD (multicast) in lan mode
  // Group mode: the machine's group (empty: none) and the trackers where the group's machines
  // meet (engine::PeerOptions).
  std::string group_id;
  std::string group_id_source = "explicit";  // or dns-domain (group_source.h)
  std::vector<std::string> trackers;
  // Interface name patterns (fnmatch): while one is up, files do not use peers. Empty: none.
  std::vector<std::string> vpn_interfaces = kEngineDefaults.peer.vpn_interfaces;
  // Upload to peers only with this much RAM / free cache disk, in MiB; 0: no minimum.
  std::uint64_t min_ram_to_upload_mb = 0;
  std::uint64_t min_free_disk_to_upload_mb = 0;
  // Bytes/s to peers, LAN ones too; 0: none.
  std::uint64_t upload_limit = kEngineDefaults.peer.upload_bytes_per_second;
  // Bytes to peers per calendar month at most; 0: none.
  std::uint64_t monthly_upload_cap = kEngineDefaults.peer.monthly_upload_cap;
  // Download caps of FOREGROUND and background jobs, business hours and their variants.
  engine::DownloadCaps download_caps = kEngineDefaults.download_caps;
  // Connections to peers at most, LAN ones too.
  std::uint32_t peer_connections = static_cast<std::uint32_t>(kEngineDefaults.peer.max_connections);
  // Serve finished content this long.
  std::uint32_t seed_time_seconds = static_cast<std::uint32_t>(kEngineDefaults.seed_time.count());
  // Background jobs: peers first.
  std::uint32_t background_http_delay_ms =
      static_cast<std::uint32_t>(kEngineDefaults.background_http_delay.count());
  // FOREGROUND jobs: the origin at once unless set.
  std::uint32_t foreground_http_delay_ms =
      static_cast<std::uint32_t>(kEngineDefaults.foreground_http_delay.count());
  std::uint64_t min_peer_file_size = kEngineDefaults.min_peer_file_size;
  // 0: a tenth of the cache's file system.
  std::uint64_t cache_max_bytes = kEngineDefaults.cache_limits.max_bytes;
  std::uint32_t cache_max_age_hours = static_cast<std::uint32_t>(
      std::chrono::duration_cast<std::chrono::hours>(kEngineDefaults.cache_limits.max_age).count());
  // Whose jobs may fetch from this machine itself (loopback, its own addresses): "admin" (root
  // and the daemon's own uid) or "all".
  std::string allow_loopback_origins = "admin";
  // GET /metrics (Prometheus) on TCP as well as the socket: "" (off), PORT (loopback) or
  // ADDRESS:PORT (an IP literal, [v6] in brackets); stored as ADDRESS:PORT.
  std::string metrics_listen;
  // The OCI registry mirror (registry/): "" (off), PORT (loopback) or ADDRESS:PORT, stored as
  // ADDRESS:PORT like metrics_listen; and the registries it pulls through, as
  // registry::parse_upstreams reads them (`URL` or `NAME=URL`, comma-separated; the first
  // serves requests without containerd's ?ns=). A listener needs at least one upstream.
  std::string registry_mirror_listen;
  std::string registry_upstream;
  // The read-only activity page (GET /, machine totals only) on TCP, as metrics_listen: ""
  // (off), PORT (loopback) or ADDRESS:PORT. The socket serves GET /activity always.
  std::string http_listen;
  // The proxy of jobs whose proxy setting is `system` (EngineOptions::proxy): a URL, empty for
  // the environment's (the systemd unit passes none); and the hosts they reach directly.
  std::string proxy;
  std::vector<std::string> no_proxy;
  // A PEM file of certificate authorities trusted for https (origins, registry upstreams)
  // beside the system's: a site's own CA. Empty: the system's alone.
  std::filesystem::path tls_ca_file;
  // Content private to the group: the group's CA, this machine's certificate and its key (PEM
  // files, read at start; all three, or none). engine::PeerOptions::group_ca_pem and the rest.
  std::filesystem::path group_ca_file;
  std::filesystem::path group_cert_file;
  std::filesystem::path group_key_file;
  // Server limits: reloadable.
  std::uint64_t max_request_bytes = 1 << 20;
  double requests_per_second = 100;  // per uid; 0 = unlimited
  std::uint32_t request_burst = 200;
  std::uint32_t max_connections = 4096;
  std::uint32_t max_connections_per_user = 64;  // root and the daemon's uid: not limited
  std::uint32_t io_timeout_seconds = 30;        // reading a request, writing an answer
  std::uint32_t event_queue_limit = 1024;       // events queued per subscriber before it is dropped
  std::uint32_t event_idle_seconds = 300;       // an event stream quiet this long is closed
  std::uint32_t idle_exit_seconds = 300;        // user mode: exit when idle this long; 0 = never
  std::string log_level = "info";
};

// metrics_listen's and http_listen's value as an address and a port; nullopt when malformed. "PORT"
// alone is 127.0.0.1:PORT: a TCP listener has no uid to check, so it faces outward only when asked
// to.
struct ListenEndpoint {
  std::string address;  // an IPv4 or IPv6 literal, without brackets
  std::uint16_t port = 0;
};
std::optional<ListenEndpoint> parse_listen_endpoint(const std::string& text);

// Every key, in the order the sample file lists them.
const std::vector<std::string>& config_keys();
// Keys whose change SIGHUP applies; the others need a restart.
bool reloadable(const std::string& key);

// `key = value` settings by key, as read from a file or the command line.
using ConfigValues = std::map<std::string, std::string>;

// Reads a config file: `key = value` per line, `#` starts a comment, blank lines ignored.
// An unknown key or a malformed line is an error naming the file and line.
api::Result<ConfigValues> read_config_file(const std::filesystem::path& file);

// Applies values over `config`; an unknown key or a bad value is an error naming the key.
api::Result<void> apply_values(const ConfigValues& values, Config& config);

// Defaults of a mode: socket and state directory (user mode: $XDG_RUNTIME_DIR/swarmcopy/
// swarmcopyd.sock and util::user_state_dir(), as `swarmcopy get`: $SWARMCOPY_HOME, else
// $XDG_STATE_HOME/swarmcopy, else ~/.local/state/swarmcopy; empty where nothing tells).
Config default_config(DaemonMode mode);

// After the file and the command line: a socket and a state directory must be known.
api::Result<void> check_complete(const Config& config);

// The value of one key as text (for logging what a reload changed).
std::string value_of(const Config& config, const std::string& key);

}  // namespace swarmcopy::daemon
