#include "daemon.h"

#include <malloc.h>

#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>
#include <sys/resource.h>
#include <unistd.h>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/thread_pool.hpp>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <system_error>
#include <thread>
#include <vector>

#include "activity_routes.h"
#include "cache_routes.h"
#include "event_hub.h"
#include "group_source.h"
#include "job_routes.h"
#include "metrics_routes.h"
#include "rate_limiter.h"
#include "registry_blobs.h"
#include "router.h"
#include "server.h"
#include "server_limits.h"
#include "signals.h"
#include "swarmcopy/engine/service.h"
#include "swarmcopy/metrics/metrics.h"
#include "swarmcopy/metrics/metrics_store.h"
#include "swarmcopy/registry/mirror.h"
#include "swarmcopy/util/extra_ca.h"
#include "swarmcopy/util/pem_file.h"
#include "swarmcopy/util/user_state_dir.h"
#include "systemd_notify.h"
#include "tcp_listener.h"

#ifndef SWARMCOPY_VERSION
#define SWARMCOPY_VERSION "0.0.0"
#endif

namespace swarmcopy::daemon {
namespace {

namespace asio = boost::asio;
using SteadyClock = std::chrono::steady_clock;

// I/O threads only parse and copy bytes; handler threads wait on the engine. Engine calls are
// serialized on the engine thread anyway, so more handler threads would only queue there.
constexpr int kIoThreads = 2;
constexpr int kHandlerThreads = 8;
constexpr std::chrono::milliseconds kMainTick{250};
constexpr std::chrono::seconds kSessionDrain{2};
// How often the metrics are written to the state directory: a kill -9 loses at most this.
constexpr std::chrono::seconds kMetricsCheckpoint{5};

std::optional<std::filesystem::path> default_config_file(DaemonMode mode) {
  std::filesystem::path file;
  if (mode == DaemonMode::kSystem) {
    file = "/etc/swarmcopy/swarmcopyd.conf";
  } else if (const char* xdg = std::getenv("XDG_CONFIG_HOME"); xdg != nullptr && *xdg == '/') {
    file = std::filesystem::path(xdg) / "swarmcopy" / "swarmcopyd.conf";
  } else if (const char* home = std::getenv("HOME"); home != nullptr && *home == '/') {
    file = std::filesystem::path(home) / ".config" / "swarmcopy" / "swarmcopyd.conf";
  } else {
    return std::nullopt;
  }
  std::error_code ec;
  if (!std::filesystem::exists(file, ec)) return std::nullopt;
  return file;
}

// Defaults, then the file, then the command line.
api::Result<Config> load_config(const DaemonArgs& args) {
  api::Result<Config> config = default_config(args.mode);
  const auto file = args.config_file ? args.config_file : default_config_file(args.mode);
  if (file) {
    auto values = read_config_file(*file);
    if (!values) return std::unexpected(values.error());
    if (auto applied = apply_values(*values, *config); !applied) {
      auto error = applied.error();
      error.message = file->string() + ": " + error.message;
      return std::unexpected(error);
    }
  }
  if (auto applied = apply_values(args.overrides, *config); !applied) {
    return std::unexpected(applied.error());
  }
  if (auto complete = check_complete(*config); !complete) return std::unexpected(complete.error());
  return config;
}

void configure_logging(const std::string& level) {
  static const bool once = [] {
    auto logger = spdlog::stderr_logger_mt("swarmcopyd");
    spdlog::set_default_logger(logger);
    spdlog::set_pattern("%Y-%m-%d %H:%M:%S.%e %l [%t] %v");
    return true;
  }();
  (void)once;
  spdlog::set_level(spdlog::level::from_str(level));
}

void raise_file_limit() {
  // Each client is a descriptor; the default soft limit (1024) is far below what a busy
  // machine may open, and the hard limit is ours to take.
  rlimit limit{};
  if (::getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur < limit.rlim_max) {
    limit.rlim_cur = limit.rlim_max;
    if (::setrlimit(RLIMIT_NOFILE, &limit) != 0) spdlog::warn("cannot raise RLIMIT_NOFILE");
  }
}

engine::EngineOptions engine_options(const Config& config) {
  engine::EngineOptions options;
  options.max_jobs = config.max_jobs;
  options.max_jobs_per_user = config.max_jobs_per_user;
  options.max_files_per_job = config.max_files_per_job;
  options.max_active_jobs = config.max_active_jobs;
  std::error_code ec;
  if (auto socket = std::filesystem::absolute(config.socket, ec); !ec)
    options.served_socket = socket;
  options.min_retry_delay = std::chrono::milliseconds(config.min_retry_delay_ms);
  options.checkpoint_interval = std::chrono::milliseconds(config.checkpoint_interval_ms);
  options.notify_command_timeout = std::chrono::milliseconds(config.notify_command_timeout_ms);
  options.default_mode =
      api::parse_download_mode(config.download_mode).value_or(api::DownloadMode::kLan);
  options.peer.listen = config.peer_listen;
  options.peer.peers = config.peers;
  options.peer.local_discovery = config.local_discovery;
  options.peer.group_id = config.group_id;
  options.peer.trackers = config.trackers;
  options.peer.vpn_interfaces = config.vpn_interfaces;
  options.peer.min_ram_to_upload = config.min_ram_to_upload_mb << 20;
  options.peer.min_free_disk_to_upload = config.min_free_disk_to_upload_mb << 20;
  options.peer.upload_bytes_per_second = config.upload_limit;
  options.peer.monthly_upload_cap = config.monthly_upload_cap;
  options.download_caps = config.download_caps;
  options.peer.max_connections = static_cast<int>(config.peer_connections);
  options.seed_time = std::chrono::seconds(config.seed_time_seconds);
  options.background_http_delay = std::chrono::milliseconds(config.background_http_delay_ms);
  options.foreground_http_delay = std::chrono::milliseconds(config.foreground_http_delay_ms);
  options.min_peer_file_size = config.min_peer_file_size;
  options.cache_limits.max_bytes = config.cache_max_bytes;
  options.cache_limits.max_age = std::chrono::hours(config.cache_max_age_hours);
  options.proxy = config.proxy;
  options.no_proxy = config.no_proxy;
  if (config.allow_loopback_origins == "admin") {
    options.local_origin_uids = std::vector<std::uint32_t>{0, ::geteuid()};
  }
  options.on_listening = [](std::uint16_t port) {
    spdlog::info("listening on {} for peers", port);
  };
  return options;
}

void apply_reloadable(const Config& config, ServerLimits& limits, RateLimiter& limiter) {
  configure_logging(config.log_level);
  limiter.set_limits(config.requests_per_second, config.request_burst);
  limits.max_request_bytes = config.max_request_bytes;
  limits.io_timeout_seconds = config.io_timeout_seconds;
  limits.max_connections = config.max_connections;
  limits.max_connections_per_user = config.max_connections_per_user;
  limits.event_queue_limit = config.event_queue_limit;
  limits.event_idle_seconds = config.event_idle_seconds;
}

// True when one of the daemon owner's jobs is queued, connecting, transferring or waiting to
// retry (user mode: the only owner), or when content is still seeded to peers: leaving then
// would cut the seed time short (the user daemon's 300 s idle exit against a 1 h seed time).
bool has_work(engine::Service& service) {
  if (auto seeding = service.seeding(); !seeding || *seeding) return true;
  auto jobs = service.manager_for({::getuid(), ::getgid(), false, std::nullopt})->jobs();
  if (!jobs) return true;  // cannot tell: stay
  for (const auto& job : *jobs) {
    auto state = job->state();
    if (state && api::is_active(*state)) return true;
  }
  return false;
}

// Binds registry_mirror_listen and starts the mirror over `service`'s engine.
std::expected<std::unique_ptr<registry::Mirror>, std::string> start_registry_mirror(
    const Config& config, asio::io_context& io, const std::shared_ptr<engine::Service>& service,
    std::shared_ptr<const util::ExtraCa> extra_ca) {
  const auto endpoint = parse_listen_endpoint(config.registry_mirror_listen);
  auto upstreams = registry::parse_upstreams(config.registry_upstream);
  if (!endpoint) return std::unexpected("registry_mirror_listen: malformed");
  if (!upstreams) return std::unexpected("registry_upstream: " + upstreams.error());
  auto blobs = RegistryBlobs::open(service, config.state_dir / "registry-mirror");
  if (!blobs) return std::unexpected(blobs.error().describe());
  registry::MirrorOptions options;
  options.upstreams = std::move(*upstreams);
  options.io_timeout = std::chrono::seconds(config.io_timeout_seconds);
  options.extra_ca = std::move(extra_ca);
  auto mirror = std::make_unique<registry::Mirror>(io, std::move(options), std::move(*blobs));
  if (auto bound = mirror->listen(endpoint->address, endpoint->port); !bound) {
    return std::unexpected(bound.error());
  }
  mirror->start();
  return mirror;
}

int fail(const std::string& what) {
  std::fprintf(stderr, "swarmcopyd: error: %s\n", what.c_str());
  return 1;
}

}  // namespace

int run_daemon(const DaemonArgs& args) {
  // Before any thread exists, so that every thread inherits the mask.
  Signals::block();
  auto loaded = load_config(args);
  if (!loaded) return fail(loaded.error().describe());
  Config config = *loaded;
  configure_logging(config.log_level);
  raise_file_limit();
  // Ten threads touch the heap (I/O, handlers, engine, notifications): without a cap glibc
  // gives each its own arena, and memory freed after a large answer stays in them.
  ::mallopt(M_ARENA_MAX, 2);

  ServerLimits limits;
  RateLimiter limiter(config.requests_per_second, config.request_burst);
  apply_reloadable(config, limits, limiter);
  EventHub hub;
  Router router;
  asio::thread_pool handlers(kHandlerThreads);
  asio::io_context io(kIoThreads);
  Server server(io, SessionContext{router, hub, limiter, limits, handlers}, args.mode);

  // Bound before the engine opens: a second daemon on this socket is refused before it
  // touches any job; clients that connect meanwhile wait in the backlog.
  if (auto listening = server.listen(config.socket); !listening) {
    return fail(listening.error().describe());
  }
  auto options = engine_options(config);
  // A user daemon's cache is one of its user's: it shares with the user's gets of other homes.
  // A system daemon serves every user and shares with none.
  if (args.mode == DaemonMode::kUser) {
    if (auto list = util::user_cache_list_dir()) options.cache_list_dir = *list;
  }
  auto group = resolve_group_id(config.group_id_source, config.group_id);
  if (!group) {
    server.stop();
    return fail(group.error());
  }
  options.peer.group_id = *group;
  if (!group->empty()) spdlog::info("group: {} ({})", *group, config.group_id_source);
  const std::pair<const std::filesystem::path*, std::string*> group_files[] = {
      {&config.group_ca_file, &options.peer.group_ca_pem},
      {&config.group_cert_file, &options.peer.group_cert_pem},
      {&config.group_key_file, &options.peer.group_key_pem}};
  int group_files_given = 0;
  for (const auto& [file, pem] : group_files) {
    if (file->empty()) continue;
    ++group_files_given;
    auto text = util::read_pem_file(*file);
    if (!text) {
      server.stop();
      return fail("group certificates: " + text.error());
    }
    *pem = std::move(*text);
  }
  if (group_files_given != 0 && group_files_given != 3) {
    server.stop();
    return fail(
        "group certificates: group_ca_file, group_cert_file and group_key_file go together");
  }
  if (group_files_given == 3 && options.peer.group_id.empty()) {
    server.stop();
    return fail("group certificates: they need a group (group_id)");
  }
  if (!config.tls_ca_file.empty()) {
    auto extra_ca = util::ExtraCa::load(config.tls_ca_file);
    if (!extra_ca) {
      server.stop();
      return fail("tls_ca_file: " + extra_ca.error());
    }
    options.extra_ca = *extra_ca;
  }
  auto opened = engine::open_service(config.state_dir, options);
  if (!opened) {
    server.stop();
    return fail("cannot open the engine: " + opened.error().describe());
  }
  std::shared_ptr<engine::Service> service = *opened;
  auto metrics_store = metrics::MetricsStore::open(config.state_dir / "metrics.sqlite");
  if (!metrics_store) {
    server.stop();
    service->shutdown();
    return fail(metrics_store.error().describe());
  }
  auto opened_metrics =
      metrics::Metrics::open(std::make_unique<metrics::MetricsStore>(std::move(*metrics_store)));
  if (!opened_metrics) {
    server.stop();
    service->shutdown();
    return fail(opened_metrics.error().describe());
  }
  std::shared_ptr<metrics::Metrics> metrics = std::move(*opened_metrics);
  service->set_observer([&hub, metrics](const engine::JobEvent& event) {
    metrics->on_event(event);
    hub.publish(event);
  });
  add_job_routes(router, service, args.mode, SWARMCOPY_VERSION);
  add_cache_routes(router, service, ::getuid());
  add_metrics_routes(router, service, metrics);
  add_activity_routes(router, service, metrics);
  // TCP has no uid: each listener serves machine totals only (no viewer for the page).
  TcpListener metrics_listener(
      io, handlers, "metrics_listen",
      {{"/metrics", {std::string(metrics::PrometheusText::kContentType), [service, metrics] {
                       return scrape_metrics(*service, *metrics);
                     }}}});
  const auto page = [service, metrics] { return activity_page(*service, *metrics, std::nullopt); };
  TcpListener http_listener(io, handlers, "http_listen",
                            {{"/", {std::string(kHtmlContentType), page}},
                             {"/activity", {std::string(kHtmlContentType), page}}});
  const auto start_listener = [&](TcpListener& listener, const std::string& key,
                                  const std::string& value,
                                  const std::string& what) -> api::Result<void> {
    if (value.empty()) return {};
    // The config checked it; a value that no longer parses is a bug, refused all the same.
    const auto endpoint = parse_listen_endpoint(value);
    if (!endpoint) {
      return std::unexpected(
          caller_error(api::ErrorKind::kInvalidArgument, key + ": malformed: " + value));
    }
    if (auto bound = listener.listen(*endpoint); !bound) return bound;
    listener.start();
    spdlog::info("serving {} on {}", what, value);
    return {};
  };
  for (const auto& started :
       {start_listener(metrics_listener, "metrics_listen", config.metrics_listen, "/metrics"),
        start_listener(http_listener, "http_listen", config.http_listen, "the activity page")}) {
    if (!started) {
      server.stop();
      service->shutdown();
      return fail(started.error().describe());
    }
  }

  // The registry mirror: its blobs are jobs of this engine (registry_blobs.h).
  std::unique_ptr<registry::Mirror> registry_mirror;
  if (!config.registry_mirror_listen.empty()) {
    auto started = start_registry_mirror(config, io, service, options.extra_ca);
    if (!started) {
      metrics_listener.stop();
      http_listener.stop();
      server.stop();
      service->shutdown();
      return fail(started.error());
    }
    registry_mirror = std::move(*started);
    spdlog::info("registry mirror on {} for {}", config.registry_mirror_listen,
                 config.registry_upstream);
  }

  auto work = asio::make_work_guard(io);
  std::vector<std::thread> io_threads;
  for (int i = 0; i < kIoThreads; ++i) io_threads.emplace_back([&io] { io.run(); });
  server.start();
  spdlog::info("swarmcopyd {} ({} mode), state in {}", SWARMCOPY_VERSION, to_string(args.mode),
               config.state_dir.string());
  std::fprintf(stderr, "swarmcopyd: listening on %s\n", config.socket.c_str());
  std::fflush(stderr);
  systemd_notify("READY=1");

  auto idle_since = SteadyClock::now();
  auto last_job_check = SteadyClock::time_point{};
  auto last_checkpoint = SteadyClock::now();
  for (;;) {
    const auto signal = Signals::wait(kMainTick);
    if (SteadyClock::now() - last_checkpoint >= kMetricsCheckpoint) {
      last_checkpoint = SteadyClock::now();
      (void)observe_engine(*service, *metrics);
      if (auto saved = metrics->checkpoint(); !saved) {
        spdlog::error("cannot save the metrics: {}", saved.error().describe());
      }
    }
    if (signal == SignalEvent::kStop) {
      spdlog::info("stopping on a signal");
      break;
    }
    if (signal == SignalEvent::kReload) {
      systemd_notify("RELOADING=1");
      auto reloaded = load_config(args);
      if (!reloaded) {
        spdlog::error("reload failed, keeping the running config: {}", reloaded.error().describe());
      } else {
        for (const auto& key : config_keys()) {
          const auto before = value_of(config, key);
          const auto after = value_of(*reloaded, key);
          if (before == after) continue;
          if (reloadable(key)) {
            spdlog::info("reload: {} = {} (was {})", key, after, before);
          } else {
            spdlog::warn("reload: {} changed to {}: takes effect at the next start", key, after);
          }
        }
        // Only reloadable keys change; the others keep the values the engine runs with.
        const Config running = config;
        config = *reloaded;
        config.socket = running.socket;
        config.state_dir = running.state_dir;
        config.max_jobs = running.max_jobs;
        config.max_jobs_per_user = running.max_jobs_per_user;
        config.max_files_per_job = running.max_files_per_job;
        config.max_active_jobs = running.max_active_jobs;
        config.min_retry_delay_ms = running.min_retry_delay_ms;
        config.checkpoint_interval_ms = running.checkpoint_interval_ms;
        config.notify_command_timeout_ms = running.notify_command_timeout_ms;
        config.download_mode = running.download_mode;
        config.peer_listen = running.peer_listen;
        config.peers = running.peers;
        config.local_discovery = running.local_discovery;
        config.group_id = running.group_id;
        config.group_id_source = running.group_id_source;
        config.trackers = running.trackers;
        config.peer_connections = running.peer_connections;
        config.seed_time_seconds = running.seed_time_seconds;
        config.cache_max_bytes = running.cache_max_bytes;
        config.cache_max_age_hours = running.cache_max_age_hours;
        config.proxy = running.proxy;
        config.no_proxy = running.no_proxy;
        config.metrics_listen = running.metrics_listen;
        config.http_listen = running.http_listen;
        config.registry_mirror_listen = running.registry_mirror_listen;
        config.registry_upstream = running.registry_upstream;
        config.tls_ca_file = running.tls_ca_file;
        apply_reloadable(config, limits, limiter);
        // The peer policy: files that start from now on, and the upload rule and cap at once.
        if (auto applied = service->apply_policy(engine_options(config)); !applied) {
          spdlog::warn("reload: the peer policy is unchanged: {}", applied.error().describe());
        }
      }
      systemd_notify("READY=1");
    }
    if (args.mode == DaemonMode::kUser && config.idle_exit_seconds > 0) {
      const auto now = SteadyClock::now();
      if (server.connection_count() > 0) {
        idle_since = now;
      } else if (now - last_job_check >= std::chrono::seconds(1)) {
        last_job_check = now;
        if (has_work(*service)) idle_since = now;
      }
      if (now - idle_since >= std::chrono::seconds(config.idle_exit_seconds)) {
        spdlog::info("idle for {} s (no client, no active job, nothing to seed): exiting",
                     config.idle_exit_seconds);
        break;
      }
    }
  }

  systemd_notify("STOPPING=1");
  server.stop();
  metrics_listener.stop();
  http_listener.stop();
  if (registry_mirror) registry_mirror->stop();
  (void)observe_engine(*service, *metrics);
  // Transfers stop and sync; handlers still running get kUnavailable (503) from here on.
  // Queued events reach the observer before it returns: the last checkpoint has them all.
  service->shutdown();
  if (auto saved = metrics->checkpoint(); !saved) {
    spdlog::error("cannot save the metrics: {}", saved.error().describe());
  }
  handlers.join();
  const auto deadline = SteadyClock::now() + kSessionDrain;
  while (server.connection_count() > 0 && SteadyClock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  work.reset();
  io.stop();
  for (auto& thread : io_threads) thread.join();
  registry_mirror.reset();  // joins its fetchers, which saw the stop and the engine's shutdown
  spdlog::info("stopped");
  return 0;
}

}  // namespace swarmcopy::daemon
