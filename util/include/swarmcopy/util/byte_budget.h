// ByteBudget: a download rate shared by everything that draws on it — a token bucket that may
// go into debt. Bytes are charged as they arrive (take), whoever sent them; a taker that can
// wait (an HTTP request, paused by curl) waits while the budget is in debt; one that cannot
// (libtorrent, which reads from its peers on its own) is held to share() instead and its bytes
// are charged afterwards, so what it took delays the waiting ones. Over any stretch of time the
// bytes taken stay within rate × time plus one burst.
//
// A budget may have a parent (a job's own cap inside its class's cap): take() charges both,
// wait() and share() honour both. Rate 0 means no cap; an uncapped budget still counts what it
// is charged (taken()), which is how the engine measures its download throughput.
//
// Not thread-safe: one thread (the engine's) owns every budget of an engine.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>

namespace swarmcopy::util {

class ByteBudget {
 public:
  using Clock = std::chrono::steady_clock;

  explicit ByteBudget(std::uint64_t bytes_per_second = 0, std::shared_ptr<ByteBudget> parent = {});

  // A new rate, from `now` on (what was taken before is not re-priced). 0: no cap.
  void set_rate(std::uint64_t bytes_per_second, Clock::time_point now = Clock::now());
  std::uint64_t rate() const { return rate_; }
  const std::shared_ptr<ByteBudget>& parent() const { return parent_; }

  // Charges `bytes` that arrived (here and in the parent), even beyond what the rate allows:
  // the debt delays the next waiting taker.
  void take(std::uint64_t bytes, Clock::time_point now = Clock::now());
  // How long a taker that can wait should wait before taking more: zero unless this budget or
  // its parent is in debt.
  Clock::duration wait(Clock::time_point now = Clock::now()) const;

  // The rate one of this budget's users may take on its own (rate / users, and no more than
  // the parent's share); 0: no cap anywhere up the chain.
  std::uint64_t share() const;

  // Bytes charged since the budget was made (its own takers and its children's).
  std::uint64_t taken() const { return taken_; }

  // Counts one user of the budget (and of its parent) while it lives: share() divides the rate
  // among the users.
  class User {
   public:
    User() = default;
    explicit User(std::shared_ptr<ByteBudget> budget);
    ~User();
    User(User&& other) noexcept;
    User& operator=(User&& other) noexcept;
    User(const User&) = delete;
    User& operator=(const User&) = delete;

   private:
    std::shared_ptr<ByteBudget> budget_;
  };

 private:
  // Brings the balance up to `now`: rate × elapsed, no more than one burst ahead.
  void refill(Clock::time_point now);
  std::uint64_t burst() const;
  void add_user(int delta);

  std::uint64_t rate_ = 0;
  std::shared_ptr<ByteBudget> parent_;
  double balance_ = 0;  // bytes; negative: debt
  Clock::time_point updated_{};
  std::uint64_t taken_ = 0;
  int users_ = 0;
};

}  // namespace swarmcopy::util
