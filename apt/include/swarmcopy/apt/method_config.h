// MethodConfig: what the method takes from apt's 601 Configuration (one Config-Item per
// setting, "Name=Value", both %XX-quoted as apt's QuoteString writes them). apt sends its whole
// configuration; the method keeps the few settings it uses. Plain value type.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "swarmcopy/apt/message.h"

namespace swarmcopy::apt {

struct MethodConfig {
  // Acquire::swarmcopy::Socket: the daemon to ask (default: the system daemon's socket).
  std::filesystem::path socket;
  // Acquire::swarmcopy::MinPeerFileSize: smaller files (and files without Expected-SHA256)
  // are fetched directly. Bytes; default 1 MiB.
  std::uint64_t min_peer_file_size = 1u << 20;
  // Acquire::swarmcopy::StallTimeout: a daemon job whose bytes have not moved for this long
  // is cancelled and the file fetched directly. Seconds; default 60.
  std::chrono::seconds stall_timeout{60};
  // Acquire::swarmcopy::Timeout: the longest one call to the daemon may take. Seconds;
  // default 30.
  std::chrono::seconds daemon_timeout{30};
  // Acquire::swarmcopy::Daemon "false": never ask a daemon.
  bool use_daemon = true;
  // Acquire::http::Timeout (apt's own): connect and no-data timeout of a direct fetch.
  std::chrono::seconds http_timeout{120};
  // Acquire::http::User-Agent, else apt's own form.
  std::string user_agent = "Debian APT-HTTP/1.3 (swarmcopy)";
  // Acquire::http::Proxy and Acquire::https::Proxy, also per host (Acquire::http::Proxy::HOST),
  // as apt's http method reads them: keys "http", "http::HOST", "https", ...; "DIRECT" means
  // none. Without one, libcurl's own (the http_proxy/https_proxy environment apt passes on).
  std::map<std::string, std::string> proxies;
  // Acquire::https::CaInfo (a PEM file of the CAs to trust instead of the system's),
  // Acquire::https::Verify-Peer and ::Verify-Host (default true), as apt's https support.
  std::string ca_info;
  bool verify_peer = true;
  bool verify_host = true;
  // APT::Sandbox::User (apt's default "_apt"; "" or "root": keep root) and
  // Debug::NoDropPrivs: as apt's own methods, the method drops root for this user.
  std::string sandbox_user = "_apt";
  bool no_drop_privs = false;
  // Debug::Acquire::swarmcopy: 101 Log lines about every decision.
  bool debug = false;
};

// Applies every Config-Item of a 601 Configuration to `config` (unknown ones are ignored, bad
// numbers keep the default).
void apply_configuration(const Message& message, MethodConfig& config);

// The proxy apt would use for `url` ("http://host:port/path"): the request's own Proxy field,
// else the host's setting, else the scheme's; nullopt when none is configured; "" for DIRECT.
std::optional<std::string> proxy_for(const MethodConfig& config, std::string_view url,
                                     const std::optional<std::string>& request_proxy);

// "%3a" -> ":", as apt's DeQuoteString.
std::string dequote(std::string_view text);

}  // namespace swarmcopy::apt
