#include "swarmcopy/apt/method.h"

#include <grp.h>
#include <poll.h>
#include <pwd.h>
#include <sys/prctl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "swarmcopy/apt/acquire_request.h"
#include "swarmcopy/apt/daemon_fetcher.h"
#include "swarmcopy/apt/http_date.h"
#include "swarmcopy/apt/http_fetcher.h"

namespace swarmcopy::apt {
namespace {

void add_hashes(Message& message, const FileHashes& hashes) {
  // The names apt's own methods use ("MD5-Hash" is the very old name of "MD5Sum-Hash").
  message.add("MD5-Hash", hashes.md5)
      .add("MD5Sum-Hash", hashes.md5)
      .add("SHA1-Hash", hashes.sha1)
      .add("SHA256-Hash", hashes.sha256)
      .add("SHA512-Hash", hashes.sha512)
      .add("Checksum-FileSize-Hash", std::to_string(hashes.size));
}

}  // namespace

std::string drop_privileges(const MethodConfig& config) {
  if (config.no_drop_privs) return {};
  ::prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);  // as apt: no setuid program regains root
  if (config.sandbox_user.empty() || config.sandbox_user == "root" || ::getuid() != 0) return {};
  struct passwd* pw = ::getpwnam(config.sandbox_user.c_str());
  if (pw == nullptr) return "No user " + config.sandbox_user + ", can not drop rights";
  if (::setgroups(1, &pw->pw_gid) != 0) return std::string("setgroups: ") + std::strerror(errno);
  if (::setresgid(pw->pw_gid, pw->pw_gid, pw->pw_gid) != 0) {
    return std::string("setresgid: ") + std::strerror(errno);
  }
  if (::setresuid(pw->pw_uid, pw->pw_uid, pw->pw_uid) != 0) {
    return std::string("setresuid: ") + std::strerror(errno);
  }
  if (::setuid(0) == 0) return "Could drop privileges, but could regain root";
  return {};
}

Method::Method(int in_fd, int out_fd, const volatile std::sig_atomic_t* stop)
    : in_fd_(in_fd), out_fd_(out_fd), stop_(stop) {}

Method::~Method() = default;

void Method::send(const Message& message) {
  const auto text = format_message(message);
  std::size_t done = 0;
  while (done < text.size()) {
    const auto n = ::write(out_fd_, text.data() + done, text.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return;  // apt went away: the next read sees EOF
    done += static_cast<std::size_t>(n);
  }
}

void Method::log(const std::string& text) {
  if (config_.debug) send(Message{101, "Log", {{"Message", text}}});
}

bool Method::pump(std::chrono::milliseconds timeout) {
  if (eof_ || stopped()) return false;
  pollfd pfd{in_fd_, POLLIN, 0};
  const int ready = ::poll(&pfd, 1, static_cast<int>(timeout.count()));
  if (stopped()) return false;  // a signal interrupts the poll
  if (ready <= 0) return true;
  char buffer[65536];
  const auto n = ::read(in_fd_, buffer, sizeof buffer);
  if (n < 0) return errno == EINTR || errno == EAGAIN;
  if (n == 0) {
    eof_ = true;
    return false;
  }
  reader_.feed(std::string_view(buffer, static_cast<std::size_t>(n)));
  return true;
}

int Method::run() {
  send(Message{100,
               "Capabilities",
               {{"Version", "1.2"},
                {"Single-Instance", "false"},
                {"Pipeline", "true"},
                {"Send-Config", "true"}}});
  while (true) {
    auto next = reader_.next();
    if (stopped()) return 100;
    if (!next) {
      if (eof_) return 0;
      pump(std::chrono::milliseconds(-1));
      continue;
    }
    if (!*next) {
      const auto& bad = next->error();
      if (bad.uri) {
        send(
            Message{400,
                    "URI Failure",
                    {{"URI", *bad.uri}, {"Message", "Malformed message from apt: " + bad.reason}}});
      } else {
        send(Message{
            401, "General Failure", {{"Message", "Malformed message from apt: " + bad.reason}}});
      }
      continue;
    }
    const Message& message = **next;
    if (message.code == 601) {
      if (!configure(message)) return 100;
    } else if (message.code == 600) {
      acquire(message);
    } else {
      // Other messages (e.g. 602 Media Changed) mean nothing to a network method.
      log("ignored message " + std::to_string(message.code) + " " + message.status);
    }
  }
}

bool Method::configure(const Message& message) {
  apply_configuration(message, config_);
  if (auto error = drop_privileges(config_); !error.empty()) {
    send(Message{401, "General Failure", {{"Message", error}}});
    return false;
  }
  return true;
}

void Method::acquire(const Message& message) {
  if (!http_) http_ = std::make_unique<HttpFetcher>(config_);
  if (!daemon_) {
    daemon_ = std::make_unique<DaemonFetcher>(config_, [this](const std::string& t) { log(t); });
  }
  auto request = parse_acquire(message);
  if (!request) {
    send(
        Message{400,
                "URI Failure",
                {{"URI", message.get("URI").value_or("<UNKNOWN>")}, {"Message", request.error()}}});
    return;
  }
  if (daemon_->wants(*request)) {
    bool started = false;
    auto result = daemon_->fetch(
        *request,
        [&](std::optional<std::uint64_t> size) {
          started = true;
          Message start{200, "URI Start", {{"URI", request->uri}}};
          if (size && *size > 0) start.add("Size", std::to_string(*size));
          send(start);
        },
        [&](std::uint64_t bytes) {
          // apt shows it in its progress line, as "[Connecting to ...]" from its http method.
          std::string text = "swarmcopyd: " + std::to_string(bytes >> 10) + " KiB";
          if (request->expected_size && *request->expected_size > 0) {
            text += " (" + std::to_string(bytes * 100 / *request->expected_size) + "%)";
          }
          send(Message{102, "Status", {{"URI", request->uri}, {"Message", text}}});
        },
        [this](std::chrono::milliseconds wait) { return pump(wait); });
    if (result) {
      Message done{201, "URI Done", {{"URI", request->uri}, {"Filename", request->filename}}};
      if (result->hashes.size > 0) done.add("Size", std::to_string(result->hashes.size));
      add_hashes(done, result->hashes);
      send(done);
      return;
    }
    if (eof_ || stopped()) return;  // apt has gone or interrupted us: nobody to answer
    log("fetching directly: " + result.error());
  }
  fetch_directly(*request);
}

void Method::fetch_directly(const AcquireRequest& request) {
  auto result = http_->fetch(
      request, stop_,
      [&](std::optional<std::uint64_t> size, std::optional<std::time_t> last_modified) {
        Message start{200, "URI Start", {{"URI", request.uri}}};
        if (size && *size > 0) start.add("Size", std::to_string(*size));
        if (last_modified) start.add("Last-Modified", format_http_date(*last_modified));
        send(start);
      });
  if (!result) {
    Message failure{
        400, "URI Failure", {{"URI", request.uri}, {"Message", result.error().message}}};
    failure.add("FailReason", result.error().fail_reason);
    if (result.error().transient) failure.add("Transient-Failure", "true");
    send(failure);
    return;
  }
  Message done{201, "URI Done", {{"URI", request.uri}, {"Filename", request.filename}}};
  if (result->ims_hit) {
    if (result->last_modified) done.add("Last-Modified", format_http_date(*result->last_modified));
    done.add("IMS-Hit", "true");
    send(done);
    return;
  }
  if (result->hashes.size > 0) done.add("Size", std::to_string(result->hashes.size));
  if (result->last_modified) done.add("Last-Modified", format_http_date(*result->last_modified));
  add_hashes(done, result->hashes);
  send(done);
}

}  // namespace swarmcopy::apt
