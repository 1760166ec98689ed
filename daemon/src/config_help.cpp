#include "config_help.h"

#include <array>
#include <utility>

namespace swarmcopy::daemon {
namespace {

// "[reload]": SIGHUP applies the new value at once; the others at the next start.
// A plain array: its size follows the list (a key added to the config and here needs no count).
constexpr std::pair<std::string_view, std::string_view> kHelp[] = {
    {"socket",
     "The UNIX socket clients connect to (default /run/swarmcopy/swarmcopyd.sock; --user: "
     "$XDG_RUNTIME_DIR/swarmcopy/swarmcopyd.sock)"},
    {"state_dir",
     "Job store and engine state (default /var/lib/swarmcopy; --user: where `swarmcopy get` "
     "keeps its own: $SWARMCOPY_HOME, else $XDG_STATE_HOME/swarmcopy, else "
     "~/.local/state/swarmcopy)"},
    {"max_jobs", "Jobs in the store over all users; beyond, creating one answers 429"},
    {"max_jobs_per_user", "Jobs in the store per user; beyond, creating one answers 429"},
    {"max_files_per_job", "Files in one job; beyond, adding files answers 429"},
    {"max_active_jobs",
     "Jobs transferring at once (FOREGROUND jobs start even when all slots are taken)"},
    {"min_retry_delay_ms",
     "First retry after a transient error, in milliseconds (doubling up to 10 minutes); a job "
     "may set its own (job set --min-retry-delay)"},
    {"notify_command_timeout_ms",
     "A job's notify command (job set --notify-cmd) is killed when it runs longer than this, in "
     "milliseconds"},
    {"checkpoint_interval_ms",
     "How often a running transfer's progress is committed to the store, in milliseconds"},
    {"download_mode",
     "Where bytes may come from unless the job says: lan (LAN peers, the origin, the cache), "
     "group (as lan, with the peers of group_id met at the trackers), http-only (the origin, "
     "the cache) or bypass (the origin alone)"},
    {"peer_listen", "ADDRESS:PORT peers reach this machine on (TCP; port 0 = any free port)"},
    {"peers",
     "Peers to dial for every swarm, HOST:PORT, comma-separated (where multicast discovery does "
     "not reach)"},
    {"local_discovery",
     "true or false: local service discovery (multicast) in lan and group modes"},
    {"vpn_interfaces",
     "[reload] Interface name patterns (tun* wg* ppp* tap* by default; empty = none): while one is "
     "up, "
     "files take nothing from peers and join no swarm (no peering over a VPN, as Delivery "
     "Optimization)"},
    {"min_ram_to_upload_mb",
     "[reload] Serve peers only with at least this much RAM, in MiB (DOMinRAMAllowedToPeer); 0 = "
     "no "
     "minimum"},
    {"min_free_disk_to_upload_mb",
     "[reload] Serve peers only while the cache's file system has this much free space, in MiB "
     "(checked "
     "every few seconds); 0 = no minimum"},
    {"group_id",
     "The machine's group for download_mode group (Delivery Optimization's DOGroupId): 1-255 "
     "printable ASCII bytes, e.g. the AD site or DNS domain; only a hash of it is announced"},
    {"group_id_source",
     "Where the group comes from (DOGroupIdSource): explicit (group_id) or dns-domain (this "
     "host's DNS domain: its canonical name, else /etc/resolv.conf; read at start)"},
    {"trackers",
     "BitTorrent trackers (http://, https://, udp://; space- or comma-separated) where the "
     "group's machines meet; swarms are announced there under a hash of the group and the "
     "content"},
    {"upload_limit",
     "[reload] Upload cap to peers in bytes per second, LAN peers included; 0 = none"},
    {"monthly_upload_cap",
     "[reload] Bytes uploaded to peers per calendar month (local time) at most, counted across "
     "restarts; reached, the machine serves no peer until the month ends; 0 = none"},
    {"foreground_download_limit",
     "[reload] Download cap of FOREGROUND jobs together, origin and peers: bytes per second, or "
     "a percentage of the measured download throughput (\"40%\"); 0 = none"},
    {"background_download_limit",
     "[reload] The same for background (HIGH, NORMAL, LOW) jobs together"},
    {"business_hours",
     "[reload] BEGIN-END, whole hours of local time (\"8-17\"; \"22-6\" wraps past midnight) "
     "when the *_business_hours caps apply (the *_off_hours caps outside them); empty = none"},
    {"foreground_download_limit_business_hours",
     "[reload] foreground_download_limit in business hours; empty = the plain one"},
    {"foreground_download_limit_off_hours",
     "[reload] foreground_download_limit outside business hours; empty = the plain one"},
    {"background_download_limit_business_hours",
     "[reload] background_download_limit in business hours; empty = the plain one"},
    {"background_download_limit_off_hours",
     "[reload] background_download_limit outside business hours; empty = the plain one"},
    {"seed_time_seconds",
     "Finished content keeps being served to peers this long after its last job let go"},
    {"peer_connections", "Connections to peers at most, over every swarm, LAN peers included"},
    {"background_http_delay_ms",
     "[reload] Background (non-FOREGROUND) jobs leave the origin alone this long while peers may "
     "serve "
     "them"},
    {"foreground_http_delay_ms",
     "[reload] FOREGROUND jobs leave the origin alone this long while peers may serve them; 0 = "
     "none"},
    {"min_peer_file_size",
     "[reload] Files smaller than this many bytes come from the origin alone; 0 = every file "
     "may be peered"},
    {"cache_max_bytes", "Content cache size limit in bytes; 0 = a tenth of its file system"},
    {"cache_max_age_hours", "Content cache entries unused this long are removed"},
    {"allow_loopback_origins",
     "Whose jobs may fetch from this machine itself (loopback, its own addresses): admin (root "
     "and the daemon's own user) or all"},
    {"metrics_listen",
     "Also serve GET /metrics (Prometheus text) on TCP, and nothing else there: PORT (on "
     "127.0.0.1) or ADDRESS:PORT (an IP address; [::1]:PORT for IPv6); empty = off (the socket "
     "always serves it)"},
    {"http_listen",
     "Serve the read-only activity page (GET /: this month's bytes by source, savings, peers, "
     "cache; machine totals only, no job's URL or path) on TCP: PORT (on 127.0.0.1) or "
     "ADDRESS:PORT; empty = off (the socket always serves GET /activity, with the caller's "
     "jobs)"},
    {"registry_mirror_listen",
     "Serve a pull-through mirror of the OCI distribution API (container images) on TCP: PORT "
     "(on 127.0.0.1) or ADDRESS:PORT (an IP address); blobs come through the swarm; empty = off"},
    {"registry_upstream",
     "The registries the mirror pulls through: URL or NAME=URL, comma-separated (http:// or "
     "https://); "
     "containerd's ?ns=NAME picks one, requests without ns go to the first"},
    {"group_ca_file",
     "The group's certificate authority (PEM, absolute path): with group_cert_file and "
     "group_key_file, content fetched with credentials is peered with the group's machines "
     "that hold a certificate it signed (SSL swarms on the peer port + 1); read at start"},
    {"group_cert_file",
     "This machine's certificate, signed by the group's CA (PEM, common name \"*\", absolute "
     "path); read at start"},
    {"group_key_file",
     "The private key of group_cert_file (PEM, unencrypted, absolute path; "
     "readable by the daemon alone); read at start"},
    {"tls_ca_file",
     "A PEM file of certificate authorities trusted for https origins and registry upstreams "
     "beside the system's (a site's own CA; read at start); empty: the system's alone"},
    {"proxy",
     "The proxy of jobs whose proxy setting is system (the default), as a URL: http://, "
     "https://, socks5:// or socks5h://, user:password@ allowed (masked when shown); empty: the "
     "daemon's environment (http_proxy, https_proxy; the systemd unit sets none)"},
    {"no_proxy",
     "Hosts those jobs reach without the proxy, comma-separated: names, domains (.example.org), "
     "IP addresses, CIDR ranges, or *"},
    {"max_request_bytes", "[reload] Largest request body in bytes; a larger one answers 413"},
    {"requests_per_second",
     "[reload] Requests per second per user (all of the user's connections); 0 = no limit; "
     "beyond: 429"},
    {"request_burst", "[reload] Requests allowed at once above requests_per_second"},
    {"max_connections",
     "[reload] Concurrent client connections; beyond: 503 (the last eighth is kept for root and "
     "the daemon's own user)"},
    {"max_connections_per_user",
     "[reload] Concurrent connections of one user (root and the daemon's own user: no own "
     "limit)"},
    {"io_timeout_seconds",
     "[reload] Seconds a client may take to send a request or read an answer (also how long an "
     "idle keep-alive connection stays open)"},
    {"event_queue_limit",
     "[reload] Events queued for a GET /v1/events subscriber that does not read; beyond, it is "
     "dropped"},
    {"event_idle_seconds",
     "[reload] A GET /v1/events stream that delivered no event this long is closed (clients "
     "reconnect)"},
    {"idle_exit_seconds",
     "[reload] --user only: exit after this many seconds with no client and no active job; 0 = "
     "never"},
    {"log_level", "[reload] trace, debug, info, warn, error, critical or off (logs go to stderr)"},
};

}  // namespace

std::string_view config_key_help(std::string_view key) {
  for (const auto& [name, help] : kHelp) {
    if (name == key) return help;
  }
  return {};
}

}  // namespace swarmcopy::daemon
