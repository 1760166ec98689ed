// EngineOptions: every knob of an embedded engine. Defaults suit a workstation; tests shrink
// the delays. Plain value type.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "swarmcopy/api/download_mode.h"
#include "swarmcopy/cache/content_store.h"
#include "swarmcopy/util/extra_ca.h"

namespace swarmcopy::engine {

// The peer session's knobs. One struct with one set of defaults for everyone who sets them
// (`swarmcopy get`'s flags, swarmcopyd's config, programs embedding the engine); the engine
// alone turns it into the peer layer's options.
struct PeerOptions {
  // "ADDRESS:PORT" to listen on for peers; port 0: any free port.
  std::string listen = "0.0.0.0:0";
  // Peers to dial for every swarm, "HOST:PORT" (for networks without multicast).
  std::vector<std::string> peers;
  // Local service discovery (multicast on the local link) in lan and group modes.
  bool local_discovery = true;
  // Group mode (DownloadMode::kGroup, Delivery Optimization's Group mode): the machine's
  // group, and the BitTorrent trackers where the group's machines meet. With a group, every
  // swarm of this engine is the group's: announced under a hash of the group and the content
  // (to the trackers and on the link), never under the content's own (peer::SessionOptions).
  // Files in mode group need a group; lan files of an engine that has one are the group's too.
  std::string group_id;
  std::vector<std::string> trackers;
  // Content private to the group (fetched with credentials) is peered only with machines that
  // prove they belong to it: the group's certificate authority, and this machine's certificate
  // (signed by it, common name "*") and private key, PEM text. Its swarm is the
  // published metainfo with the CA added (peer::make_group_private_metainfo: libtorrent's SSL
  // torrents, on the peer port + 1). Any of the three empty, or no group: such content is never
  // peered.
  std::string group_ca_pem;
  std::string group_cert_pem;
  std::string group_key_pem;
  bool peers_private_content() const {
    return !group_id.empty() && !group_ca_pem.empty() && !group_cert_pem.empty() &&
           !group_key_pem.empty();
  }
  // No peering while a VPN or tunnel is up: a file starting while an interface whose name
  // matches one of these patterns (fnmatch) is up takes nothing from peers and joins no swarm
  // (Delivery Optimization's VPN rule). Empty: no such rule.
  std::vector<std::string> vpn_interfaces = {"tun*", "wg*", "ppp*", "tap*"};
  // A machine uploads to peers only with at least this much RAM and this much free space in
  // its cache's file system (bytes; 0: no minimum). Checked when the session opens and every
  // few seconds after (Delivery Optimization's DOMinRAMAllowedToPeer, DOMinDiskSizeAllowedToPeer
  // — which counts the disk's size; free space is what an upload-heavy cache uses up).
  std::uint64_t min_ram_to_upload = 0;
  std::uint64_t min_free_disk_to_upload = 0;
  // Upload cap for peers (LAN peers included), bytes per second; 0: none.
  std::uint64_t upload_bytes_per_second = 0;
  // Bytes this machine uploads to peers in a calendar month (local time) at most; once reached,
  // it serves no peer until the month ends (Delivery Optimization's DOMonthlyUploadDataCap).
  // Counted across restarts (the job store keeps the month's count). 0: no cap.
  std::uint64_t monthly_upload_cap = 0;
  // Peer connections at most, over every swarm (LAN peers included).
  int max_connections = 200;
};

// A cap on the download rate of one class of jobs (FOREGROUND, or every background priority),
// over the origin and the peers together and over every job of the class: an absolute rate, or
// a percentage of the download throughput this engine measured (the best second it saw).
// Delivery Optimization's DOMaxForegroundDownloadBandwidth / DOPercentageMaxForegroundBandwidth
// and their background twins. Neither set: no cap.
struct DownloadLimit {
  std::uint64_t bytes_per_second = 0;
  std::uint32_t percent = 0;  // 1-100; used when bytes_per_second is 0
  bool none() const { return bytes_per_second == 0 && percent == 0; }
  bool operator==(const DownloadLimit&) const = default;
};

// The two classes' caps, and business-hour variants (DOSetHoursToLimitForegroundDownloadBandwidth,
// DOSetHoursToLimitBackgroundDownloadBandwidth): between business_begin_hour and
// business_end_hour (local time, whole hours; an end before the begin wraps past midnight; equal:
// no business hours) the `_business` limit applies, outside them the `_off_hours` one; a variant
// not given falls back to the class's plain limit.
struct DownloadCaps {
  DownloadLimit foreground;
  DownloadLimit background;
  int business_begin_hour = 0;
  int business_end_hour = 0;
  std::optional<DownloadLimit> foreground_business;
  std::optional<DownloadLimit> foreground_off_hours;
  std::optional<DownloadLimit> background_business;
  std::optional<DownloadLimit> background_off_hours;
  bool operator==(const DownloadCaps&) const = default;
};

struct EngineOptions {
  // How many jobs transfer at once (FOREGROUND jobs start even when all slots are taken, up to
  // this many per user, at least one).
  std::uint32_t max_active_jobs = 4;
  // Where a daemon serves this engine's jobs: written into the state directory's lock file
  // (state_dir_holder.h), so that a `swarmcopy get` finding its home in use goes through the
  // daemon instead of failing. Empty for an engine in a process nobody else can reach.
  std::optional<std::filesystem::path> served_socket;
  // Jobs of the same priority take turns: a running job yields its slot after this long when
  // another job of its priority waits.
  std::chrono::milliseconds time_slice{std::chrono::minutes(5)};
  // First retry after a transient error waits this long, doubling up to max_retry_delay. An
  // origin's Retry-After lengthens the wait, never shortens it.
  std::chrono::milliseconds min_retry_delay{std::chrono::seconds(10)};
  std::chrono::milliseconds max_retry_delay{std::chrono::minutes(10)};
  // Parallel HTTP connections per file and the size of one range request.
  std::uint32_t connections_per_file = 4;
  std::uint64_t segment_bytes = 64ull << 20;
  // A connection that moves fewer than 1 byte/s for this long counts as stalled (transient).
  std::chrono::seconds stall_timeout{30};
  std::chrono::seconds connect_timeout{30};
  // Synced progress is committed at least this often while data flows.
  std::chrono::milliseconds checkpoint_interval{std::chrono::seconds(1)};
  // Default no-progress timeout of new jobs (BITS: 14 days).
  std::chrono::seconds default_no_progress_timeout{std::chrono::hours(24 * 14)};
  // A job's notify command still running after this long is killed (SIGKILL).
  std::chrono::milliseconds notify_command_timeout{std::chrono::minutes(5)};
  // ACKNOWLEDGED and CANCELLED jobs stay visible to their getters this long after their last
  // change, then are purged from the store: at open and every purge_interval.
  std::chrono::hours final_job_retention{24 * 7};
  std::chrono::milliseconds purge_interval{std::chrono::hours(1)};
  // Limits with clear errors.
  std::uint32_t max_jobs = 100000;
  std::uint32_t max_jobs_per_user = 10000;
  std::uint32_t max_files_per_job = 1000;
  // open_local: the uid that owns the jobs of its Manager; unset: this process's effective uid.
  // (A Service's views name their caller instead.)
  std::optional<std::uint32_t> owner_uid;
  std::string user_agent = "swarmcopy/0.1";
  // Whose jobs may fetch from this machine itself (loopback, or an address of one of its
  // interfaces, also reached through a name or a redirect). nullopt: everyone's (a program
  // embedding the engine fetches as itself). A daemon running as root lists root and its own
  // uid: otherwise any user could make it reach local services that firewall rules keep from
  // that user (daemon config allow_loopback_origins).
  std::optional<std::vector<std::uint32_t>> local_origin_uids;
  // The proxy of jobs whose proxy setting is `system` (swarmcopyd.conf `proxy`): a URL
  // (api::check_proxy_url); empty: libcurl's environment handling (http_proxy, https_proxy,
  // no_proxy). no_proxy: the hosts those jobs reach directly (with a proxy set here the
  // environment's no_proxy is ignored; without one, this list replaces it when not empty).
  std::string proxy;
  std::vector<std::string> no_proxy;
  // Certificate authorities trusted for https origins beside the system's (swarmcopyd.conf
  // tls_ca_file: a site's own CA); null: the system's alone.
  std::shared_ptr<const util::ExtraCa> extra_ca;
  // The content cache: verified files (those with an expected SHA-256) are kept, and a later
  // file with the same SHA-256, under any URL, is copied from it without asking the origin.
  bool cache_enabled = true;
  std::filesystem::path cache_dir;  // empty: <state dir>/cache
  // The user's list of caches that share with each other (util::user_cache_list_dir(): a user's
  // get and user daemon; never a system daemon, which serves several users): a file whose
  // identity is known and that this cache lacks is copied, checked, from another home's cache
  // of the same user. Empty: this cache shares with no other.
  std::filesystem::path cache_list_dir;
  cache::CacheLimits cache_limits;

  // The LAN swarm. Files use default_mode unless they name one. The peer session opens when
  // the first file with metadata needs it (nothing listens before), on peer.listen;
  // on_listening then hears the bound port.
  api::DownloadMode default_mode = api::DownloadMode::kLan;
  PeerOptions peer;
  std::function<void(std::uint16_t port)> on_listening;
  // A completed (or cache-served) item keeps being served to peers this long after the last
  // job using it let go.
  std::chrono::seconds seed_time{std::chrono::hours(1)};
  // Content nobody published (no metainfo at the origin, a known SHA-256): how long a file waits
  // for a peer to offer its site metainfo before it joins the content's provisional swarm (or,
  // with no peer knowable, goes to the origin alone). Local discovery answers within
  // milliseconds on a LAN; the wait is only spent when nobody holds the content.
  std::chrono::milliseconds site_metainfo_wait{std::chrono::seconds(2)};
  // Background jobs (priority other than FOREGROUND) leave the origin alone this long while
  // peers may serve them (Delivery Optimization's "delay background download from HTTP"),
  // unless no peer can be known (no explicit peer, no discovery). FOREGROUND: the origin at once.
  std::chrono::milliseconds background_http_delay{std::chrono::seconds(2)};
  // The same for FOREGROUND jobs (Delivery Optimization's "delay foreground download from
  // HTTP"): none by default, a person waits.
  std::chrono::milliseconds foreground_http_delay{0};
  // Download caps per class of job (a job's own max_bytes_per_second applies within its class's).
  DownloadCaps download_caps;
  // Files smaller than this come from the origin alone (Delivery Optimization's "minimum
  // content file size to use peer caching"): a swarm's set-up (metadata, a rendezvous, peers'
  // handshakes) costs more than it saves on a small file. 0: every file may be peered.
  std::uint64_t min_peer_file_size = 0;
  // Any job waits at most this long for the explicit peers to connect before the origin starts
  // (so that it does not fetch from the origin what a listed peer has).
  std::chrono::milliseconds peer_connect_wait{std::chrono::milliseconds(2500)};
};

// The peer policy an administrator may change while the engine runs (swarmcopyd reloads it on
// SIGHUP; Service::apply_policy): the upload cap and the monthly one, the minimum RAM and free
// disk to upload, the VPN interfaces, the background and foreground HTTP delays, the minimum file
// size to peer, the download caps. Copies those fields of `from` into `to`, nothing else.
void copy_running_policy(const EngineOptions& from, EngineOptions& to);

}  // namespace swarmcopy::engine
