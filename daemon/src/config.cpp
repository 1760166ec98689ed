#include "config.h"

#include <arpa/inet.h>
#include <unistd.h>

#include <charconv>
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <functional>

#include "download_limit_text.h"
#include "swarmcopy/api/credentials.h"
#include "swarmcopy/api/download_mode.h"
#include "swarmcopy/api/group.h"
#include "swarmcopy/api/proxy_settings.h"
#include "swarmcopy/registry/upstream.h"
#include "swarmcopy/util/user_state_dir.h"

namespace swarmcopy::daemon {
namespace {

api::Error config_error(std::string message) {
  return api::Error{
      api::ErrorContext::kCaller, api::ErrorKind::kInvalidArgument, 0, std::move(message), "",
      api::Protocol::kNone};
}

template <class T>
api::Result<T> parse_unsigned(const std::string& key, const std::string& text, T min, T max) {
  std::uint64_t value = 0;
  const auto* end = text.data() + text.size();
  const auto [ptr, ec] = std::from_chars(text.data(), end, value);
  if (ec != std::errc() || ptr != end || text.empty()) {
    return std::unexpected(config_error(key + ": expected a whole number, got \"" + text + "\""));
  }
  if (value < min || value > max) {
    return std::unexpected(config_error(key + ": " + text + " is outside [" + std::to_string(min) +
                                        ", " + std::to_string(max) + "]"));
  }
  return static_cast<T>(value);
}

struct Key {
  std::string name;
  bool reloadable;
  std::function<api::Result<void>(const std::string&, Config&)> set;
  std::function<std::string(const Config&)> get;
};

std::string trim(const std::string& text);

// "HOST:PORT" ("[V6]:PORT" too); port 0 only where a listener may take any port.
bool is_endpoint(const std::string& text, bool port_zero_ok) {
  const auto colon = text.rfind(':');
  if (colon == std::string::npos || colon == 0 || colon + 1 >= text.size()) return false;
  unsigned port = 0;
  const auto* end = text.data() + text.size();
  const auto [ptr, ec] = std::from_chars(text.data() + colon + 1, end, port);
  return ec == std::errc() && ptr == end && port <= 65535 && (port_zero_ok || port > 0);
}

std::optional<std::uint16_t> parse_port(std::string_view text) {
  unsigned port = 0;
  const auto* end = text.data() + text.size();
  const auto [ptr, ec] = std::from_chars(text.data(), end, port);
  if (ec != std::errc() || ptr != end || text.empty() || port == 0 || port > 65535) {
    return std::nullopt;
  }
  return static_cast<std::uint16_t>(port);
}

template <class T>
Key unsigned_key(std::string name, bool reloadable, T Config::*field, T min, T max) {
  return Key{name, reloadable,
             [name, field, min, max](const std::string& text, Config& config) -> api::Result<void> {
               auto value = parse_unsigned<T>(name, text, min, max);
               if (!value) return std::unexpected(value.error());
               config.*field = *value;
               return {};
             },
             [field](const Config& config) { return std::to_string(config.*field); }};
}

// A download cap (download_limit_text.h). `optional`: "" leaves it unset (a business-hour
// variant that falls back to the plain limit).
Key limit_key(std::string name, engine::DownloadLimit engine::DownloadCaps::*field) {
  return Key{
      name, true,
      [name, field](const std::string& text, Config& config) -> api::Result<void> {
        auto limit = parse_download_limit(text);
        if (!limit) return std::unexpected(config_error(name + ": " + limit.error()));
        config.download_caps.*field = *limit;
        return {};
      },
      [field](const Config& config) { return format_download_limit(config.download_caps.*field); }};
}

Key variant_limit_key(std::string name,
                      std::optional<engine::DownloadLimit> engine::DownloadCaps::*field) {
  return Key{name, true,
             [name, field](const std::string& text, Config& config) -> api::Result<void> {
               if (text.empty()) {
                 (config.download_caps.*field).reset();
                 return {};
               }
               auto limit = parse_download_limit(text);
               if (!limit) return std::unexpected(config_error(name + ": " + limit.error()));
               config.download_caps.*field = *limit;
               return {};
             },
             [field](const Config& config) {
               const auto& limit = config.download_caps.*field;
               return limit ? format_download_limit(*limit) : std::string();
             }};
}

const std::vector<Key>& keys() {
  static const std::vector<Key> table = [] {
    constexpr std::uint32_t kU32 = UINT32_MAX;
    std::vector<Key> k;
    k.push_back({"socket", false,
                 [](const std::string& text, Config& config) -> api::Result<void> {
                   if (text.empty() || text.front() != '/') {
                     return std::unexpected(config_error("socket: expected an absolute path"));
                   }
                   config.socket = text;
                   return {};
                 },
                 [](const Config& config) { return config.socket.string(); }});
    k.push_back({"state_dir", false,
                 [](const std::string& text, Config& config) -> api::Result<void> {
                   if (text.empty() || text.front() != '/') {
                     return std::unexpected(config_error("state_dir: expected an absolute path"));
                   }
                   config.state_dir = text;
                   return {};
                 },
                 [](const Config& config) { return config.state_dir.string(); }});
    k.push_back(unsigned_key("max_jobs", false, &Config::max_jobs, 1u, kU32));
    k.push_back(unsigned_key("max_jobs_per_user", false, &Config::max_jobs_per_user, 1u, kU32));
    k.push_back(unsigned_key("max_files_per_job", false, &Config::max_files_per_job, 1u, kU32));
    k.push_back(unsigned_key("max_active_jobs", false, &Config::max_active_jobs, 1u, 1000u));
    k.push_back(
        unsigned_key("min_retry_delay_ms", false, &Config::min_retry_delay_ms, 1u, 86'400'000u));
    k.push_back(unsigned_key("checkpoint_interval_ms", false, &Config::checkpoint_interval_ms, 10u,
                             3'600'000u));
    k.push_back(unsigned_key("notify_command_timeout_ms", false, &Config::notify_command_timeout_ms,
                             100u, 86'400'000u));
    k.push_back({"download_mode", false,
                 [](const std::string& text, Config& config) -> api::Result<void> {
                   if (!api::parse_download_mode(text)) {
                     return std::unexpected(
                         config_error("download_mode: expected lan, group, http-only or bypass, "
                                      "got \"" +
                                      text + "\""));
                   }
                   config.download_mode = text;
                   return {};
                 },
                 [](const Config& config) { return config.download_mode; }});
    k.push_back({"peer_listen", false,
                 [](const std::string& text, Config& config) -> api::Result<void> {
                   if (!is_endpoint(text, true)) {
                     return std::unexpected(
                         config_error("peer_listen: expected ADDRESS:PORT (port 0-65535), got \"" +
                                      text + "\""));
                   }
                   config.peer_listen = text;
                   return {};
                 },
                 [](const Config& config) { return config.peer_listen; }});
    k.push_back({"peers", false,
                 [](const std::string& text, Config& config) -> api::Result<void> {
                   std::vector<std::string> peers;
                   std::size_t begin = 0;
                   while (begin <= text.size() && !text.empty()) {
                     const auto comma = text.find(',', begin);
                     auto peer = trim(text.substr(
                         begin, comma == std::string::npos ? std::string::npos : comma - begin));
                     if (!is_endpoint(peer, false)) {
                       return std::unexpected(config_error(
                           "peers: expected HOST:PORT[, HOST:PORT ...], got \"" + peer + "\""));
                     }
                     peers.push_back(std::move(peer));
                     if (comma == std::string::npos) break;
                     begin = comma + 1;
                   }
                   config.peers = std::move(peers);
                   return {};
                 },
                 [](const Config& config) {
                   std::string text;
                   for (const auto& peer : config.peers) text += (text.empty() ? "" : ",") + peer;
                   return text;
                 }});
    k.push_back({"group_id", false,
                 [](const std::string& text, Config& config) -> api::Result<void> {
                   if (!text.empty()) {
                     if (auto checked = api::check_group_id(text); !checked) {
                       return std::unexpected(config_error("group_id: " + checked.error().message));
                     }
                   }
                   config.group_id = text;
                   return {};
                 },
                 [](const Config& config) { return config.group_id; }});
    k.push_back({"group_id_source", false,
                 [](const std::string& text, Config& config) -> api::Result<void> {
                   if (text != "explicit" && text != "dns-domain") {
                     return std::unexpected(config_error(
                         "group_id_source: expected explicit or dns-domain, got \"" + text + "\""));
                   }
                   config.group_id_source = text;
                   return {};
                 },
                 [](const Config& config) { return config.group_id_source; }});
    k.push_back({"trackers", false,
                 [](const std::string& text, Config& config) -> api::Result<void> {
                   auto trackers = api::parse_tracker_list(text);
                   if (!trackers) {
                     return std::unexpected(config_error("trackers: " + trackers.error().message));
                   }
                   config.trackers = std::move(*trackers);
                   return {};
                 },
                 [](const Config& config) {
                   std::string text;
                   for (const auto& url : config.trackers) text += (text.empty() ? "" : " ") + url;
                   return text;
                 }});
    k.push_back({"vpn_interfaces", true,
                 [](const std::string& text, Config& config) -> api::Result<void> {
                   std::vector<std::string> patterns;
                   std::size_t at = 0;
                   while (at < text.size()) {
                     at = text.find_first_not_of(" \t,", at);
                     if (at == std::string::npos) break;
                     const auto end = text.find_first_of(" \t,", at);
                     patterns.push_back(text.substr(at, end - at));
                     if (patterns.back().size() > 64) {
                       return std::unexpected(
                           config_error("vpn_interfaces: a pattern is longer than 64 bytes: \"" +
                                        patterns.back() + "\""));
                     }
                     at = end;
                   }
                   config.vpn_interfaces = std::move(patterns);
                   return {};
                 },
                 [](const Config& config) {
                   std::string text;
                   for (const auto& pattern : config.vpn_interfaces) {
                     text += (text.empty() ? "" : " ") + pattern;
                   }
                   return text;
                 }});
    k.push_back({"local_discovery", false,
                 [](const std::string& text, Config& config) -> api::Result<void> {
                   if (text != "true" && text != "false") {
                     return std::unexpected(config_error(
                         "local_discovery: expected true or false, got \"" + text + "\""));
                   }
                   config.local_discovery = text == "true";
                   return {};
                 },
                 [](const Config& config) {
                   return std::string(config.local_discovery ? "true" : "false");
                 }});
    k.push_back(
        unsigned_key<std::uint64_t>("upload_limit", true, &Config::upload_limit, 0, 1ull << 40));
    k.push_back(unsigned_key<std::uint64_t>("monthly_upload_cap", true, &Config::monthly_upload_cap,
                                            0, UINT64_MAX));
    using Caps = engine::DownloadCaps;
    k.push_back(limit_key("foreground_download_limit", &Caps::foreground));
    k.push_back(limit_key("background_download_limit", &Caps::background));
    k.push_back({"business_hours", true,
                 [](const std::string& text, Config& config) -> api::Result<void> {
                   auto hours = parse_business_hours(text);
                   if (!hours) {
                     return std::unexpected(config_error("business_hours: " + hours.error()));
                   }
                   config.download_caps.business_begin_hour = hours->first;
                   config.download_caps.business_end_hour = hours->second;
                   return {};
                 },
                 [](const Config& config) {
                   return format_business_hours(config.download_caps.business_begin_hour,
                                                config.download_caps.business_end_hour);
                 }});
    k.push_back(
        variant_limit_key("foreground_download_limit_business_hours", &Caps::foreground_business));
    k.push_back(
        variant_limit_key("foreground_download_limit_off_hours", &Caps::foreground_off_hours));
    k.push_back(
        variant_limit_key("background_download_limit_business_hours", &Caps::background_business));
    k.push_back(
        variant_limit_key("background_download_limit_off_hours", &Caps::background_off_hours));
    k.push_back(unsigned_key("seed_time_seconds", false, &Config::seed_time_seconds, 0u, kU32));
    k.push_back(unsigned_key("peer_connections", false, &Config::peer_connections, 1u, 65535u));
    k.push_back(unsigned_key("background_http_delay_ms", true, &Config::background_http_delay_ms,
                             0u, 86'400'000u));
    k.push_back(unsigned_key("foreground_http_delay_ms", true, &Config::foreground_http_delay_ms,
                             0u, 86'400'000u));
    k.push_back(unsigned_key<std::uint64_t>("min_peer_file_size", true, &Config::min_peer_file_size,
                                            0, UINT64_MAX));
    k.push_back(unsigned_key<std::uint64_t>("min_ram_to_upload_mb", true,
                                            &Config::min_ram_to_upload_mb, 0, 1ull << 30));
    k.push_back(unsigned_key<std::uint64_t>("min_free_disk_to_upload_mb", true,
                                            &Config::min_free_disk_to_upload_mb, 0, 1ull << 40));
    k.push_back(unsigned_key<std::uint64_t>("cache_max_bytes", false, &Config::cache_max_bytes, 0,
                                            UINT64_MAX));
    k.push_back(
        unsigned_key("cache_max_age_hours", false, &Config::cache_max_age_hours, 1u, 24u * 3650));
    k.push_back({"allow_loopback_origins", false,
                 [](const std::string& text, Config& config) -> api::Result<void> {
                   if (text != "admin" && text != "all") {
                     return std::unexpected(config_error(
                         "allow_loopback_origins: expected admin or all, got \"" + text + "\""));
                   }
                   config.allow_loopback_origins = text;
                   return {};
                 },
                 [](const Config& config) { return config.allow_loopback_origins; }});
    // metrics_listen, http_listen, registry_mirror_listen: "" (off), PORT (loopback) or
    // ADDRESS:PORT.
    const auto listen_key = [&k](std::string name, std::string Config::*member) {
      k.push_back({name, false,
                   [name, member](const std::string& text, Config& config) -> api::Result<void> {
                     if (text.empty()) {
                       (config.*member).clear();
                       return {};
                     }
                     auto endpoint = parse_listen_endpoint(text);
                     if (!endpoint) {
                       return std::unexpected(config_error(
                           name +
                           ": expected PORT or ADDRESS:PORT (an IP address, port 1-65535), got "
                           "\"" +
                           text + "\""));
                     }
                     const bool v6 = endpoint->address.find(':') != std::string::npos;
                     config.*member = (v6 ? "[" + endpoint->address + "]" : endpoint->address) +
                                      ":" + std::to_string(endpoint->port);
                     return {};
                   },
                   [member](const Config& config) { return config.*member; }});
    };
    listen_key("metrics_listen", &Config::metrics_listen);
    listen_key("http_listen", &Config::http_listen);
    listen_key("registry_mirror_listen", &Config::registry_mirror_listen);
    k.push_back({"registry_upstream", false,
                 [](const std::string& text, Config& config) -> api::Result<void> {
                   auto upstreams = registry::parse_upstreams(text);
                   if (!upstreams) {
                     return std::unexpected(
                         config_error("registry_upstream: " + upstreams.error()));
                   }
                   config.registry_upstream = trim(text);
                   return {};
                 },
                 [](const Config& config) { return config.registry_upstream; }});
    const auto absolute_path_key = [&k](std::string name, std::filesystem::path Config::*member) {
      k.push_back({name, false,
                   [name, member](const std::string& text, Config& config) -> api::Result<void> {
                     if (!text.empty() && text.front() != '/') {
                       return std::unexpected(config_error(name + ": expected an absolute path"));
                     }
                     config.*member = text;
                     return {};
                   },
                   [member](const Config& config) { return (config.*member).string(); }});
    };
    absolute_path_key("group_ca_file", &Config::group_ca_file);
    absolute_path_key("group_cert_file", &Config::group_cert_file);
    absolute_path_key("group_key_file", &Config::group_key_file);
    absolute_path_key("tls_ca_file", &Config::tls_ca_file);
    k.push_back({"proxy", false,
                 [](const std::string& text, Config& config) -> api::Result<void> {
                   if (!text.empty()) {
                     if (auto checked = api::check_proxy_url(text); !checked) {
                       return std::unexpected(config_error("proxy: " + checked.error().message));
                     }
                   }
                   config.proxy = text;
                   return {};
                 },
                 // Shown (reload logs) with its password masked.
                 [](const Config& config) { return api::mask_proxy_url(config.proxy); }});
    k.push_back({"no_proxy", false,
                 [](const std::string& text, Config& config) -> api::Result<void> {
                   std::vector<std::string> hosts;
                   std::size_t begin = 0;
                   while (!text.empty()) {
                     const auto comma = text.find(',', begin);
                     auto host = trim(text.substr(
                         begin, comma == std::string::npos ? std::string::npos : comma - begin));
                     if (auto checked = api::check_proxy_bypass(host); !checked) {
                       return std::unexpected(config_error("no_proxy: " + checked.error().message));
                     }
                     hosts.push_back(std::move(host));
                     if (comma == std::string::npos) break;
                     begin = comma + 1;
                   }
                   config.no_proxy = std::move(hosts);
                   return {};
                 },
                 [](const Config& config) {
                   std::string text;
                   for (const auto& host : config.no_proxy) {
                     text += (text.empty() ? "" : ",") + host;
                   }
                   return text;
                 }});
    k.push_back(unsigned_key<std::uint64_t>("max_request_bytes", true, &Config::max_request_bytes,
                                            1024, 1ull << 30));
    k.push_back({"requests_per_second", true,
                 [](const std::string& text, Config& config) -> api::Result<void> {
                   char* end = nullptr;
                   const double value = std::strtod(text.c_str(), &end);
                   if (text.empty() || end != text.c_str() + text.size() || !std::isfinite(value) ||
                       value < 0) {
                     return std::unexpected(config_error(
                         "requests_per_second: expected a number >= 0 (0: unlimited), got \"" +
                         text + "\""));
                   }
                   config.requests_per_second = value;
                   return {};
                 },
                 [](const Config& config) {
                   std::string text = std::to_string(config.requests_per_second);
                   text.erase(text.find_last_not_of('0') + 1);
                   if (text.ends_with('.')) text.pop_back();
                   return text;
                 }});
    k.push_back(unsigned_key("request_burst", true, &Config::request_burst, 1u, kU32));
    k.push_back(unsigned_key("max_connections", true, &Config::max_connections, 1u, 1'000'000u));
    k.push_back(unsigned_key("max_connections_per_user", true, &Config::max_connections_per_user,
                             1u, 1'000'000u));
    k.push_back(unsigned_key("io_timeout_seconds", true, &Config::io_timeout_seconds, 1u, 3600u));
    k.push_back(
        unsigned_key("event_queue_limit", true, &Config::event_queue_limit, 1u, 1'000'000u));
    k.push_back(unsigned_key("event_idle_seconds", true, &Config::event_idle_seconds, 1u, kU32));
    k.push_back(unsigned_key("idle_exit_seconds", true, &Config::idle_exit_seconds, 0u, kU32));
    k.push_back({"log_level", true,
                 [](const std::string& text, Config& config) -> api::Result<void> {
                   static const std::vector<std::string> kLevels = {
                       "trace", "debug", "info", "warn", "error", "critical", "off"};
                   for (const auto& level : kLevels) {
                     if (level == text) {
                       config.log_level = text;
                       return {};
                     }
                   }
                   return std::unexpected(config_error(
                       "log_level: expected trace, debug, info, warn, error, critical or off, "
                       "got \"" +
                       text + "\""));
                 },
                 [](const Config& config) { return config.log_level; }});
    return k;
  }();
  return table;
}

const Key* find_key(const std::string& name) {
  for (const auto& key : keys()) {
    if (key.name == name) return &key;
  }
  return nullptr;
}

std::string trim(const std::string& text) {
  const auto first = text.find_first_not_of(" \t\r");
  if (first == std::string::npos) return {};
  const auto last = text.find_last_not_of(" \t\r");
  return text.substr(first, last - first + 1);
}

}  // namespace

std::optional<ListenEndpoint> parse_listen_endpoint(const std::string& text) {
  const auto colon = text.rfind(':');
  if (colon == std::string::npos) {
    auto port = parse_port(text);
    if (!port) return std::nullopt;
    return ListenEndpoint{"127.0.0.1", *port};
  }
  auto port = parse_port(std::string_view(text).substr(colon + 1));
  if (!port) return std::nullopt;
  std::string address = text.substr(0, colon);
  unsigned char buffer[sizeof(in6_addr)];
  if (address.size() > 2 && address.front() == '[' && address.back() == ']') {
    address = address.substr(1, address.size() - 2);
    if (::inet_pton(AF_INET6, address.c_str(), buffer) != 1) return std::nullopt;
  } else if (::inet_pton(AF_INET, address.c_str(), buffer) != 1) {
    return std::nullopt;
  }
  return ListenEndpoint{address, *port};
}

const std::vector<std::string>& config_keys() {
  static const std::vector<std::string> names = [] {
    std::vector<std::string> n;
    for (const auto& key : keys()) n.push_back(key.name);
    return n;
  }();
  return names;
}

bool reloadable(const std::string& key) {
  const auto* found = find_key(key);
  return found != nullptr && found->reloadable;
}

api::Result<ConfigValues> read_config_file(const std::filesystem::path& file) {
  std::ifstream in(file);
  if (!in) {
    return api::fail(api::ErrorContext::kLocalFile, api::ErrorKind::kLocalIo,
                     "cannot read the config file", errno, file.string(), api::Protocol::kLocal);
  }
  ConfigValues values;
  std::string line;
  for (int number = 1; std::getline(in, line); ++number) {
    const auto comment = line.find('#');
    if (comment != std::string::npos) line.erase(comment);
    line = trim(line);
    if (line.empty()) continue;
    const auto where = file.string() + ":" + std::to_string(number) + ": ";
    const auto equals = line.find('=');
    if (equals == std::string::npos) {
      return std::unexpected(config_error(where + "expected 'key = value'"));
    }
    const auto key = trim(line.substr(0, equals));
    auto value = trim(line.substr(equals + 1));
    // A value may be quoted ("/path with spaces"): the quotes are stripped. '#' always starts
    // a comment, quoted or not.
    if (value.size() >= 2 && value.front() == '"' && value.back() == '"') {
      value = value.substr(1, value.size() - 2);
    }
    if (find_key(key) == nullptr) {
      return std::unexpected(config_error(where + "unknown key \"" + key + "\""));
    }
    values[key] = value;
  }
  return values;
}

api::Result<void> apply_values(const ConfigValues& values, Config& config) {
  for (const auto& [name, value] : values) {
    const auto* key = find_key(name);
    if (key == nullptr) return std::unexpected(config_error("unknown key \"" + name + "\""));
    if (auto set = key->set(value, config); !set) return set;
  }
  return {};
}

Config default_config(DaemonMode mode) {
  Config config;
  if (mode == DaemonMode::kSystem) {
    config.socket = "/run/swarmcopy/swarmcopyd.sock";
    config.state_dir = "/var/lib/swarmcopy";
    config.idle_exit_seconds = 0;
    return config;
  }
  // Left empty when the environment does not say: the file or the command line may.
  if (const char* runtime = std::getenv("XDG_RUNTIME_DIR"); runtime != nullptr && *runtime == '/') {
    config.socket = std::filesystem::path(runtime) / "swarmcopy" / "swarmcopyd.sock";
  }
  // Where `swarmcopy get` looks, by the same function: a get finds the jobs (and the lock) of
  // the user daemon in the directory it would open itself.
  if (auto state_dir = util::user_state_dir()) config.state_dir = *state_dir;
  return config;
}

api::Result<void> check_complete(const Config& config) {
  if (config.socket.empty()) {
    return std::unexpected(
        config_error("XDG_RUNTIME_DIR is not set: give the socket path with --socket"));
  }
  if (config.state_dir.empty()) {
    return std::unexpected(
        config_error("neither SWARMCOPY_HOME nor HOME is set: give --state-dir"));
  }
  if (config.download_mode == "group" && config.group_id.empty() &&
      config.group_id_source == "explicit") {
    return std::unexpected(config_error(
        "download_mode is group but group_id is empty: name the machine's group (e.g. its AD "
        "site or DNS domain)"));
  }
  if (!config.registry_mirror_listen.empty() && config.registry_upstream.empty()) {
    return std::unexpected(config_error(
        "registry_mirror_listen is set but registry_upstream is empty: name the registry to "
        "pull through (e.g. registry_upstream = http://127.0.0.1:5000)"));
  }
  return {};
}

std::string value_of(const Config& config, const std::string& key) {
  const auto* found = find_key(key);
  return found == nullptr ? std::string() : found->get(config);
}

}  // namespace swarmcopy::daemon
