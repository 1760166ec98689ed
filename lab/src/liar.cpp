#include "liar.h"

#include <fcntl.h>

#include <chrono>
#include <cstdio>

#include <fmt/format.h>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <nlohmann/json.hpp>

#include "content.h"
#include "stop_signal.h"
#include "swarmcopy/peer/metainfo.h"
#include "swarmcopy/peer/session.h"
#include "swarmcopy/util/unique_fd.h"

namespace swarmcopy::lab {
namespace {

constexpr const char* kLieName = "lie.bin";

int fail(const std::string& message) {
  fmt::print(stderr, "swarmcopy-lab liar: {}\n", message);
  return 1;
}

}  // namespace

int run_liar(const LiarSettings& settings) {
  std::error_code error;
  std::filesystem::create_directories(settings.dir, error);
  if (error) return fail("cannot create " + settings.dir.string() + ": " + error.message());
  const auto path = settings.dir / kLieName;
  auto written = write_content(path, settings.size, kLieSeed);
  if (!written) return fail(written.error().describe());
  if (!*written) return 0;
  util::UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd) return fail("cannot open " + path.string());
  auto meta = peer::make_site_metainfo(fd.get(), settings.size, settings.sha256);
  if (!meta) return fail(meta.error().describe());

  // As a lab peer's swarmcopy get: every interface, local service discovery on.
  boost::asio::io_context io;
  auto work = boost::asio::make_work_guard(io);  // run_for waits even with nothing queued
  peer::SessionOptions options;
  options.local_discovery = true;
  auto session = peer::Session::open(io, options);
  if (!session) return fail(session.error().describe());
  auto swarm = (*session)->add_swarm(*meta, settings.dir, kLieName, true, {});
  if (!swarm) return fail(swarm.error().describe());
  auto rendezvous = (*session)->join_rendezvous(settings.sha256, {});
  if (!rendezvous) return fail(rendezvous.error().describe());
  (*session)->offer_in_rendezvous(*rendezvous, *meta);
  fmt::print("ready {} {}\n", (*session)->listen_port(), meta->info_hash_v2);
  std::fflush(stdout);

  while (!stop_requested()) {
    io.run_for(std::chrono::milliseconds(200));
  }
  const auto stats = (*session)->stats(*swarm);
  fmt::print("{}\n",
             nlohmann::json{{"uploaded", stats.uploaded}, {"peers", stats.peers_connected}}.dump());
  std::fflush(stdout);
  return 0;
}

}  // namespace swarmcopy::lab
