#include "swarmcopy/util/byte_budget.h"

#include <algorithm>
#include <utility>

namespace swarmcopy::util {
namespace {

// A quarter of a second's worth may arrive at once (at least 16 KiB: curl's smallest buffer):
// short enough that a cap is felt within a second, long enough not to pause on every buffer.
constexpr std::uint64_t kMinBurst = 16 * 1024;

double seconds(ByteBudget::Clock::duration d) { return std::chrono::duration<double>(d).count(); }

}  // namespace

ByteBudget::ByteBudget(std::uint64_t bytes_per_second, std::shared_ptr<ByteBudget> parent)
    : rate_(bytes_per_second), parent_(std::move(parent)), updated_(Clock::now()) {
  balance_ = static_cast<double>(burst());
}

std::uint64_t ByteBudget::burst() const { return std::max(rate_ / 4, kMinBurst); }

void ByteBudget::refill(Clock::time_point now) {
  if (now > updated_ && rate_ > 0) {
    balance_ = std::min(balance_ + static_cast<double>(rate_) * seconds(now - updated_),
                        static_cast<double>(burst()));
  }
  updated_ = std::max(updated_, now);
}

void ByteBudget::set_rate(std::uint64_t bytes_per_second, Clock::time_point now) {
  refill(now);
  rate_ = bytes_per_second;
  // Uncapped, nothing is owed; capped anew, at most one burst is ahead.
  balance_ = rate_ == 0 ? 0 : std::min(balance_, static_cast<double>(burst()));
}

void ByteBudget::take(std::uint64_t bytes, Clock::time_point now) {
  taken_ += bytes;
  if (rate_ > 0) {
    refill(now);
    balance_ -= static_cast<double>(bytes);
  }
  if (parent_) parent_->take(bytes, now);
}

ByteBudget::Clock::duration ByteBudget::wait(Clock::time_point now) const {
  Clock::duration own{0};
  if (rate_ > 0) {
    const double elapsed = now > updated_ ? seconds(now - updated_) : 0.0;
    const double balance = balance_ + static_cast<double>(rate_) * elapsed;
    if (balance < 0) {
      own = std::chrono::duration_cast<Clock::duration>(
          std::chrono::duration<double>(-balance / static_cast<double>(rate_)));
    }
  }
  return parent_ ? std::max(own, parent_->wait(now)) : own;
}

std::uint64_t ByteBudget::share() const {
  std::uint64_t own = rate_ == 0 ? 0 : std::max<std::uint64_t>(rate_ / std::max(users_, 1), 1);
  const std::uint64_t above = parent_ ? parent_->share() : 0;
  if (own == 0) return above;
  return above == 0 ? own : std::min(own, above);
}

void ByteBudget::add_user(int delta) {
  users_ += delta;
  if (parent_) parent_->add_user(delta);
}

ByteBudget::User::User(std::shared_ptr<ByteBudget> budget) : budget_(std::move(budget)) {
  if (budget_) budget_->add_user(1);
}

ByteBudget::User::~User() {
  if (budget_) budget_->add_user(-1);
}

ByteBudget::User::User(User&& other) noexcept : budget_(std::exchange(other.budget_, {})) {}

ByteBudget::User& ByteBudget::User::operator=(User&& other) noexcept {
  if (this != &other) {
    if (budget_) budget_->add_user(-1);
    budget_ = std::exchange(other.budget_, {});
  }
  return *this;
}

}  // namespace swarmcopy::util
