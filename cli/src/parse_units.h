// Parsing of the human-friendly quantities the command line accepts. Pure functions: any
// thread.
#pragma once

#include <chrono>
#include <cstdint>
#include <expected>
#include <string>
#include <string_view>
#include <vector>

#include "swarmcopy/api/notify_flags.h"
#include "swarmcopy/api/proxy_settings.h"

namespace swarmcopy::cli {

// A byte rate as curl's --limit-rate spells it: a number (fraction allowed) and an optional
// binary suffix k, m, g or t in either case ("500K" = 512000, "1.5m" = 1572864); an optional
// trailing "B", "iB" or "/s" is accepted too. "0" means no limit. Returns bytes per second or
// a sentence saying what is wrong.
std::expected<std::uint64_t, std::string> parse_rate(std::string_view text);

// A duration: a whole number and an optional unit, s, m, h or d in either case ("90s", "10m",
// "2h", "3d"); a plain number is seconds, as these options took before units existed.
// Returns it in seconds or a sentence saying what is wrong.
std::expected<std::chrono::seconds, std::string> parse_duration(std::string_view text);

// A SHA-256 given on the command line: 64 hex digits, either case. Returns it lower-cased.
std::expected<std::string, std::string> parse_sha256(std::string_view text);

// An HTTP header "Name: value": a non-empty token before the colon, no line breaks.
std::expected<std::string, std::string> parse_header(std::string_view text);

// A peer to dial: "HOST:PORT" ("[V6]:PORT" for IPv6), port 1-65535. Returns it unchanged.
std::expected<std::string, std::string> parse_peer(std::string_view text);

// Where the peer session listens: "PORT" (all addresses) or "ADDRESS:PORT"; port 0 = any free
// port. Returns libtorrent's "ADDRESS:PORT" form.
std::expected<std::string, std::string> parse_listen(std::string_view text);

// Notify flags: a number (decimal or 0x hex, the BG_NOTIFY_* bits) or names joined by ',' or
// '+': transferred, error, modification, file_transferred, disable; "none" is 0.
std::expected<api::NotifyFlags, std::string> parse_notify_flags(std::string_view text);

// --proxy: "system" (the daemon's or the environment's), "none", or one proxy URL (http://,
// https://, socks5://, socks5h://; user:password@ allowed). The bypass list is left empty.
std::expected<api::ProxySettings, std::string> parse_proxy(std::string_view text);

// --proxy-bypass: hosts, domains, IP addresses or CIDR ranges joined by ','; spaces around an
// entry are dropped.
std::expected<std::vector<std::string>, std::string> parse_proxy_bypass(std::string_view text);

// The names of the set bits, joined by ',' ("transferred,error"); "none" for 0.
std::string notify_flags_names(api::NotifyFlags flags);

}  // namespace swarmcopy::cli
