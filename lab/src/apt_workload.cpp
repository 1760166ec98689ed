#include "apt_workload.h"

#include <signal.h>
#include <sys/stat.h>

#include <chrono>
#include <fstream>
#include <system_error>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "content.h"
#include "origin_log.h"
#include "stop_signal.h"
#include "swarmcopy/harness/run_command.h"
#include "swarmcopy/peer/metainfo.h"
#include "units.h"

namespace swarmcopy::lab {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

constexpr auto kUpdateTimeout = 120s;

// apt runs its methods as _apt (APT::Sandbox::User): every directory on the way to the ones
// they write (partial/) must be open to it. apt itself makes partial/ _apt's, mode 0700.
void open_to_apt(const fs::path& dir) { ::chmod(dir.c_str(), 0755); }

}  // namespace

std::expected<void, std::string> AptWorkload::prepare(harness::NetworkLab& lab) {
  auto nginx = harness::find_program("nginx");
  if (!nginx) return std::unexpected("nginx is needed for the origin: " + nginx.error().message);
  auto apt_get = harness::find_program("apt-get");
  if (!apt_get) return std::unexpected("--workload apt needs apt-get: " + apt_get.error().message);
  apt_get_ = *apt_get;
  work_ = lab.work_dir();
  open_to_apt(work_);
  const std::string origin_address = lab.address_of("origin").value();

  const fs::path docroot = work_ / "docroot";
  spdlog::info("making a Debian repository: {} with a payload of {}", kAptPackage,
               format_bytes(settings_.size));
  auto repository =
      make_apt_repository(lab, "origin", work_ / "debian", docroot / "repo", settings_.size);
  if (!repository) return std::unexpected(repository.error());
  repository_ = std::move(*repository);
  sha256s_ = {repository_.deb_sha256};
  spdlog::info("{}: {} bytes, SHA-256 {}", repository_.deb.filename().string(),
               repository_.deb_size, repository_.deb_sha256);
  // As `swarmcopy publish` on a site's mirror would: the .deb's .torrent beside it, which the
  // daemons' jobs look for (URL + ".torrent"). --no-publish: a plain Debian mirror.
  if (settings_.publish) {
    if (auto meta = peer::publish(repository_.deb, piece_size_for(repository_.deb_size)); !meta) {
      return std::unexpected(meta.error().describe());
    }
  }

  auto origin = start_static_origin(lab, *nginx, origin_address, docroot);
  if (!origin) return std::unexpected(origin.error());
  origin_ = std::move(*origin);

  const bool lan = settings_.mode == "lan";
  source_ = fmt::format("deb [trusted=yes] {}://{}:{}/repo ./", lan ? "swarmcopy+http" : "http",
                        origin_address, kOriginPort);
  methods_ = work_ / "apt-methods";
  if (auto made = make_methods_dir(methods_); !made) return made;
  for (int index = 1; index <= settings_.peers; ++index) {
    const fs::path root = work_ / fmt::format("peer{}", index) / "apt";
    for (const char* dir :
         {"state/lists/partial", "cache/archives/partial", "etc/sources.d", "log"}) {
      std::error_code error;
      fs::create_directories(root / dir, error);
      if (error) return std::unexpected((root / dir).string() + ": " + error.message());
    }
    open_to_apt(root.parent_path());
    for (const auto& entry : fs::recursive_directory_iterator(root)) {
      if (entry.is_directory()) open_to_apt(entry.path());
    }
    open_to_apt(root);
    std::ofstream(root / "status") << "";
    std::ofstream(root / "etc/sources.list") << source_ << "\n";
  }
  if (lan) {
    if (auto started = daemons_.start(lab, settings_, {}); !started) return started;
  }
  return update_every_peer(lab);
}

std::expected<void, std::string> AptWorkload::make_methods_dir(const fs::path& dir) {
  std::error_code error;
  fs::create_directories(dir, error);
  if (error) return std::unexpected(dir.string() + ": " + error.message());
  open_to_apt(dir);
  for (const auto& stock : fs::directory_iterator("/usr/lib/apt/methods", error)) {
    // An installed swarmcopy package brings its own method: the lab's is the build's.
    if (stock.path().filename().string().starts_with("swarmcopy+")) continue;
    fs::create_symlink(stock.path(), dir / stock.path().filename(), error);
    if (error) return std::unexpected(stock.path().string() + ": " + error.message());
  }
  if (error) return std::unexpected("/usr/lib/apt/methods: " + error.message());
  if (settings_.mode != "lan") return {};
  // The method is built beside swarmcopy (build/bin/swarmcopy+http).
  const fs::path method = settings_.swarmcopy.parent_path() / "swarmcopy+http";
  if (::access(method.c_str(), X_OK) != 0) {
    return std::unexpected(fmt::format(
        "--workload apt --mode lan needs apt's swarmcopy+http method: none at {} (beside "
        "--swarmcopy)",
        method.string()));
  }
  fs::create_symlink(method, dir / "swarmcopy+http", error);
  if (error) return std::unexpected(method.string() + ": " + error.message());
  return {};
}

std::vector<std::string> AptWorkload::apt_get(const std::string& name,
                                              const std::vector<std::string>& command) const {
  const fs::path root = work_ / name / "apt";
  std::vector<std::string> argv = {
      apt_get_, "-q",
      "-o",     "Dir::Etc::SourceList=" + (root / "etc/sources.list").string(),
      "-o",     "Dir::Etc::SourceParts=" + (root / "etc/sources.d").string(),
      "-o",     "Dir::State=" + (root / "state").string(),
      "-o",     "Dir::State::status=" + (root / "status").string(),
      "-o",     "Dir::Cache=" + (root / "cache").string(),
      "-o",     "Dir::Log=" + (root / "log").string(),
      "-o",     "Dir::Bin::Methods=" + methods_.string(),
      "-o",     "Debug::NoLocking=true",
      "-o",     "Acquire::Languages=none",
      "-o",     "Acquire::Retries=0",
      "-o",     "APT::Sandbox::User=_apt"};
  if (const PeerDaemon* daemon = daemons_.of(name)) {
    argv.insert(argv.end(), {"-o", "Acquire::swarmcopy::Socket=" + daemon->socket().string()});
  }
  argv.insert(argv.end(), command.begin(), command.end());
  return argv;
}

std::expected<void, std::string> AptWorkload::update_every_peer(harness::NetworkLab& lab) {
  spdlog::info("apt-get update on {} peers", settings_.peers);
  std::vector<harness::LabProcess> updates;
  for (int index = 1; index <= settings_.peers; ++index) {
    const std::string name = fmt::format("peer{}", index);
    harness::RunOptions options;
    options.stdout_path = work_ / name / "apt-update.out";
    options.stderr_path = work_ / name / "apt-update.err";
    auto started = lab.run_in(name, apt_get(name, {"update"}), options);
    if (!started) return std::unexpected(name + ": apt-get update: " + started.error().message);
    updates.push_back(*started);
  }
  const auto deadline = std::chrono::steady_clock::now() + kUpdateTimeout;
  for (size_t index = 0; index < updates.size(); ++index) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    auto code = updates[index].wait(std::max(left, std::chrono::milliseconds(0)));
    if (!code || !*code || **code != 0) {
      const std::string name = fmt::format("peer{}", index + 1);
      return std::unexpected(fmt::format(
          "{}: apt-get update {}: {}", name,
          code && !*code ? fmt::format("did not finish in {} s", kUpdateTimeout.count()) : "failed",
          last_line_of(work_ / name / "apt-update.err")));
    }
  }
  return {};
}

std::vector<std::string> AptWorkload::content_uris() const {
  return {"/repo/" + repository_.deb.filename().string()};
}

std::expected<void, std::string> AptWorkload::prepare_round(PeerRun& peer, int round) {
  // A fresh archives directory per round: apt downloads the package again (apt-get clean
  // would do the same) and the lab checks each round's .deb.
  const fs::path round_dir = peer.dir / "apt" / fmt::format("round{}", round);
  const fs::path archives = round_dir / "archives";
  std::error_code error;
  fs::create_directories(archives / "partial", error);
  if (error) return std::unexpected(archives.string() + ": " + error.message());
  for (const auto& dir : {round_dir, archives, archives / "partial"}) open_to_apt(dir);
  peer.output = archives / repository_.deb.filename();
  daemons_.begin_round(peer);
  return {};
}

std::vector<std::string> AptWorkload::round_argv(const PeerRun& peer, int /*round*/) const {
  return apt_get(peer.name,
                 {"-o", "Dir::Cache::Archives=" + peer.output.parent_path().string() + "/",
                  "install", "--download-only", "-y", repository_.package});
}

void AptWorkload::read_progress(PeerRun& peer, double now_seconds) {
  if (!peer.process) return;
  if (daemons_.running()) {
    daemons_.poll(peer, sha256s_, now_seconds, !peer.process->running());
    return;
  }
  // apt's http method writes partial/NAME in order, and moves it into place when whole.
  std::error_code error;
  auto size = fs::file_size(peer.output.parent_path() / "partial" / peer.output.filename(), error);
  if (error) size = fs::file_size(peer.output, error);
  if (!error) add_point(peer, now_seconds, size);
}

void AptWorkload::read_result(PeerRun& peer) {
  peer.error = exit_error(peer, "apt-get");
  if (daemons_.running()) {
    const auto files = daemons_.files(peer, sha256s_);
    set_sources(peer, files, peer.finished_at.value_or(0));
    bool delivered = false;
    for (const auto& file : files) {
      delivered = delivered || file.state == api::JobState::kAcknowledged ||
                  file.state == api::JobState::kTransferred;
    }
    if (!delivered && peer.error.empty()) {
      // apt's method fetched the .deb itself (its fallback): nginx's log has those bytes.
      peer.error = "swarmcopyd did not deliver the .deb: apt's method fetched it itself";
    }
  } else {
    std::error_code error;
    const auto size = fs::file_size(peer.output, error);
    peer.from_origin = error ? 0 : size;
  }
  if (!peer.error.empty()) {
    spdlog::warn("{}: {}; its output: {}", peer.name, peer.error,
                 peer.process ? peer.process->stderr_path().string() : std::string("-"));
  }
  if (!fs::exists(peer.output)) {
    peer.file_state = "absent";
  } else {
    auto sha = sha256_of(peer.output);
    peer.file_state = sha && *sha == repository_.deb_sha256 ? "ok" : "wrong";
  }
}

nlohmann::json AptWorkload::finish(harness::NetworkLab& /*lab*/, bool figures) {
  nlohmann::json extra = {{"peer_status", figures ? daemons_.status(settings_) : nullptr}};
  daemons_.stop();
  return extra;
}

fs::path AptWorkload::quit_origin() {
  return origin_ ? quit_nginx(origin_->process, origin_->access_log) : fs::path();
}

}  // namespace swarmcopy::lab
