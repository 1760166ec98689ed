#include "nginx/nginx_server.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <optional>
#include <sstream>
#include <utility>

#include "wait/wait_until.h"

namespace swarmcopy::test {
namespace {

// How often start() and the other waits look again: short enough not to slow tests down, the
// waits themselves are bounded by deadlines.
constexpr std::chrono::milliseconds kPollInterval{10};
constexpr std::chrono::seconds kStopGrace{3};
constexpr int kPortAttempts = 5;

class Fd {
 public:
  explicit Fd(int fd) : fd_(fd) {}
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  ~Fd() {
    if (fd_ >= 0) ::close(fd_);
  }
  int get() const { return fd_; }

 private:
  int fd_;
};

std::string errno_text(const char* what) { return std::string(what) + ": " + std::strerror(errno); }

std::string read_text(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

sockaddr_in loopback(std::uint16_t port) {
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(port);
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  return address;
}

// A port the kernel just handed out for 127.0.0.1. Someone may take it before nginx binds it:
// start() then sees nginx fail with EADDRINUSE and tries another.
std::expected<std::uint16_t, std::string> free_port() {
  Fd socket_fd(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (socket_fd.get() < 0) return std::unexpected(errno_text("socket"));
  sockaddr_in address = loopback(0);
  if (::bind(socket_fd.get(), reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) {
    return std::unexpected(errno_text("bind"));
  }
  socklen_t length = sizeof address;
  if (::getsockname(socket_fd.get(), reinterpret_cast<sockaddr*>(&address), &length) != 0) {
    return std::unexpected(errno_text("getsockname"));
  }
  return ntohs(address.sin_port);
}

bool accepts_connections(std::uint16_t port) {
  Fd socket_fd(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (socket_fd.get() < 0) return false;
  sockaddr_in address = loopback(port);
  return ::connect(socket_fd.get(), reinterpret_cast<sockaddr*>(&address), sizeof address) == 0;
}

// nginx strings in double quotes: paths may hold spaces.
std::string quoted(const std::filesystem::path& path) { return "\"" + path.string() + "\""; }

std::string config_text(const std::filesystem::path& prefix, const std::filesystem::path& docroot,
                        std::uint16_t port, const NginxOptions& options) {
  const auto logs = prefix / "logs";
  const auto temp = prefix / "temp";
  std::ostringstream conf;
  conf << "master_process off;\n"
       << "worker_processes 1;\n"
       << "error_log " << quoted(logs / "error.log") << " info;\n"
       << "pid " << quoted(logs / "nginx.pid") << ";\n"
       << "events { worker_connections 512; }\n"
       << "http {\n"
       << "  default_type application/octet-stream;\n"
       << "  sendfile on;\n"
       << "  keepalive_timeout 30s;\n"
       << "  log_format swarmcopy_test '$status\\t$body_bytes_sent\\t$request\\t$http_range';\n"
       << "  access_log " << quoted(logs / "access.log")
       << " swarmcopy_test;\n"
       // nginx creates its compiled-in temp paths (/var/lib/nginx/...) unless told otherwise.
       << "  client_body_temp_path " << quoted(temp / "body") << ";\n"
       << "  proxy_temp_path " << quoted(temp / "proxy") << ";\n"
       << "  fastcgi_temp_path " << quoted(temp / "fastcgi") << ";\n"
       << "  uwsgi_temp_path " << quoted(temp / "uwsgi") << ";\n"
       << "  scgi_temp_path " << quoted(temp / "scgi") << ";\n"
       << options.http_config << "\n"
       << "  server {\n"
       << "    listen 127.0.0.1:" << port << ";\n"
       << "    server_name localhost;\n"
       << "    root " << quoted(docroot) << ";\n"
       << options.server_config << "\n"
       << "  }\n"
       // How many connections nginx holds (wait_until_idle), on a socket of its own: no port,
       // and nothing in the access log.
       << "  server {\n"
       << "    listen " << quoted("unix:" + (prefix / "status.sock").string()) << ";\n"
       << "    access_log off;\n"
       << "    location / { stub_status; }\n"
       << "  }\n"
       << "}\n";
  return conf.str();
}

// nginx in the foreground, its stdout and stderr (before it reads its config) appended to
// logs/stderr.log.
std::expected<std::unique_ptr<ChildProcess>, std::string> spawn_nginx(
    const NginxOptions& options, const std::filesystem::path& prefix) {
  const std::string conf = (prefix / "conf" / "nginx.conf").string();
  // -e: nginx would otherwise open its compiled-in error log before reading the config.
  const std::string error_log = (prefix / "logs" / "error.log").string();
  return ChildProcess::spawn({options.binary.string(), "-p", prefix.string() + "/", "-c", conf,
                              "-e", error_log, "-g", "daemon off;"},
                             {.log = prefix / "logs" / "stderr.log"});
}

enum class Readiness { kReady, kExited, kTimedOut };

Readiness wait_ready(ChildProcess& nginx, std::uint16_t port, const std::filesystem::path& pid_file,
                     std::chrono::milliseconds timeout) {
  bool exited = false;
  const bool ready = wait_until(
      [&] {
        if (!nginx.running()) {
          exited = true;
          return true;
        }
        // nginx writes its pid file after it has bound its sockets: with the pid matching, the
        // connection went to our nginx and not to whoever else might own the port.
        return read_text(pid_file).starts_with(std::to_string(nginx.pid())) &&
               accepts_connections(port);
      },
      timeout, kPollInterval);
  if (exited) return Readiness::kExited;
  return ready ? Readiness::kReady : Readiness::kTimedOut;
}

std::expected<TestDir, std::string> make_prefix() {
  auto prefix = TestDir::make("swarmcopy-nginx-");
  if (!prefix) return prefix;
  for (const char* sub : {"conf", "logs", "temp", "html"}) {
    std::error_code ec;
    std::filesystem::create_directories(prefix->path() / sub, ec);
    if (ec) return std::unexpected("mkdir " + (*prefix / sub).string() + ": " + ec.message());
  }
  return prefix;
}

}  // namespace

std::expected<std::unique_ptr<NginxServer>, std::string> NginxServer::start(NginxOptions options) {
  auto prefix = make_prefix();
  if (!prefix) return std::unexpected(prefix.error());
  std::unique_ptr<NginxServer> server(new NginxServer(std::move(*prefix)));  // private
  server->docroot_ = options.docroot.empty() ? server->prefix() / "html" : options.docroot;

  std::string last_failure;
  for (int attempt = 0; attempt < kPortAttempts; ++attempt) {
    auto port = free_port();
    if (!port) return std::unexpected(port.error());
    {
      std::ofstream conf(server->prefix() / "conf" / "nginx.conf", std::ios::trunc);
      conf << config_text(server->prefix(), server->docroot_, *port, options);
      if (!conf) return std::unexpected("cannot write the nginx configuration");
    }
    std::error_code ignored;
    std::filesystem::remove(server->prefix() / "logs" / "nginx.pid", ignored);
    auto nginx = spawn_nginx(options, server->prefix());
    if (!nginx) return std::unexpected(nginx.error());

    const auto readiness =
        wait_ready(**nginx, *port, server->prefix() / "logs" / "nginx.pid", options.start_timeout);
    if (readiness == Readiness::kReady) {
      server->process_ = std::move(*nginx);
      server->port_ = *port;
      return server;
    }
    nginx->reset();  // killed and reaped when it did not exit by itself
    last_failure = read_text(server->prefix() / "logs" / "stderr.log") + server->error_log();
    if (readiness == Readiness::kTimedOut ||
        last_failure.find("Address already in use") == std::string::npos) {
      break;
    }
  }
  return std::unexpected("nginx did not start; its log:\n" + last_failure);
}

NginxServer::NginxServer(TestDir prefix) : prefix_(std::move(prefix)) {}

// stop() first; then the prefix goes (a member), unless SWARMCOPY_KEEP_TEST_DIRS keeps it.
NginxServer::~NginxServer() { stop(); }

void NginxServer::stop() {
  if (!process_) return;
  process_->stop(kStopGrace);  // SIGTERM is nginx's fast shutdown: closes connections at once
  process_.reset();
}

std::string NginxServer::url(std::string_view path) const {
  std::string url = "http://127.0.0.1:" + std::to_string(port_);
  if (!path.starts_with('/')) url += '/';
  url += path;
  return url;
}

std::vector<AccessLogEntry> NginxServer::access_log() const {
  std::vector<AccessLogEntry> entries;
  std::istringstream lines(read_text(prefix() / "logs" / "access.log"));
  std::string line;
  while (std::getline(lines, line)) {
    // '$status\t$body_bytes_sent\t$request\t$http_range'; $request is "GET /uri HTTP/1.1".
    std::istringstream fields(line);
    std::string status, bytes, request, range;
    if (!std::getline(fields, status, '\t') || !std::getline(fields, bytes, '\t') ||
        !std::getline(fields, request, '\t')) {
      continue;  // a line nginx is still writing
    }
    std::getline(fields, range, '\t');
    AccessLogEntry entry;
    entry.status = std::atoi(status.c_str());
    entry.body_bytes_sent = std::strtoull(bytes.c_str(), nullptr, 10);
    std::istringstream parts(request);
    parts >> entry.method >> entry.uri;
    entry.range = range == "-" ? std::string() : range;
    entries.push_back(std::move(entry));
  }
  return entries;
}

namespace {

// Connections nginx holds open ("Active connections" of stub_status, on its own UNIX socket,
// this query's connection included); nullopt when it cannot be read. nginx counts a connection
// until it has finished the request on it, and logs the request then. Counting the kernel's
// ESTABLISHED sockets instead missed a killed client: its socket leaves ESTABLISHED at once (a
// reset leaves no socket at all), while nginx, asleep in limit_rate, logs the aborted request
// only when its rate timer wakes it. The daemon crash test then saw a request made before a
// kill in the next round's log (issue 19, finding 12).
std::optional<int> active_connections(const std::filesystem::path& status_socket) {
  const int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return std::nullopt;
  struct Closer {
    int fd;
    ~Closer() { ::close(fd); }
  } closer{fd};
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  const auto path = status_socket.string();
  if (path.size() >= sizeof address.sun_path) return std::nullopt;
  std::memcpy(address.sun_path, path.c_str(), path.size() + 1);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) {
    return std::nullopt;
  }
  const std::string request = "GET / HTTP/1.0\r\n\r\n";
  if (::send(fd, request.data(), request.size(), MSG_NOSIGNAL) !=
      static_cast<ssize_t>(request.size())) {
    return std::nullopt;
  }
  std::string answer;
  for (;;) {
    pollfd ready{fd, POLLIN, 0};
    if (::poll(&ready, 1, 2000) <= 0) return std::nullopt;
    char buffer[1024];
    const auto n = ::recv(fd, buffer, sizeof buffer, 0);
    if (n < 0) return std::nullopt;
    if (n == 0) break;
    answer.append(buffer, static_cast<std::size_t>(n));
  }
  constexpr std::string_view kLabel = "Active connections:";
  const auto at = answer.find(kLabel);
  if (at == std::string::npos) return std::nullopt;
  return std::atoi(answer.c_str() + at + kLabel.size());
}

}  // namespace

bool NginxServer::wait_until_idle(std::chrono::milliseconds timeout) const {
  // 1: the status query itself.
  return wait_until(
      [this] { return active_connections(prefix_ / "status.sock").value_or(-1) == 1; }, timeout,
      kPollInterval);
}

std::vector<AccessLogEntry> NginxServer::wait_for_access_log(
    std::size_t count, std::chrono::milliseconds timeout) const {
  std::vector<AccessLogEntry> entries;
  wait_until(
      [&] {
        entries = access_log();
        return entries.size() >= count;
      },
      timeout, kPollInterval);
  return entries;
}

std::uint64_t NginxServer::body_bytes_sent(std::string_view uri) const {
  std::uint64_t total = 0;
  for (const auto& entry : access_log()) {
    if (entry.uri == uri) total += entry.body_bytes_sent;
  }
  return total;
}

std::string NginxServer::error_log() const { return read_text(prefix() / "logs" / "error.log"); }

}  // namespace swarmcopy::test
