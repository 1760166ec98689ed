#include "get_command.h"

#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <sstream>
#include <system_error>

#include <fmt/format.h>

#include "error_text.h"
#include "exit_code.h"
#include "get_outcome.h"
#include "get_request.h"
#include "get_session.h"
#include "logging.h"
#include "parse_units.h"
#include "printable.h"
#include "state_dir.h"
#include "swarmcopy/api/group.h"
#include "swarmcopy/engine/checksum_source.h"
#include "swarmcopy/util/pem_file.h"
#include "url_path.h"
#include "usage.h"
#include "validators.h"

namespace swarmcopy::cli {
namespace {

constexpr const char* kDetails =
    "Downloads URL to PATH with the embedded engine and waits until it is complete. With\n"
    "--daemon the job runs in swarmcopyd instead (--socket PATH, else $SWARMCOPY_SOCKET, else\n"
    "the system daemon, else the user daemon; get never starts one), so the download goes on\n"
    "if this process dies; run the same command again to wait for it and complete it.\n"
    "When the home is in use by a user daemon (swarmcopyd --user), the job runs there as with\n"
    "--daemon; when another get uses it, this one waits, and if that get completed the same\n"
    "URL into the same PATH meanwhile, reports its job (\"joined\": true) without fetching again.\n"
    "Ctrl-C (or SIGTERM) suspends the job (exit 130); the same command again resumes it. A\n"
    "job interrupted before any byte arrived is cancelled instead: nothing is left behind.\n"
    "While the origin fails (refused, unreachable, 503 ...), get retries, printing each error\n"
    "on stderr, until --no-progress-timeout. On success the\n"
    "file is at PATH (an existing file there is replaced atomically); on failure nothing is.\n"
    "Exit codes: 0 done, 1 usage error, 2 failure (one 'swarmcopy: error: ...' line on\n"
    "stderr), 130 interrupted.\n"
    "In lan mode the file's metadata (URL.torrent, or --metadata) lets LAN peers serve pieces,\n"
    "each checked against it; without metadata the file comes over HTTP alone.\n"
    "--json prints one object on stdout: job, state, path, bytes, bytes_total, mode,\n"
    "from_origin, from_peers, from_cache (each byte of the file once, by its first source),\n"
    "refetched (bytes that came again), origin_ignores_range (a resume starts from byte 0),\n"
    "uploaded, peers_seen, peers_connected, peers [{addr, bytes_down, bytes_up}],\n"
    "peers_unused_reason, content_sha256, metadata_source (origin, peers, made here or null),\n"
    "seconds, resumed, joined, and on failure error {context, kind, code,\n"
    "message, protocol, file}.";

// A usage error found after parsing (it needs more than one option to judge): the same shape
// as the parser's own.
int usage_error(const CLI::App& command, const std::string& message) {
  fmt::print(stderr, "{}", usage_error_text(command, message));
  return kExitUsage;
}

// A failure before any job exists (--create-dirs, --checksums), in the same form and with the same
// --json as the session's.
int early_failure(api::Error error, bool json, const std::string& path) {
  fmt::print(stderr, "swarmcopy: error: {}\n", printable(error_text(error)));
  if (json) {
    GetOutcome outcome;
    outcome.path = path;
    outcome.error = std::move(error);
    fmt::print(stdout, "{}\n", get_outcome_to_json(outcome).dump());
  }
  return kExitFailure;
}

}  // namespace

GetCommand::GetCommand(CLI::App& app)
    : command_(app.add_subcommand("get", "Download one file now and wait for it")) {
  command_->footer(kDetails);
  command_->add_option("URL", url_, "http:// or https:// URL of the file")
      ->required()
      ->check(validator(parse_http_url, "URL"));
  command_
      ->add_option("-o,--output", output_,
                   "Where to save it; a relative path is taken from the current directory, a "
                   "directory gets the URL's file name. Default: the URL's file name in the "
                   "current directory")
      ->type_name("PATH");
  command_->add_flag("--create-dirs", create_dirs_,
                     "Create PATH's missing parent directories (as you, also with --daemon); "
                     "without it a missing directory is an error");
  command_
      ->add_option("--sha256", sha256_,
                   "Expected SHA-256 of the whole file (64 hex digits); a mismatch fails the "
                   "download")
      ->type_name("HEX")
      ->check(validator(parse_sha256, "SHA256"));
  command_
      ->add_option("--checksums", checksums_,
                   "URL of a checksum list (SHA256SUMS, sha256sum or BSD format, or a one-line "
                   ".sha256 file): the file's SHA-256 is the one it gives for the URL's file "
                   "name, as if given with --sha256")
      ->type_name("URL")
      ->check(validator(parse_http_url, "URL"))
      ->excludes("--sha256");
  command_
      ->add_option("--priority", priority_,
                   "foreground (default: you are waiting), high, normal or low")
      ->type_name("P")
      ->check(CLI::IsMember({"foreground", "high", "normal", "low"}));
  command_
      ->add_option("-H,--header", headers_, "Extra HTTP request header 'Name: value' (repeatable)")
      ->type_name("'NAME: VALUE'")
      ->expected(1)
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll)
      ->check(validator(parse_header, "HEADER"));
  auto* proxy = command_
                    ->add_option("--proxy", proxy_,
                                 "system (default: the daemon's configured proxy, else the "
                                 "environment's http_proxy/https_proxy), none (direct, "
                                 "environment ignored), or one proxy URL "
                                 "http://[USER:PASSWORD@]HOST:PORT (https://, socks5://, "
                                 "socks5h:// too)")
                    ->type_name("system|none|URL")
                    ->check(validator(parse_proxy, "PROXY"));
  command_
      ->add_option("--proxy-bypass", proxy_bypass_,
                   "With --proxy URL: hosts reached directly, comma-separated (names, domains "
                   "such as .example.org, IP addresses, CIDR ranges, or *)")
      ->type_name("HOST[,HOST...]")
      ->needs(proxy)
      ->check(validator(parse_proxy_bypass, "HOSTS"));
  command_
      ->add_option("--limit-rate", limit_rate_,
                   "Bandwidth cap in bytes per second, K/M/G suffixes (binary) allowed: 500K, "
                   "10M, 1.5m; 0 for none")
      ->type_name("RATE")
      ->check(validator(parse_rate, "RATE"));
  command_
      ->add_option("--no-progress-timeout", no_progress_timeout_,
                   "Give up (exit 2, with the last error) after retrying this long without "
                   "progress: seconds, or 90s, 10m, 2h, 3d; 0 = at the first error. Each error "
                   "retried after is printed on stderr (the same one at most once a minute)")
      ->type_name("DURATION")
      ->default_str("5m")
      ->check(validator(parse_duration, "DURATION"));
  auto* daemon =
      command_->add_flag("--daemon", daemon_,
                         "Run the job in the swarmcopy daemon instead of this process (see below)");
  command_->add_option("--socket", socket_, "The daemon's socket (implies --daemon)")
      ->type_name("PATH");
  command_
      ->add_option("--mode", mode_,
                   "Where bytes may come from: lan (default: LAN peers, the origin and the "
                   "cache), group (as lan, with the peers of --group-id met at --tracker), "
                   "http-only (the origin and the cache), bypass (the origin alone)")
      ->type_name("MODE")
      ->check(CLI::IsMember({"lan", "group", "http-only", "bypass"}));
  command_
      ->add_option("--metadata", metadata_,
                   "URL of the file's metadata (default: URL with .torrent added to its path)")
      ->type_name("URL")
      ->check(validator(parse_http_url, "URL"));
  auto* peer = command_
                   ->add_option("--peer", peers_,
                                "A LAN peer to dial, HOST:PORT (repeatable; for networks "
                                "without multicast discovery)")
                   ->type_name("HOST:PORT")
                   ->expected(1)
                   ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll)
                   ->check(validator(parse_peer, "PEER"));
  auto* listen = command_
                     ->add_option("--listen", listen_,
                                  "Port (or ADDRESS:PORT) peers reach this machine on; 0 = any "
                                  "free port (default). Printed as 'listening on PORT'")
                     ->type_name("PORT")
                     ->check(validator(parse_listen, "LISTEN"));
  auto* group = command_
                    ->add_option("--group-id", group_id_,
                                 "This machine's group (mode group): only a hash of it is "
                                 "announced; peers of other groups never meet this one")
                    ->type_name("GROUP")
                    ->check(validator(api::check_group_id, "GROUP"));
  auto* tracker =
      command_
          ->add_option("--tracker", trackers_,
                       "A BitTorrent tracker where the group's machines meet (http://, https:// "
                       "or udp://; repeatable)")
          ->type_name("URL")
          ->expected(1)
          ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll)
          ->check(validator(api::check_tracker_url, "URL"));
  auto* group_ca =
      command_
          ->add_option("--group-ca", group_ca_file_,
                       "The group's certificate authority (PEM): with --group-cert and "
                       "--group-key, content fetched with credentials is peered with the "
                       "group's machines that hold a certificate it signed (SSL, peer port + 1)")
          ->type_name("FILE");
  auto* group_cert = command_
                         ->add_option("--group-cert", group_cert_file_,
                                      "This machine's certificate, signed by the group's CA "
                                      "(PEM; common name \"*\")")
                         ->type_name("FILE");
  auto* group_key = command_
                        ->add_option("--group-key", group_key_file_,
                                     "The private key of --group-cert (PEM, unencrypted)")
                        ->type_name("FILE");
  auto* vpn = command_
                  ->add_option("--vpn-interfaces", vpn_interfaces_,
                               "While an interface matching one of these patterns is up, "
                               "take nothing from peers (space-separated; default: \"tun* "
                               "wg* ppp* tap*\"; \"\" = no such rule)")
                  ->type_name("PATTERNS");
  auto* min_disk =
      command_
          ->add_option("--min-free-disk-to-upload", min_free_disk_,
                       "Serve peers only while the cache's file system has this much free "
                       "space (K/M/G/T suffixes)")
          ->type_name("SIZE")
          ->check(validator(parse_rate, "SIZE"));
  auto* min_file =
      command_
          ->add_option("--min-peer-file-size", min_peer_file_size_,
                       "Files smaller than this come from the origin alone (K/M/G/T suffixes; "
                       "default 0: every file may be peered)")
          ->type_name("SIZE")
          ->check(validator(parse_rate, "SIZE"));
  auto* no_lsd = command_->add_flag("--no-lsd", no_lsd_,
                                    "No local service discovery (multicast); use --peer instead");
  auto* seed = command_
                   ->add_option("--seed-time", seed_time_,
                                "After success (and its --json), keep serving the file to peers "
                                "this long before exiting: seconds, or 90s, 10m, 2h, 3d")
                   ->type_name("DURATION")
                   ->check(validator(parse_duration, "DURATION"));
  auto* upload = command_
                     ->add_option("--upload-limit", upload_limit_,
                                  "Cap on what peers get from this machine, bytes per second "
                                  "(K/M/G suffixes as --limit-rate; LAN peers included); 0 = none")
                     ->type_name("RATE")
                     ->check(validator(parse_rate, "RATE"));
  auto* max_peers = command_
                        ->add_option("--max-peers", max_peers_,
                                     "Connections to peers at most (LAN peers included)")
                        ->type_name("N")
                        ->capture_default_str()
                        ->check(CLI::Range(1, 65535));
  command_->add_flag("--json", json_, "Print one JSON object describing the result on stdout");
  command_->add_flag("--explain", explain_,
                     "When the download ends, say where each byte came from and why (as `job "
                     "explain`): on stderr, or as \"explanation\" in --json's object");
  command_->add_flag(
      "--json-progress", json_progress_,
      "While downloading, a JSON line on stderr every 0.25 s: {\"progress\": "
      "{seconds, bytes, bytes_total, from_origin, from_peers, from_cache, refetched, "
      "origin_ignores_range, uploaded, peers_connected}} (for scripts; -q does not "
      "silence it)");
  command_->add_flag("-q,--quiet", quiet_,
                     "No progress bar or notes (errors and --json output are still printed)");
  add_common_options(*command_, common_);
  // The daemon keeps its own state directory: a --home would be silently ignored.
  daemon->excludes(common_.home_option);
  // The daemon's peer session is configured in swarmcopyd.conf, not per command.
  peer_options_ = {peer,    listen,   no_lsd,     seed,      upload, max_peers, group,
                   tracker, group_ca, group_cert, group_key, vpn,    min_disk,  min_file};
  for (auto* option : peer_options_) {
    daemon->excludes(option);
    command_->get_option("--socket")->excludes(option);
  }
  common_.home_option->excludes(command_->get_option("--socket"));
}

int GetCommand::run() {
  configure_logging(common_.verbosity);
  GetRequest request;
  request.url = url_;
  request.json = json_;
  request.explain = explain_;
  request.quiet = quiet_;
  request.progress_bar = !quiet_ && !json_progress_ && ::isatty(STDERR_FILENO) == 1;
  request.progress_lines = json_progress_;

  std::error_code ec;
  std::filesystem::path path =
      output_.empty() ? std::filesystem::path(".") : std::filesystem::path(output_);
  const bool into_directory =
      output_.empty() || output_.ends_with('/') || std::filesystem::is_directory(path, ec);
  if (into_directory) {
    auto name = file_name_from_url(url_);
    if (!name) {
      return usage_error(*command_,
                         fmt::format("cannot take a file name from {}: give -o PATH", url_));
    }
    path /= *name;
  }
  path = std::filesystem::absolute(path, ec).lexically_normal();
  if (ec) return usage_error(*command_, fmt::format("bad -o {}: {}", output_, ec.message()));
  request.path = path;

  if (!sha256_.empty()) request.sha256 = *parse_sha256(sha256_);
  request.priority = *api::parse_priority(priority_);
  for (const auto& header : headers_) request.headers.push_back(*parse_header(header));
  if (!limit_rate_.empty()) request.max_bytes_per_second = *parse_rate(limit_rate_);
  if (!proxy_.empty()) request.proxy = *parse_proxy(proxy_);
  if (!proxy_bypass_.empty()) request.proxy.bypass = *parse_proxy_bypass(proxy_bypass_);
  if (!no_progress_timeout_.empty()) {
    request.no_progress_timeout = *parse_duration(no_progress_timeout_);
  }

  if (!mode_.empty()) request.mode = api::parse_download_mode(mode_);
  if (!metadata_.empty()) request.metadata_url = metadata_;
  request.peer.peers = peers_;
  if (!listen_.empty()) request.peer.listen = *parse_listen(listen_);
  request.peer.local_discovery = !no_lsd_;
  request.peer.group_id = group_id_;
  request.peer.trackers = trackers_;
  const int group_files =
      !group_ca_file_.empty() + !group_cert_file_.empty() + !group_key_file_.empty();
  if (group_files != 0 && (group_files != 3 || group_id_.empty())) {
    return usage_error(*command_,
                       "--group-ca, --group-cert and --group-key go together, with "
                       "--group-id");
  }
  for (const auto& [file, pem] : {std::pair{&group_ca_file_, &request.peer.group_ca_pem},
                                  std::pair{&group_cert_file_, &request.peer.group_cert_pem},
                                  std::pair{&group_key_file_, &request.peer.group_key_pem}}) {
    if (file->empty()) continue;
    auto text = util::read_pem_file(*file);
    if (!text) return usage_error(*command_, text.error());
    *pem = std::move(*text);
  }
  if (command_->get_option("--vpn-interfaces")->count() > 0) {
    request.peer.vpn_interfaces.clear();
    std::istringstream words(vpn_interfaces_);
    for (std::string pattern; words >> pattern;) request.peer.vpn_interfaces.push_back(pattern);
  }
  request.peer.max_connections = max_peers_;
  if (!seed_time_.empty()) request.seed_time = *parse_duration(seed_time_);
  if (!upload_limit_.empty()) request.peer.upload_bytes_per_second = *parse_rate(upload_limit_);
  if (!min_free_disk_.empty()) request.peer.min_free_disk_to_upload = *parse_rate(min_free_disk_);
  if (!min_peer_file_size_.empty()) request.min_peer_file_size = *parse_rate(min_peer_file_size_);
  for (const auto* option : peer_options_) {
    if (option->count() > 0) request.peer_options_given = true;
  }

  request.daemon = daemon_ || !socket_.empty();
  if (!socket_.empty()) request.socket = std::filesystem::path(socket_);
  if (!request.daemon) {
    auto home = resolve_state_dir(common_.home_flag());
    if (!home) return usage_error(*command_, home.error());
    request.home = *home;
  }

  if (!checksums_.empty()) {
    // Resolved by this process, like a --sha256 typed here (checksum_source.h).
    auto name = file_name_from_url(url_);
    if (!name) {
      return usage_error(*command_, fmt::format("--checksums: {} names no file to look up", url_));
    }
    auto hashes = engine::sha256s_from_checksums(checksums_, {*name});
    if (!hashes) return early_failure(hashes.error(), json_, request.path.string());
    request.sha256 = hashes->front();
  }

  if (create_dirs_) {
    // By this process, so they belong to the user who ran it even when a daemon running as
    // root writes the file; last, so that a usage error leaves nothing behind.
    const auto directory = request.path.parent_path();
    std::filesystem::create_directories(directory, ec);
    if (ec) {
      return early_failure(
          api::Error{api::ErrorContext::kLocalFile, api::ErrorKind::kLocalIo, ec.value(),
                     "cannot create the destination's directory: " + ec.message(),
                     directory.string(), api::Protocol::kLocal},
          json_, request.path.string());
    }
  }

  return GetSession(std::move(request)).run();
}

}  // namespace swarmcopy::cli
