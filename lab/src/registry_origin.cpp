#include "registry_origin.h"

#include <signal.h>

#include <chrono>
#include <fstream>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "origin_log.h"
#include "stop_signal.h"
#include "swarmcopy/harness/origin_server.h"
#include "swarmcopy/harness/run_command.h"
#include "workload.h"

namespace swarmcopy::lab {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

// As harness::start_origin_server's, with the registry passed through: unbuffered, so a blob's
// bytes reach the client as they come and nginx's temporary files hold none of them.
std::string proxy_config(const fs::path& prefix, const std::string& address,
                         const fs::path& torrents) {
  std::string conf = fmt::format(
      "daemon off;\n"
      "master_process off;\n"
      "worker_processes 1;\n"
      "pid {0}/nginx.pid;\n"
      "error_log {0}/error.log info;\n"
      "events {{ worker_connections 1024; }}\n"
      "http {{\n"
      "  log_format lab '{1}';\n"
      "  access_log {0}/access.log lab;\n",
      prefix.string(), kOriginLogFormat);
  for (const char* temp : {"client_body", "proxy", "fastcgi", "uwsgi", "scgi"}) {
    conf += fmt::format("  {}_temp_path {}/temp/{};\n", temp, prefix.string(), temp);
  }
  conf += fmt::format(
      "  server {{\n"
      "    listen {}:{};\n"
      "    location ~ \"^/v2/.+/blobs/(sha256:[0-9a-f]{{64}})\\.torrent$\" {{\n"
      "      alias {}/$1.torrent;\n"
      "    }}\n"
      "    location /v2/ {{\n"
      "      proxy_pass http://127.0.0.1:{};\n"
      "      proxy_http_version 1.1;\n"
      "      proxy_set_header Host $http_host;\n"
      "      proxy_buffering off;\n"
      "    }}\n"
      "  }}\n"
      "}}\n",
      address, RegistryOrigin::kProxyPort, torrents.string(), RegistryOrigin::kRegistryPort);
  return conf;
}

}  // namespace

std::expected<RegistryOrigin, std::string> RegistryOrigin::start(harness::NetworkLab& lab,
                                                                 const std::string& ns,
                                                                 const std::string& address,
                                                                 const fs::path& dir) {
  auto nginx = harness::find_program("nginx");
  if (!nginx) return std::unexpected("nginx is needed for the origin: " + nginx.error().message);
  auto registry = harness::find_program("docker-registry");
  if (!registry) {
    return std::unexpected("--workload oci needs Debian's docker-registry: " +
                           registry.error().message);
  }
  std::error_code error;
  fs::create_directories(dir / "nginx" / "temp", error);
  fs::create_directories(dir / "store", error);
  fs::create_directories(torrents_dir(dir), error);
  if (error) return std::unexpected(dir.string() + ": " + error.message());

  const fs::path config = dir / "registry.yml";
  std::ofstream(config) << "version: 0.1\n"
                        << "log:\n  level: warn\n"
                        << "storage:\n  filesystem:\n    rootdirectory: "
                        << (dir / "store").string() << "\n"
                        << "http:\n  addr: 127.0.0.1:" << kRegistryPort << "\n";
  harness::RunOptions registry_output;
  registry_output.stdout_path = dir / "registry.out";
  registry_output.stderr_path = dir / "registry.log";
  auto served = lab.run_in(ns, {*registry, "serve", config.string()}, registry_output);
  if (!served) return std::unexpected("docker-registry: " + served.error().message);
  if (!harness::listens_within(*served, kRegistryPort, 20s, stop_requested)) {
    return std::unexpected(fmt::format("docker-registry does not listen on 127.0.0.1:{} (see {})",
                                       kRegistryPort, registry_output.stderr_path.string()));
  }

  const fs::path prefix = dir / "nginx";
  std::ofstream(prefix / "nginx.conf") << proxy_config(prefix, address, torrents_dir(dir));
  // -e: nginx would otherwise open its compiled-in error log before reading the config.
  auto proxy =
      lab.run_in(ns, {*nginx, "-p", prefix.string() + "/", "-c", (prefix / "nginx.conf").string(),
                      "-e", (prefix / "error.log").string()});
  if (!proxy) return std::unexpected("nginx: " + proxy.error().message);
  if (!harness::listens_within(*proxy, kProxyPort, 10s, stop_requested)) {
    return std::unexpected(fmt::format("nginx does not listen on {}:{} (see {})", address,
                                       kProxyPort, (prefix / "error.log").string()));
  }
  return RegistryOrigin(*served, *proxy, prefix / "access.log");
}

fs::path RegistryOrigin::quit() { return quit_nginx(nginx_, access_log_); }

}  // namespace swarmcopy::lab
