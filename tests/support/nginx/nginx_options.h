// NginxOptions: how a test wants its NginxServer (nginx_server.h) set up. Plain value type.
#pragma once

#include <chrono>
#include <filesystem>
#include <string>

namespace swarmcopy::test {

struct NginxOptions {
  // Served as "/". Empty: a fresh empty directory inside the server's prefix (docroot()).
  std::filesystem::path docroot;
  // Extra directives inside server { }, e.g. "location /slow/ { limit_rate 1m; }".
  std::string server_config;
  // Extra directives inside http { }.
  std::string http_config;
  // How long nginx may take to accept connections before start() gives up.
  std::chrono::milliseconds start_timeout{std::chrono::seconds(10)};
  std::filesystem::path binary = "/usr/sbin/nginx";
};

}  // namespace swarmcopy::test
