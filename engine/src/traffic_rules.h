// TrafficRules: the engine's once-a-second look at its traffic. It runs the download caps
// (BandwidthGovernor: the classes' budgets, the measured throughput) and the monthly upload cap
// (UploadMonth: the bytes the peer session sent this month, and what the cap still allows,
// handed to the swarm hub). What must outlive a restart — the measured throughput, the month's
// count — is kept in the job store (written at most every 10 s, and at stop).
//
// Engine thread only.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>

#include "bandwidth_governor.h"
#include "job_store.h"
#include "swarm/swarm_hub.h"
#include "swarmcopy/engine/engine_options.h"
#include "upload_month.h"

namespace swarmcopy::engine {

class TrafficRules {
 public:
  // `hub`: the engine's swarm hub if it is open (never opens it); null otherwise.
  TrafficRules(boost::asio::io_context& io, JobStore& store, const EngineOptions& options,
               std::function<swarm::SwarmHub*()> hub);
  ~TrafficRules();
  TrafficRules(const TrafficRules&) = delete;
  TrafficRules& operator=(const TrafficRules&) = delete;

  // Saves what must outlive the engine and stops ticking.
  void stop();
  // The running policy changed (options_ already holds it): applied now.
  void apply();
  // The engine's swarm hub just opened: the month's upload cap applies to it at once.
  void hub_opened(swarm::SwarmHub& hub) { count_uploads(hub, local_now()); }

  std::shared_ptr<util::ByteBudget> budget_for(bool foreground, std::uint64_t job_cap) const {
    return governor_.budget_for(foreground, job_cap);
  }
  const EffectiveCap& cap(bool foreground) const { return governor_.cap(foreground); }

 private:
  struct LocalTime {
    int hour = 0;
    std::uint32_t month = 0;  // year * 100 + month
  };
  static LocalTime local_now();
  void tick();
  void ask_uploads();
  void count_uploads(swarm::SwarmHub& hub, const LocalTime& now);
  void save(bool now);

  boost::asio::io_context& io_;
  JobStore& store_;
  const EngineOptions& options_;
  std::function<swarm::SwarmHub*()> hub_;
  BandwidthGovernor governor_;
  UploadMonth month_;
  swarm::SwarmHub* counted_hub_ = nullptr;  // whose session's count uploaded_seen_ is
  std::uint64_t uploaded_seen_ = 0;
  std::uint64_t saved_measured_ = 0;
  UploadMonth saved_month_;
  std::chrono::steady_clock::time_point saved_at_{};
  boost::asio::steady_timer timer_;
  bool stopped_ = false;
  std::shared_ptr<char> alive_ = std::make_shared<char>();
};

}  // namespace swarmcopy::engine
