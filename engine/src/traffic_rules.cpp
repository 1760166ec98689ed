#include "traffic_rules.h"

#include <spdlog/spdlog.h>

#include <ctime>

namespace swarmcopy::engine {
namespace {

constexpr auto kTick = std::chrono::seconds(1);
constexpr auto kSaveEvery = std::chrono::seconds(10);
constexpr std::string_view kMeasuredKey = "download_throughput_measured";
constexpr std::string_view kMonthKey = "upload_month";
constexpr std::string_view kMonthBytesKey = "upload_month_bytes";

std::uint64_t stored(JobStore& store, std::string_view name) {
  auto value = store.counter(name);
  if (!value) {
    spdlog::warn("{}", value.error().describe());
    return 0;
  }
  return value->value_or(0);
}

}  // namespace

TrafficRules::LocalTime TrafficRules::local_now() {
  const std::time_t now = std::time(nullptr);
  std::tm local{};
  ::localtime_r(&now, &local);
  return {local.tm_hour,
          static_cast<std::uint32_t>((local.tm_year + 1900) * 100 + local.tm_mon + 1)};
}

TrafficRules::TrafficRules(boost::asio::io_context& io, JobStore& store,
                           const EngineOptions& options, std::function<swarm::SwarmHub*()> hub)
    : io_(io),
      store_(store),
      options_(options),
      hub_(std::move(hub)),
      governor_(options.download_caps, stored(store, kMeasuredKey), BandwidthGovernor::Clock::now(),
                local_now().hour),
      timer_(io) {
  month_.month = static_cast<std::uint32_t>(stored(store, kMonthKey));
  month_.bytes = stored(store, kMonthBytesKey);
  saved_measured_ = governor_.measured();
  saved_month_ = month_;
  tick();
}

TrafficRules::~TrafficRules() { stop(); }

void TrafficRules::stop() {
  if (stopped_) return;
  stopped_ = true;
  timer_.cancel();
  // The last count libtorrent gave (up to a second old: what it sent since is not counted).
  if (auto* hub = hub_()) count_uploads(*hub, local_now());
  save(true);
}

void TrafficRules::apply() {
  const auto now = local_now();
  governor_.apply(options_.download_caps, BandwidthGovernor::Clock::now(), now.hour);
  ask_uploads();
}

void TrafficRules::tick() {
  if (stopped_) return;
  const auto now = local_now();
  governor_.tick(BandwidthGovernor::Clock::now(), now.hour);
  ask_uploads();
  save(false);
  timer_.expires_after(kTick);
  timer_.async_wait([this](const boost::system::error_code& ec) {
    if (!ec) tick();
  });
}

// libtorrent's count comes in an alert: asked for, it arrives within milliseconds, so that the
// upload rate set from it (SwarmHub::apply_upload_cap) follows what is left closely.
void TrafficRules::ask_uploads() {
  auto* hub = hub_();
  if (hub == nullptr) return;
  hub->session().refresh_totals([this, hub, alive = std::weak_ptr<char>(alive_)] {
    if (!alive.expired() && !stopped_ && hub_() == hub) count_uploads(*hub, local_now());
  });
}

// The session's count is since it opened; the hub (and its session) opens once, after the
// engine, and closes with it.
void TrafficRules::count_uploads(swarm::SwarmHub& hub, const LocalTime& now) {
  const auto sent = hub.session().payload_uploaded();
  if (&hub != counted_hub_) {
    counted_hub_ = &hub;
    uploaded_seen_ = 0;
  }
  month_.count(sent >= uploaded_seen_ ? sent - uploaded_seen_ : 0, now.month);
  uploaded_seen_ = sent;
  hub.set_monthly_upload_left(month_.left(options_.peer.monthly_upload_cap));
}

void TrafficRules::save(bool now) {
  const bool changed = governor_.measured() != saved_measured_ ||
                       month_.month != saved_month_.month || month_.bytes != saved_month_.bytes;
  const auto at = std::chrono::steady_clock::now();
  if (!changed || (!now && at - saved_at_ < kSaveEvery)) return;
  const std::pair<std::string_view, std::uint64_t> values[] = {{kMeasuredKey, governor_.measured()},
                                                               {kMonthKey, month_.month},
                                                               {kMonthBytesKey, month_.bytes}};
  if (auto written = store_.set_counters(values); !written) {
    spdlog::warn("{}", written.error().describe());
    return;
  }
  saved_measured_ = governor_.measured();
  saved_month_ = month_;
  saved_at_ = at;
}

}  // namespace swarmcopy::engine
