#include "oci_workload.h"

#include <chrono>
#include <fstream>
#include <system_error>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "content.h"
#include "stop_signal.h"
#include "swarmcopy/harness/origin_server.h"
#include "swarmcopy/harness/run_command.h"
#include "swarmcopy/peer/metainfo.h"
#include "units.h"

namespace swarmcopy::lab {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

constexpr const char* kRepository = "lab/image";
constexpr const char* kMirror = "127.0.0.1:5050";  // each peer's swarmcopyd, in its namespace
constexpr int kMirrorPort = 5050;
constexpr auto kPushTimeout = 600s;

std::string text_of(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

// Bytes of the regular files under `dir`: what skopeo has written of the image so far (each
// blob streams into a temporary file inside the layout, then is renamed into blobs/).
std::uint64_t bytes_under(const fs::path& dir) {
  std::uint64_t total = 0;
  std::error_code error;
  for (fs::recursive_directory_iterator it(dir, error), end; !error && it != end;
       it.increment(error)) {
    std::error_code size_error;
    if (it->is_regular_file(size_error)) {
      const auto size = it->file_size(size_error);
      if (!size_error) total += size;
    }
  }
  return total;
}

// `argv` in the origin's namespace to its end (bounded), its stdout into `out`.
std::expected<void, std::string> run_at_origin(harness::NetworkLab& lab,
                                               const std::vector<std::string>& argv,
                                               const fs::path& home, const fs::path& out,
                                               std::chrono::seconds timeout) {
  harness::RunOptions options;
  options.stdout_path = out;
  options.stderr_path = fs::path(out).concat(".err");
  options.env = {{"HOME", home.string()}};
  auto started = lab.run_in("origin", argv, options);
  if (!started) return std::unexpected(started.error().message);
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    auto code = started->wait(200ms);
    if (code && *code) {
      if (**code == 0) return {};
      return std::unexpected(fmt::format("exit {}: {}", **code, text_of(options.stderr_path)));
    }
    if (!code) return std::unexpected(code.error().message);
    if (stop_requested() || std::chrono::steady_clock::now() >= deadline) {
      started->kill();
      return std::unexpected(stop_requested() ? "stopped"
                                              : fmt::format("not done in {} s", timeout.count()));
    }
  }
}

}  // namespace

std::expected<void, std::string> OciWorkload::prepare(harness::NetworkLab& lab) {
  auto skopeo = harness::find_program("skopeo");
  if (!skopeo) return std::unexpected("--workload oci needs skopeo: " + skopeo.error().message);
  skopeo_ = *skopeo;
  work_ = lab.work_dir();
  origin_address_ = lab.address_of("origin").value();
  std::ofstream(work_ / "policy.json") << R"({"default":[{"type":"insecureAcceptAnything"}]})";

  spdlog::info("making an image of two layers, {} in all", format_bytes(settings_.size));
  auto made = make_oci_image(work_ / "image", settings_.size);
  if (!made) return std::unexpected(made.error());
  auto origin = RegistryOrigin::start(lab, "origin", origin_address_, work_ / "registry");
  if (!origin) return std::unexpected(origin.error());
  origin_ = std::move(*origin);
  if (auto pushed = push(lab); !pushed) return pushed;
  if (settings_.publish) {
    if (auto published = publish(); !published) return published;
  }

  if (settings_.mode == "lan") {
    const std::vector<std::string> mirror = {
        "--registry-mirror-listen", kMirror, "--registry-upstream",
        fmt::format("http://{}:{}", origin_address_, RegistryOrigin::kProxyPort)};
    if (auto started = daemons_.start(lab, settings_, mirror); !started) return started;
    for (int index = 1; index <= settings_.peers; ++index) {
      const auto* daemon = daemons_.of(fmt::format("peer{}", index));
      if (!harness::listens_within(daemon->process(), kMirrorPort, 10s, stop_requested)) {
        return std::unexpected(
            fmt::format("peer{}: swarmcopyd's registry mirror does not listen "
                        "on {} (see {})",
                        index, kMirror, daemon->log().string()));
      }
    }
  }
  return {};
}

std::expected<void, std::string> OciWorkload::push(harness::NetworkLab& lab) {
  const std::string image =
      fmt::format("docker://127.0.0.1:{}/{}:v1", RegistryOrigin::kRegistryPort, kRepository);
  spdlog::info("pushing it to the origin's registry");
  // Straight to the registry, not through nginx: the push is not the origin's egress.
  if (auto pushed = run_at_origin(
          lab,
          {skopeo_, "--policy", (work_ / "policy.json").string(), "copy", "--preserve-digests",
           "--dest-tls-verify=false", "oci:" + (work_ / "image").string() + ":v1", image},
          work_, work_ / "push.out", kPushTimeout);
      !pushed) {
    return std::unexpected("skopeo copy to the origin's registry: " + pushed.error());
  }
  // The layers to pull are those the registry's manifest names (what a client gets).
  const fs::path manifest = work_ / "manifest.json";
  if (auto inspected = run_at_origin(lab,
                                     {skopeo_, "--policy", (work_ / "policy.json").string(),
                                      "inspect", "--raw", "--tls-verify=false", image},
                                     work_, manifest, 60s);
      !inspected) {
    return std::unexpected("skopeo inspect of the pushed image: " + inspected.error());
  }
  auto layers = layers_of_manifest(text_of(manifest));
  if (!layers) return std::unexpected("the registry's manifest: " + layers.error());
  layers_ = std::move(*layers);
  for (const auto& layer : layers_) {
    sha256s_.insert(layer.sha256);
    spdlog::info("layer sha256:{}: {} bytes", layer.sha256, layer.size);
  }
  return {};
}

std::expected<void, std::string> OciWorkload::publish() {
  // --preserve-digests: the registry holds the layout's blobs as they are, so their metainfo
  // is made from the layout's files.
  const fs::path blobs = work_ / "image" / "blobs" / "sha256";
  const fs::path torrents = RegistryOrigin::torrents_dir(work_ / "registry");
  for (const auto& layer : layers_) {
    if (!fs::exists(blobs / layer.sha256)) {
      return std::unexpected(fmt::format(
          "the registry's layer sha256:{} is none the lab made: its metainfo cannot be published",
          layer.sha256));
    }
  }
  std::error_code error;
  for (const auto& entry : fs::directory_iterator(blobs, error)) {
    const fs::path blob = entry.path();
    const auto size = fs::file_size(blob, error);
    if (error) break;
    auto meta = peer::publish(blob, piece_size_for(size));
    if (!meta) return std::unexpected(meta.error().describe());
    fs::rename(fs::path(blob).concat(".torrent"),
               torrents / ("sha256:" + blob.filename().string() + ".torrent"), error);
    if (error) break;
  }
  if (error) return std::unexpected(blobs.string() + ": " + error.message());
  return {};
}

std::uint64_t OciWorkload::content_size() const {
  std::uint64_t size = 0;
  for (const auto& layer : layers_) size += layer.size;
  return size;
}

std::vector<std::string> OciWorkload::content_uris() const {
  std::vector<std::string> uris;
  for (const auto& layer : layers_) {
    uris.push_back(fmt::format("/v2/{}/blobs/sha256:{}", kRepository, layer.sha256));
  }
  return uris;
}

std::expected<void, std::string> OciWorkload::prepare_round(PeerRun& peer, int round) {
  const fs::path round_dir = peer.dir / fmt::format("round{}", round);
  std::error_code error;
  fs::create_directories(round_dir, error);
  if (error) return std::unexpected(round_dir.string() + ": " + error.message());
  peer.output = round_dir / "image";
  daemons_.begin_round(peer);
  return {};
}

std::vector<std::string> OciWorkload::round_argv(const PeerRun& peer, int /*round*/) const {
  const std::string from = settings_.mode == "lan"
                               ? std::string(kMirror)
                               : fmt::format("{}:{}", origin_address_, RegistryOrigin::kProxyPort);
  // --preserve-digests: the layers land as the registry has them (see oci_image.h).
  return {skopeo_,
          "--policy",
          (work_ / "policy.json").string(),
          "copy",
          "--preserve-digests",
          "--src-tls-verify=false",
          fmt::format("docker://{}/{}:v1", from, kRepository),
          "oci:" + peer.output.string() + ":v1"};
}

harness::RunOptions OciWorkload::round_options(const PeerRun& peer) const {
  harness::RunOptions options;
  options.env = {{"HOME", peer.dir.string()}};
  return options;
}

void OciWorkload::read_progress(PeerRun& peer, double now_seconds) {
  if (!peer.process) return;
  if (daemons_.running()) {
    daemons_.poll(peer, sha256s_, now_seconds, !peer.process->running());
    return;
  }
  add_point(peer, now_seconds, std::min(bytes_under(peer.output), content_size()));
}

void OciWorkload::read_result(PeerRun& peer) {
  peer.error = exit_error(peer, "skopeo");
  peer.file_state = "ok";
  std::uint64_t pulled = 0;
  for (const auto& layer : layers_) {
    const fs::path blob = peer.output / "blobs" / "sha256" / layer.sha256;
    if (!fs::exists(blob)) {
      peer.file_state = "absent";
      continue;
    }
    auto sha = sha256_of(blob);
    if (!sha || *sha != layer.sha256) {
      if (peer.file_state == "ok") peer.file_state = "wrong";
    } else {
      pulled += layer.size;
    }
  }
  if (daemons_.running()) {
    const auto files = daemons_.files(peer, sha256s_);
    set_sources(peer, files, peer.finished_at.value_or(0));
    for (const auto& file : files) {
      if (file.state != api::JobState::kAcknowledged && peer.error.empty()) {
        peer.error = fmt::format("a blob job of swarmcopyd ended {}", api::to_string(file.state));
      }
    }
  } else {
    peer.from_origin = pulled;
    add_point(peer, peer.finished_at.value_or(0), pulled);
  }
  if (!peer.error.empty()) {
    spdlog::warn("{}: {}; its output: {}", peer.name, peer.error,
                 peer.process ? peer.process->stderr_path().string() : std::string("-"));
  }
}

nlohmann::json OciWorkload::finish(harness::NetworkLab& /*lab*/, bool figures) {
  nlohmann::json extra = {{"peer_status", figures ? daemons_.status(settings_) : nullptr}};
  daemons_.stop();
  return extra;
}

fs::path OciWorkload::quit_origin() { return origin_ ? origin_->quit() : fs::path(); }

}  // namespace swarmcopy::lab
