#include "nginx/nginx_server.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <optional>
#include <sstream>
#include <thread>
#include <utility>

namespace swarmcopy::test {
namespace {

using SteadyClock = std::chrono::steady_clock;

// How often start() and stop() look again while they wait for nginx: short enough not to slow
// tests down, the waits themselves are bounded by deadlines.
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

// fork + exec rather than posix_spawn: the child needs prctl(PR_SET_PDEATHSIG) and a clean
// signal mask, and only async-signal-safe calls happen between fork and exec.
std::expected<pid_t, std::string> spawn_nginx(const NginxOptions& options,
                                              const std::filesystem::path& prefix) {
  const std::string binary = options.binary.string();
  const std::string prefix_arg = prefix.string() + "/";
  const std::string conf = (prefix / "conf" / "nginx.conf").string();
  // -e: nginx would otherwise open its compiled-in error log before reading the config.
  const std::string error_log = (prefix / "logs" / "error.log").string();
  const std::string stderr_log = (prefix / "logs" / "stderr.log").string();
  std::vector<std::string> args = {binary, "-p",      prefix_arg, "-c",         conf,
                                   "-e",   error_log, "-g",       "daemon off;"};
  std::vector<char*> argv;
  for (auto& arg : args) argv.push_back(arg.data());
  argv.push_back(nullptr);
  const pid_t parent = ::getpid();

  const pid_t pid = ::fork();
  if (pid < 0) return std::unexpected(errno_text("fork"));
  if (pid == 0) {
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (::getppid() != parent) ::_exit(127);  // the parent died before prctl took effect
    sigset_t none;
    sigemptyset(&none);
    ::sigprocmask(SIG_SETMASK, &none, nullptr);
    const int null_fd = ::open("/dev/null", O_RDONLY);
    const int log_fd = ::open(stderr_log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    if (null_fd < 0 || log_fd < 0) ::_exit(127);
    ::dup2(null_fd, STDIN_FILENO);
    ::dup2(log_fd, STDOUT_FILENO);
    ::dup2(log_fd, STDERR_FILENO);
    ::execv(binary.c_str(), argv.data());
    ::_exit(127);
  }
  return pid;
}

enum class Readiness { kReady, kExited, kTimedOut };

Readiness wait_ready(pid_t pid, std::uint16_t port, const std::filesystem::path& pid_file,
                     SteadyClock::time_point deadline) {
  for (;;) {
    int status = 0;
    if (::waitpid(pid, &status, WNOHANG) == pid) return Readiness::kExited;
    // nginx writes its pid file after it has bound its sockets: with the pid matching, the
    // connection went to our nginx and not to whoever else might own the port.
    if (read_text(pid_file).starts_with(std::to_string(pid)) && accepts_connections(port)) {
      return Readiness::kReady;
    }
    if (SteadyClock::now() >= deadline) return Readiness::kTimedOut;
    std::this_thread::sleep_for(kPollInterval);
  }
}

void kill_and_reap(pid_t pid) {
  ::kill(pid, SIGKILL);
  while (::waitpid(pid, nullptr, 0) < 0 && errno == EINTR) {
  }
}

std::expected<std::filesystem::path, std::string> make_prefix() {
  std::error_code ec;
  auto base = std::filesystem::temp_directory_path(ec);
  if (ec) base = "/tmp";
  std::string pattern = (base / "swarmcopy-nginx-XXXXXX").string();
  if (::mkdtemp(pattern.data()) == nullptr) return std::unexpected(errno_text("mkdtemp"));
  const std::filesystem::path prefix = pattern;
  for (const char* sub : {"conf", "logs", "temp", "html"}) {
    std::filesystem::create_directories(prefix / sub, ec);
    if (ec) return std::unexpected("mkdir " + (prefix / sub).string() + ": " + ec.message());
  }
  return prefix;
}

}  // namespace

std::expected<std::unique_ptr<NginxServer>, std::string> NginxServer::start(NginxOptions options) {
  auto prefix = make_prefix();
  if (!prefix) return std::unexpected(prefix.error());
  std::unique_ptr<NginxServer> server(new NginxServer());  // private constructor
  server->prefix_ = *prefix;
  server->docroot_ = options.docroot.empty() ? *prefix / "html" : options.docroot;

  std::string last_failure;
  for (int attempt = 0; attempt < kPortAttempts; ++attempt) {
    auto port = free_port();
    if (!port) return std::unexpected(port.error());
    {
      std::ofstream conf(server->prefix_ / "conf" / "nginx.conf", std::ios::trunc);
      conf << config_text(server->prefix_, server->docroot_, *port, options);
      if (!conf) return std::unexpected("cannot write the nginx configuration");
    }
    std::error_code ignored;
    std::filesystem::remove(server->prefix_ / "logs" / "nginx.pid", ignored);
    auto pid = spawn_nginx(options, server->prefix_);
    if (!pid) return std::unexpected(pid.error());

    const auto readiness = wait_ready(*pid, *port, server->prefix_ / "logs" / "nginx.pid",
                                      SteadyClock::now() + options.start_timeout);
    if (readiness == Readiness::kReady) {
      server->pid_ = *pid;
      server->port_ = *port;
      return server;
    }
    if (readiness == Readiness::kTimedOut) kill_and_reap(*pid);
    last_failure = read_text(server->prefix_ / "logs" / "stderr.log") + server->error_log();
    if (readiness == Readiness::kTimedOut ||
        last_failure.find("Address already in use") == std::string::npos) {
      break;
    }
  }
  return std::unexpected("nginx did not start; its log:\n" + last_failure);
}

NginxServer::~NginxServer() {
  stop();
  const char* keep = std::getenv("SWARMCOPY_KEEP_TEST_DIRS");
  if (!prefix_.empty() && (keep == nullptr || *keep == '\0' || *keep == '0')) {
    std::error_code ignored;
    std::filesystem::remove_all(prefix_, ignored);
  }
}

void NginxServer::stop() {
  if (pid_ <= 0) return;
  ::kill(pid_, SIGTERM);  // fast shutdown: closes connections at once
  const auto deadline = SteadyClock::now() + kStopGrace;
  for (;;) {
    const pid_t reaped = ::waitpid(pid_, nullptr, WNOHANG);
    if (reaped == pid_ || (reaped < 0 && errno != EINTR)) break;
    if (SteadyClock::now() >= deadline) {
      kill_and_reap(pid_);
      break;
    }
    std::this_thread::sleep_for(kPollInterval);
  }
  pid_ = -1;
}

std::string NginxServer::url(std::string_view path) const {
  std::string url = "http://127.0.0.1:" + std::to_string(port_);
  if (!path.starts_with('/')) url += '/';
  url += path;
  return url;
}

std::vector<AccessLogEntry> NginxServer::access_log() const {
  std::vector<AccessLogEntry> entries;
  std::istringstream lines(read_text(prefix_ / "logs" / "access.log"));
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
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  // 1: the status query itself.
  while (active_connections(prefix_ / "status.sock").value_or(-1) != 1) {
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return true;
}

std::vector<AccessLogEntry> NginxServer::wait_for_access_log(
    std::size_t count, std::chrono::milliseconds timeout) const {
  const auto deadline = SteadyClock::now() + timeout;
  for (;;) {
    auto entries = access_log();
    if (entries.size() >= count || SteadyClock::now() >= deadline) return entries;
    std::this_thread::sleep_for(kPollInterval);
  }
}

std::uint64_t NginxServer::body_bytes_sent(std::string_view uri) const {
  std::uint64_t total = 0;
  for (const auto& entry : access_log()) {
    if (entry.uri == uri) total += entry.body_bytes_sent;
  }
  return total;
}

std::string NginxServer::error_log() const { return read_text(prefix_ / "logs" / "error.log"); }

}  // namespace swarmcopy::test
