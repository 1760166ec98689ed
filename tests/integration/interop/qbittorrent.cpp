#include "qbittorrent.h"

#include <unistd.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/address_v4.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <cctype>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <sstream>
#include <thread>

#include "../swarm/swarm_fixture.h"

namespace swarmcopy::test {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace fs = std::filesystem;
using namespace std::chrono_literals;

constexpr auto kRequestTimeout = 10s;
constexpr auto kStartTimeout = 30s;
constexpr auto kPollInterval = 100ms;
constexpr int kStartAttempts = 3;

std::string read_text(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

// One request on its own connection, every step under one deadline.
std::expected<std::string, std::string> exchange(std::uint16_t port,
                                                 http::request<http::string_body> request,
                                                 unsigned& status) {
  asio::io_context io;
  beast::tcp_stream stream(io);
  beast::flat_buffer buffer;
  http::response<http::string_body> response;
  beast::error_code failure;
  stream.expires_after(kRequestTimeout);
  stream.async_connect(
      asio::ip::tcp::endpoint(asio::ip::address_v4::loopback(), port),
      [&](beast::error_code connected) {
        if (connected) {
          failure = connected;
          return;
        }
        http::async_write(stream, request, [&](beast::error_code written, std::size_t) {
          if (written) {
            failure = written;
            return;
          }
          http::async_read(stream, buffer, response,
                           [&](beast::error_code read, std::size_t) { failure = read; });
        });
      });
  io.run();
  if (failure) return std::unexpected(failure.message());
  status = response.result_int();
  return std::move(response.body());
}

// application/x-www-form-urlencoded value.
std::string form_encode(const std::string& text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (const unsigned char c : text) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 0x0f];
    }
  }
  return out;
}

// The profile: qBittorrent 4.5's own keys (it migrates older ones, so a key misspelt here is
// silently ignored; the test reads the effective preferences back to be sure).
void write_profile(const fs::path& profile, std::uint16_t peer_port, std::uint16_t webui_port) {
  fs::create_directories(profile / "qBittorrent" / "config");
  std::ofstream conf(profile / "qBittorrent" / "config" / "qBittorrent.conf");
  conf << "[LegalNotice]\n"
          "Accepted=true\n"
          "\n"
          "[BitTorrent]\n"
          "Session\\Port="
       << peer_port
       << "\n"
          "Session\\InterfaceAddress=127.0.0.1\n"
          "Session\\DHTEnabled=false\n"
          "Session\\PeXEnabled=false\n"
          "Session\\LSDEnabled=false\n"
          "Session\\QueueingSystemEnabled=false\n"
          "\n"
          "[Network]\n"
          "PortForwardingEnabled=false\n"
          "\n"
          "[Preferences]\n"
          "WebUI\\Address=127.0.0.1\n"
          "WebUI\\Port="
       << webui_port
       << "\n"
          "WebUI\\LocalHostAuth=false\n"
          "Connection\\ResolvePeerCountries=false\n"
          "General\\Locale=en\n";
}

}  // namespace

fs::path Qbittorrent::program() {
  if (const char* chosen = std::getenv("SWARMCOPY_TEST_QBITTORRENT_NOX"); chosen && *chosen) {
    return ::access(chosen, X_OK) == 0 ? fs::path(chosen) : fs::path();
  }
  const char* path = std::getenv("PATH");
  std::stringstream dirs(path != nullptr ? path : "/usr/bin:/bin");
  for (std::string dir; std::getline(dirs, dir, ':');) {
    const fs::path candidate = fs::path(dir.empty() ? "." : dir) / "qbittorrent-nox";
    if (::access(candidate.c_str(), X_OK) == 0) return candidate;
  }
  return {};
}

std::expected<std::unique_ptr<Qbittorrent>, std::string> Qbittorrent::start(
    const fs::path& program, const fs::path& profile) {
  std::string why;
  for (int attempt = 0; attempt < kStartAttempts; ++attempt) {
    std::unique_ptr<Qbittorrent> qbt(new Qbittorrent());
    qbt->profile_ = profile / ("attempt-" + std::to_string(attempt));
    qbt->peer_port_ = free_loopback_port();
    qbt->webui_port_ = free_loopback_port();
    if (qbt->peer_port_ == 0 || qbt->webui_port_ == 0 || qbt->peer_port_ == qbt->webui_port_) {
      why = "no two free loopback ports";
      continue;
    }
    write_profile(qbt->profile_, qbt->peer_port_, qbt->webui_port_);
    auto spawned = ChildProcess::spawn({program.string(), "--profile=" + qbt->profile_.string()});
    if (!spawned) return std::unexpected(program.string() + ": " + spawned.error());
    qbt->process_ = std::move(*spawned);
    if (qbt->wait_until_ready(kStartTimeout, why)) return qbt;
    why += "\n" + qbt->log_tail();
    qbt->stop();
  }
  return std::unexpected(program.string() + " did not start: " + why);
}

Qbittorrent::~Qbittorrent() { stop(); }

bool Qbittorrent::wait_until_ready(std::chrono::milliseconds timeout, std::string& why) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  const auto listening = "Successfully listening on IP. IP: \"127.0.0.1\". Port: \"TCP/" +
                         std::to_string(peer_port_) + "\"";
  while (std::chrono::steady_clock::now() < deadline) {
    const auto log = log_tail(1 << 20);
    if (log.find("Unable to bind") != std::string::npos ||
        log.find("Failed to listen") != std::string::npos) {
      why = "a port was taken";
      return false;
    }
    if (log.find(listening) != std::string::npos) {
      if (auto version = get("/api/v2/app/version"); version && version->status == 200) {
        version_ = version->body;
        return true;
      }
    }
    // A process that died early never logs "listening": the deadline covers that case too.
    std::this_thread::sleep_for(kPollInterval);
  }
  why = "neither its Web API on port " + std::to_string(webui_port_) + " nor its peer port " +
        std::to_string(peer_port_) + " ready within " + std::to_string(timeout.count()) + " ms";
  return false;
}

std::expected<Qbittorrent::Response, std::string> Qbittorrent::get(
    const std::string& target) const {
  http::request<http::string_body> request{http::verb::get, target, 11};
  request.set(http::field::host, "127.0.0.1:" + std::to_string(webui_port_));
  Response response;
  auto body = exchange(webui_port_, std::move(request), response.status);
  if (!body) return std::unexpected("GET " + target + ": " + body.error());
  response.body = std::move(*body);
  return response;
}

std::expected<Qbittorrent::Response, std::string> Qbittorrent::post(const std::string& target,
                                                                    const std::string& content_type,
                                                                    std::string body) const {
  http::request<http::string_body> request{http::verb::post, target, 11};
  request.set(http::field::host, "127.0.0.1:" + std::to_string(webui_port_));
  if (!content_type.empty()) request.set(http::field::content_type, content_type);
  request.body() = std::move(body);
  request.prepare_payload();
  Response response;
  auto answer = exchange(webui_port_, std::move(request), response.status);
  if (!answer) return std::unexpected("POST " + target + ": " + answer.error());
  response.body = std::move(*answer);
  return response;
}

std::expected<void, std::string> Qbittorrent::add_torrent(const fs::path& torrent,
                                                          const fs::path& save_path) {
  const std::string boundary = "swarmcopy-test-9f2c1e7a5b";
  std::string body;
  const auto field = [&](const std::string& name, const std::string& value) {
    body += "--" + boundary + "\r\nContent-Disposition: form-data; name=\"" + name + "\"\r\n\r\n" +
            value + "\r\n";
  };
  body += "--" + boundary + "\r\nContent-Disposition: form-data; name=\"torrents\"; filename=\"" +
          torrent.filename().string() + "\"\r\nContent-Type: application/x-bittorrent\r\n\r\n" +
          read_text(torrent) + "\r\n";
  field("savepath", save_path.string());
  field("autoTMM", "false");
  field("paused", "false");
  field("skip_checking", "false");
  body += "--" + boundary + "--\r\n";
  auto response =
      post("/api/v2/torrents/add", "multipart/form-data; boundary=" + boundary, std::move(body));
  if (!response) return std::unexpected(response.error());
  // 4.5 answers 200 either way, "Ok." or "Fails." (a torrent it already has, a bad file).
  if (response->status != 200 || response->body != "Ok.") {
    return std::unexpected("POST /api/v2/torrents/add: " + std::to_string(response->status) + " " +
                           response->body);
  }
  return {};
}

std::expected<nlohmann::json, std::string> Qbittorrent::torrents() {
  auto response = get("/api/v2/torrents/info");
  if (!response) return std::unexpected(response.error());
  auto json = nlohmann::json::parse(response->body, nullptr, false);
  if (response->status != 200 || !json.is_array()) {
    return std::unexpected("GET /api/v2/torrents/info: " + std::to_string(response->status) + " " +
                           response->body);
  }
  return json;
}

std::expected<void, std::string> Qbittorrent::add_peer(const std::string& hash,
                                                       const std::string& peer) {
  auto response = post("/api/v2/torrents/addPeers", "application/x-www-form-urlencoded",
                       "hashes=" + form_encode(hash) + "&peers=" + form_encode(peer));
  if (!response) return std::unexpected(response.error());
  if (response->status != 200) {
    return std::unexpected("POST /api/v2/torrents/addPeers: " + std::to_string(response->status) +
                           " " + response->body);
  }
  return {};
}

std::expected<nlohmann::json, std::string> Qbittorrent::peers(const std::string& hash) {
  auto response = get("/api/v2/sync/torrentPeers?rid=0&hash=" + form_encode(hash));
  if (!response) return std::unexpected(response.error());
  auto json = nlohmann::json::parse(response->body, nullptr, false);
  if (response->status != 200 || json.is_discarded()) {
    return std::unexpected("GET /api/v2/sync/torrentPeers: " + std::to_string(response->status) +
                           " " + response->body);
  }
  return json;
}

std::string Qbittorrent::log_tail(std::size_t max_bytes) const {
  const auto log = read_text(profile_ / "qBittorrent" / "data" / "logs" / "qbittorrent.log");
  return log.size() <= max_bytes ? log : log.substr(log.size() - max_bytes);
}

void Qbittorrent::stop() {
  if (!process_) return;
  // Asked first, so that it exits cleanly (saves nothing we need; leaves no half-written files
  // for TestDir to trip over); wait() kills it when it has not exited by then.
  (void)post("/api/v2/app/shutdown", "", "");
  process_->wait(15s);
  process_.reset();
}

}  // namespace swarmcopy::test
