// bench_lt_pair: the plain-libtorrent reference for peer → peer transfers. Two lt::sessions in
// one process on 127.0.0.1 — a seed that holds the file (checked in full before the clock
// starts) and a downloader connected to it with connect_peer — and the time from adding the
// torrent to the downloader until it has every piece, then until the file is fsync'ed, with
// the MB/s of each. `bench/peer_pair` runs it beside the swarmcopy engine → engine transfer.
//
//   bench_lt_pair --torrent F.torrent --seed-dir DIR --leech-dir DIR [--tcp-only] [--timeout S]
//
// Settings are libtorrent's defaults except what a loopback pair needs: listen on 127.0.0.1
// only, DHT, local service discovery, UPnP and NAT-PMP off (nothing leaves the machine), the
// alerts this program reads, and torrents added unpaused and not auto-managed (the queue would
// otherwise start them at its next tick, up to a second later). --tcp-only also turns uTP off
// (enable_outgoing_utp / enable_incoming_utp). The seed directory must hold the torrent's file;
// the downloader's directory must not.
//
// This is the one program outside peer/ that includes libtorrent (design.md keeps libtorrent
// inside peer/): it measures plain libtorrent, so it must not go through swarmcopy's Session.
// Run by hand (bench/peer_pair), not in CI. Single-threaded: it polls both sessions' alerts.
#include <fcntl.h>
#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include <fmt/format.h>
#include <libtorrent/address.hpp>
#include <libtorrent/alert_types.hpp>
#include <libtorrent/peer_info.hpp>
#include <libtorrent/session.hpp>
#include <libtorrent/session_params.hpp>
#include <libtorrent/settings_pack.hpp>
#include <libtorrent/torrent_flags.hpp>
#include <libtorrent/torrent_handle.hpp>
#include <libtorrent/torrent_info.hpp>
#include <libtorrent/torrent_status.hpp>

namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

struct Options {
  fs::path torrent;
  fs::path seed_dir;
  fs::path leech_dir;
  bool tcp_only = false;
  int timeout_seconds = 600;
};

[[noreturn]] void die(const std::string& message) {
  fmt::print(stderr, "bench_lt_pair: {}\n", message);
  std::exit(1);
}

void usage_error(const std::string& message) {
  fmt::print(stderr,
             "bench_lt_pair: {}\nusage: bench_lt_pair --torrent F.torrent --seed-dir DIR "
             "--leech-dir DIR [--tcp-only] [--timeout SECONDS]\n",
             message);
  std::exit(1);
}

Options parse(int argc, char** argv) {
  Options options;
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) usage_error(fmt::format("{} needs a value", arg));
      return argv[++i];
    };
    if (arg == "--torrent") {
      options.torrent = value();
    } else if (arg == "--seed-dir") {
      options.seed_dir = value();
    } else if (arg == "--leech-dir") {
      options.leech_dir = value();
    } else if (arg == "--tcp-only") {
      options.tcp_only = true;
    } else if (arg == "--timeout") {
      options.timeout_seconds = std::atoi(value().c_str());
      if (options.timeout_seconds <= 0) usage_error("--timeout must be a positive number");
    } else {
      usage_error(fmt::format("unknown argument '{}'", arg));
    }
  }
  if (options.torrent.empty() || options.seed_dir.empty() || options.leech_dir.empty()) {
    usage_error("--torrent, --seed-dir and --leech-dir are required");
  }
  return options;
}

lt::settings_pack settings(const Options& options) {
  lt::settings_pack pack;  // libtorrent's defaults, then only what loopback needs
  pack.set_str(lt::settings_pack::listen_interfaces, "127.0.0.1:0");
  pack.set_bool(lt::settings_pack::enable_dht, false);
  pack.set_bool(lt::settings_pack::enable_lsd, false);
  pack.set_bool(lt::settings_pack::enable_upnp, false);
  pack.set_bool(lt::settings_pack::enable_natpmp, false);
  if (options.tcp_only) {
    pack.set_bool(lt::settings_pack::enable_outgoing_utp, false);
    pack.set_bool(lt::settings_pack::enable_incoming_utp, false);
  }
  pack.set_int(
      lt::settings_pack::alert_mask,
      static_cast<int>(static_cast<std::uint32_t>(
          lt::alert_category::status | lt::alert_category::error | lt::alert_category::storage)));
  return pack;
}

lt::add_torrent_params torrent_params(const std::shared_ptr<lt::torrent_info>& info,
                                      const fs::path& dir) {
  lt::add_torrent_params params;
  params.ti = info;
  params.save_path = dir.string();
  params.flags &= ~lt::torrent_flags::auto_managed;
  params.flags &= ~lt::torrent_flags::paused;
  return params;
}

struct Events {
  bool checked = false;
  bool finished = false;
};

// Pops a session's alerts; any error about the torrent ends the program.
Events drain(lt::session& session, const char* who) {
  Events events;
  std::vector<lt::alert*> alerts;
  session.pop_alerts(&alerts);
  for (lt::alert* alert : alerts) {
    if (lt::alert_cast<lt::torrent_checked_alert>(alert) != nullptr) {
      events.checked = true;
    } else if (lt::alert_cast<lt::torrent_finished_alert>(alert) != nullptr) {
      events.finished = true;
    } else if (auto* added = lt::alert_cast<lt::add_torrent_alert>(alert)) {
      if (added->error) die(fmt::format("{}: {}", who, alert->message()));
    } else if (lt::alert_cast<lt::torrent_error_alert>(alert) != nullptr ||
               lt::alert_cast<lt::file_error_alert>(alert) != nullptr ||
               lt::alert_cast<lt::listen_failed_alert>(alert) != nullptr) {
      die(fmt::format("{}: {}", who, alert->message()));
    }
  }
  return events;
}

double seconds(Clock::duration d) { return std::chrono::duration<double>(d).count(); }

}  // namespace

int main(int argc, char** argv) {
  const Options options = parse(argc, argv);
  lt::error_code ec;
  auto info = std::make_shared<lt::torrent_info>(options.torrent.string(), ec);
  if (ec) die(fmt::format("{}: {}", options.torrent.string(), ec.message()));
  if (info->num_files() != 1) die("the torrent must hold exactly one file");
  const fs::path relative = info->files().file_path(lt::file_index_t{0});
  const std::int64_t bytes = info->total_size();
  if (!fs::exists(options.seed_dir / relative)) {
    die(fmt::format("the seed's file {} does not exist", (options.seed_dir / relative).string()));
  }
  const fs::path target = options.leech_dir / relative;
  if (fs::exists(target)) {
    die(fmt::format("{} exists: the downloader must start empty", target.string()));
  }
  fs::create_directories(options.leech_dir);

  lt::session seed{lt::session_params(settings(options))};
  lt::session leech{lt::session_params(settings(options))};
  const auto deadline = Clock::now() + std::chrono::seconds(options.timeout_seconds);
  auto check_deadline = [&](const char* phase) {
    if (Clock::now() > deadline) {
      die(fmt::format("timed out after {} s {}", options.timeout_seconds, phase));
    }
  };

  // The seed hashes its whole file before it serves (no resume data): not timed.
  lt::torrent_handle seed_handle = seed.add_torrent(torrent_params(info, options.seed_dir), ec);
  if (ec) die(fmt::format("seed: {}", ec.message()));
  for (bool checked = false; !checked;) {
    seed.wait_for_alert(std::chrono::milliseconds(100));
    checked = drain(seed, "seed").checked;
    check_deadline("while the seed checked its file");
  }
  if (!seed_handle.status().is_seeding) {
    die("the seed's file does not match the torrent (it is not seeding after its check)");
  }
  const std::uint16_t seed_port = seed.listen_port();
  if (seed_port == 0) die("seed: not listening");

  const auto start = Clock::now();
  lt::torrent_handle leech_handle = leech.add_torrent(torrent_params(info, options.leech_dir), ec);
  if (ec) die(fmt::format("downloader: {}", ec.message()));
  leech_handle.connect_peer(
      lt::tcp::endpoint(boost::asio::ip::make_address("127.0.0.1"), seed_port));

  // Which transport carried the data: sampled from the downloader's peer list while it runs
  // (the two disconnect once both are seeds).
  std::set<std::string> transports;
  auto next_sample = start;
  std::optional<Clock::time_point> done;
  while (!done) {
    leech.wait_for_alert(std::chrono::milliseconds(10));
    if (drain(leech, "downloader").finished) done = Clock::now();
    drain(seed, "seed");
    if (!done && Clock::now() >= next_sample) {
      std::vector<lt::peer_info> peers;
      leech_handle.get_peer_info(peers);
      for (const auto& peer : peers) {
        if (peer.total_download > 0) {
          transports.insert((peer.flags & lt::peer_info::utp_socket) ? "uTP" : "TCP");
        }
      }
      next_sample = Clock::now() + std::chrono::milliseconds(250);
    }
    if (!done && Clock::now() > deadline) {
      check_deadline(fmt::format("downloading ({} of {} bytes)",
                                 leech_handle.status().total_wanted_done, bytes)
                         .c_str());
    }
  }
  // As the other tools in the bench do before they count a file as written.
  const int fd = ::open(target.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0 || ::fsync(fd) != 0) {
    die(fmt::format("fsync {}: {}", target.string(), std::strerror(errno)));
  }
  ::close(fd);
  const auto synced = Clock::now();

  std::string transport;
  for (const auto& name : transports) transport += (transport.empty() ? "" : "+") + name;
  if (transport.empty()) transport = "?";  // finished before the first sample
  const double complete_s = seconds(*done - start);
  const double synced_s = seconds(synced - start);
  fmt::print("bench_lt_pair: {} bytes, 127.0.0.1, {} (data over {})\n", bytes,
             options.tcp_only ? "TCP only" : "libtorrent defaults (uTP + TCP)", transport);
  fmt::print("complete {:.3f} s {:.1f} MB/s\n", complete_s, bytes / 1e6 / complete_s);
  fmt::print("synced {:.3f} s {:.1f} MB/s\n", synced_s, bytes / 1e6 / synced_s);
  std::fflush(stdout);

  // Both sessions shut down together rather than one after the other.
  auto seed_proxy = seed.abort();
  auto leech_proxy = leech.abort();
  return 0;
}
