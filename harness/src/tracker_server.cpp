#include "swarmcopy/harness/tracker_server.h"

#include <sys/stat.h>

#include <fstream>

#include "swarmcopy/harness/origin_server.h"

namespace swarmcopy::harness {
namespace {

namespace fs = std::filesystem;

bool is_info_hash(const std::string& text) {
  return text.size() == 40 && text.find_first_not_of("0123456789abcdefABCDEF") == std::string::npos;
}

}  // namespace

api::Result<TrackerServer> start_tracker_server(NetworkLab& lab, const TrackerOptions& options) {
  for (const auto& hash : options.info_hashes) {
    if (!is_info_hash(hash)) {
      return api::fail(api::ErrorContext::kCaller, api::ErrorKind::kInvalidArgument,
                       "not an info-hash (40 hex digits): \"" + hash + "\"");
    }
  }
  const fs::path dir = lab.work_dir() / "opentracker";
  std::error_code ec;
  fs::create_directories(dir, ec);
  {
    std::ofstream whitelist(dir / "whitelist.txt", std::ios::trunc);
    for (const auto& hash : options.info_hashes) whitelist << hash << "\n";
    if (!whitelist) {
      return api::fail(api::ErrorContext::kLocalFile, api::ErrorKind::kLocalIo,
                       "cannot write " + (dir / "whitelist.txt").string());
    }
  }
  // opentracker chroots into its directory and reads the whitelist as nobody.
  ::chmod(dir.c_str(), 0755);
  ::chmod((dir / "whitelist.txt").c_str(), 0644);
  const std::string port = std::to_string(options.port);
  auto started =
      lab.run_in(options.ns, {options.opentracker, "-i", options.address, "-p", port, "-P", port,
                              "-d", dir.string(), "-u", "nobody", "-w", "whitelist.txt"});
  if (!started) return std::unexpected(started.error());
  if (!listens_within(*started, options.port, options.listen_timeout, options.give_up)) {
    return api::fail(api::ErrorContext::kGeneralTransport, api::ErrorKind::kUnavailable,
                     "opentracker does not listen on " + options.address + ":" + port + " (see " +
                         started->stderr_path().string() + ")");
  }
  return TrackerServer{std::move(*started), "http://" + options.address + ":" + port + "/announce"};
}

}  // namespace swarmcopy::harness
