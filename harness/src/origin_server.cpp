#include "swarmcopy/harness/origin_server.h"

#include <cstdio>
#include <fstream>
#include <sstream>
#include <thread>

namespace swarmcopy::harness {
namespace {

namespace fs = std::filesystem;

std::string slurp(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

}  // namespace

bool listens_within(const LabProcess& process, int port, std::chrono::milliseconds timeout,
                    const std::function<bool()>& give_up) {
  char hex_port[8];
  std::snprintf(hex_port, sizeof(hex_port), ":%04X", port);
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    std::istringstream lines(slurp("/proc/" + std::to_string(process.pid()) + "/net/tcp"));
    for (std::string line; std::getline(lines, line);) {
      std::istringstream fields(line);
      std::string slot, local, remote, state;
      fields >> slot >> local >> remote >> state;
      if (local.ends_with(hex_port) && state == "0A") return true;  // 0A: TCP_LISTEN
    }
    if (!process.running() || std::chrono::steady_clock::now() >= deadline ||
        (give_up && give_up())) {
      return false;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
}

api::Result<OriginServer> start_origin_server(NetworkLab& lab, const OriginOptions& options) {
  const fs::path prefix = lab.work_dir() / "nginx";
  std::error_code ec;
  for (const char* sub : {"logs", "temp"}) fs::create_directories(prefix / sub, ec);
  const auto access_log = prefix / "logs" / "access.log";
  const auto error_log = prefix / "logs" / "error.log";
  std::ofstream conf(prefix / "nginx.conf", std::ios::trunc);
  conf << "daemon off;\n"
       << "master_process off;\n"
       << "worker_processes 1;\n"
       << "pid " << (prefix / "logs" / "nginx.pid") << ";\n"
       << "error_log " << error_log << " info;\n"
       << "events { worker_connections 1024; }\n"
       << "http {\n"
       << "  default_type application/octet-stream;\n"
       << "  sendfile on;\n";
  if (!options.log_format.empty()) {
    conf << "  log_format lab '" << options.log_format << "';\n"
         << "  access_log " << access_log << " lab;\n";
  } else {
    conf << "  access_log " << access_log << ";\n";
  }
  for (const char* temp : {"client_body", "proxy", "fastcgi", "uwsgi", "scgi"}) {
    conf << "  " << temp << "_temp_path " << (prefix / "temp" / temp) << ";\n";
  }
  conf << "  server {\n"
       << "    listen " << options.address << ":" << options.port << ";\n"
       << "    root " << options.docroot << ";\n"
       << "  }\n"
       << "}\n";
  conf.close();
  if (!conf) {
    return api::fail(api::ErrorContext::kLocalFile, api::ErrorKind::kLocalIo,
                     "cannot write " + (prefix / "nginx.conf").string());
  }
  // -e: nginx would otherwise open its compiled-in error log before reading the config.
  auto started =
      lab.run_in(options.ns, {options.nginx, "-p", prefix.string() + "/", "-c",
                              (prefix / "nginx.conf").string(), "-e", error_log.string()});
  if (!started) return std::unexpected(started.error());
  if (!listens_within(*started, options.port, options.listen_timeout, options.give_up)) {
    return api::fail(api::ErrorContext::kGeneralTransport, api::ErrorKind::kUnavailable,
                     "nginx does not listen on " + options.address + ":" +
                         std::to_string(options.port) + " (see " + error_log.string() + ")");
  }
  return OriginServer{std::move(*started), access_log, error_log};
}

}  // namespace swarmcopy::harness
