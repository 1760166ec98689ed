#include "progress_bar.h"

#include <sys/ioctl.h>
#include <unistd.h>

#include <algorithm>

#include <fmt/format.h>

#include "error_text.h"
#include "format_units.h"

namespace swarmcopy::cli {
namespace {

constexpr std::size_t kBarCells = 24;
constexpr std::size_t kDefaultWidth = 80;

std::string bar_cells(double fraction) {
  const auto filled = static_cast<std::size_t>(std::clamp(fraction, 0.0, 1.0) * kBarCells);
  return "[" + std::string(filled, '#') + std::string(kBarCells - filled, '-') + "]";
}

// Cuts at a column count; the line is ASCII except for names from the engine's messages,
// so cutting inside a UTF-8 sequence is possible but only garbles the last column.
std::string cut(std::string text, std::size_t width) {
  if (text.size() > width) text.resize(width);
  return text;
}

void write_all(int fd, const std::string& text) {
  const char* data = text.data();
  std::size_t left = text.size();
  while (left > 0) {
    const ssize_t n = ::write(fd, data, left);
    if (n <= 0) return;  // a progress bar is not worth an error: give up on this frame
    data += n;
    left -= static_cast<std::size_t>(n);
  }
}

}  // namespace

std::string ProgressBar::render(const api::JobInfo& info, double rate, std::size_t width) {
  const auto done = info.progress.bytes_transferred;
  const auto& total = info.progress.bytes_total;
  std::string line;
  if (total && *total > 0) {
    const double fraction = static_cast<double>(done) / static_cast<double>(*total);
    line = fmt::format("{:3}% {} {} / {}", static_cast<int>(std::min(fraction, 1.0) * 100),
                       bar_cells(fraction), format_bytes(done), format_bytes(*total));
  } else {
    line = fmt::format("     {}", format_bytes(done));
  }
  line += "  " + format_rate(rate);
  // An origin that sends the whole file to a Range request cannot resume: what came before an
  // interruption is fetched again. Said before the rest, which a narrow terminal cuts first.
  bool ignores_range = false;
  std::uint64_t refetched = 0;
  for (const auto& file : info.files) {
    if (file.completed) continue;
    ignores_range = ignores_range || file.origin_ignores_range;
    refetched += file.refetched;
  }
  if (ignores_range) {
    line += refetched > 0 ? "  origin ignores Range: restarted from 0"
                          : "  origin ignores Range: no resume";
  }
  // The peer share, once peers are in play: what the swarm saves the origin.
  std::uint64_t from_peers = 0, from_all = 0;
  std::uint32_t connected = 0;
  for (const auto& file : info.files) {
    from_peers += file.from_peers;
    from_all += file.from_peers + file.from_origin + file.from_cache;
    connected += file.peers_connected;
  }
  if (from_peers > 0 || connected > 0) {
    line += fmt::format("  peers {}% ({})",
                        from_all > 0 ? static_cast<int>(100.0 * static_cast<double>(from_peers) /
                                                        static_cast<double>(from_all))
                                     : 0,
                        connected);
  }
  if (total && rate > 0 && *total > done) {
    const auto seconds = static_cast<std::int64_t>(static_cast<double>(*total - done) / rate);
    line += "  ETA " + format_duration(std::chrono::seconds(seconds));
  }
  if (info.state == api::JobState::kTransientError) {
    line += "  retrying: ";
    line += info.error ? error_text(*info.error) : std::string("transient error");
  } else if (info.state != api::JobState::kTransferring) {
    line += "  ";
    line += api::to_string(info.state);
  }
  return cut(std::move(line), width);
}

void ProgressBar::update(const api::JobInfo& info, RateMeter::Clock::time_point now) {
  meter_.add(now, info.progress.bytes_transferred);
  if (!enabled_) return;
  // One column is kept free: writing the last column makes some terminals wrap at once.
  draw(render(info, meter_.rate(), terminal_width() - 1));
}

void ProgressBar::finish() {
  if (!enabled_ || !drawn_) return;
  write_all(fd_, "\n");
  drawn_ = false;
}

void ProgressBar::draw(const std::string& line) {
  // "\x1b[K" clears what a longer previous frame left to the right.
  write_all(fd_, "\r" + line + "\x1b[K");
  drawn_ = true;
}

std::size_t ProgressBar::terminal_width() const {
  winsize size{};
  if (::ioctl(fd_, TIOCGWINSZ, &size) == 0 && size.ws_col > 10) return size.ws_col;
  return kDefaultWidth;
}

}  // namespace swarmcopy::cli
