// netlab_probe: the small network program the NetworkLab tests run inside namespaces (ping, nc
// and python may not be installed). Every wait is bounded by the timeout argument; results
// are single lines on stdout, failures a line on stderr and a non-zero exit.
//
//   netlab_probe tcp-listen PORT TIMEOUT_S          accepts one connection, reads to EOF:
//                                                   "listening" then "received N bytes from A in M
//                                                   ms"
//   netlab_probe tcp-send ADDR PORT BYTES TIMEOUT_S  connects, sends BYTES, closes
//   netlab_probe mcast-listen GROUP PORT TIMEOUT_S  joins GROUP: "joined", then "got 'P' from A"
//   netlab_probe mcast-send GROUP PORT PAYLOAD COUNT INTERVAL_MS [TTL]   TTL 1 unless given
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

namespace {

using Clock = std::chrono::steady_clock;

int die(const char* what) {
  std::fprintf(stderr, "netlab_probe: %s: %s\n", what, std::strerror(errno));
  return 1;
}

void say(const std::string& line) {
  std::printf("%s\n", line.c_str());
  std::fflush(stdout);
}

sockaddr_in address(const char* host, int port) {
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  if (host == nullptr) {
    addr.sin_addr.s_addr = htonl(INADDR_ANY);
  } else if (::inet_pton(AF_INET, host, &addr.sin_addr) != 1) {
    std::fprintf(stderr, "netlab_probe: bad address %s\n", host);
    std::exit(1);
  }
  return addr;
}

std::string text_of(const sockaddr_in& addr) {
  char text[INET_ADDRSTRLEN] = {};
  ::inet_ntop(AF_INET, &addr.sin_addr, text, sizeof(text));
  return text;
}

// Waits until fd has `events` or the deadline passes; false on timeout.
bool wait_for(int fd, short events, Clock::time_point deadline) {
  for (;;) {
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
    if (left <= 0) return false;
    pollfd p{fd, events, 0};
    const int ready = ::poll(&p, 1, static_cast<int>(left));
    if (ready > 0) return true;
    if (ready < 0 && errno != EINTR) return false;
  }
}

int tcp_listen(int port, int timeout_s) {
  const auto deadline = Clock::now() + std::chrono::seconds(timeout_s);
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return die("socket");
  const int one = 1;
  ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
  sockaddr_in addr = address(nullptr, port);
  if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) return die("bind");
  if (::listen(fd, 4) != 0) return die("listen");
  say("listening");
  if (!wait_for(fd, POLLIN, deadline)) {
    std::fprintf(stderr, "netlab_probe: no connection within %d s\n", timeout_s);
    return 2;
  }
  sockaddr_in peer{};
  socklen_t length = sizeof(peer);
  const int conn = ::accept(fd, reinterpret_cast<sockaddr*>(&peer), &length);
  if (conn < 0) return die("accept");
  const auto start = Clock::now();
  long long total = 0;
  std::vector<char> buffer(64 * 1024);
  for (;;) {
    if (!wait_for(conn, POLLIN, deadline)) {
      std::fprintf(stderr, "netlab_probe: no EOF within %d s (%lld bytes)\n", timeout_s, total);
      return 2;
    }
    const ssize_t got = ::read(conn, buffer.data(), buffer.size());
    if (got < 0 && errno == EINTR) continue;
    if (got < 0) return die("read");
    if (got == 0) break;
    total += got;
  }
  const auto ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start).count();
  say("received " + std::to_string(total) + " bytes from " + text_of(peer) + " in " +
      std::to_string(ms) + " ms");
  return 0;
}

// An unreachable peer is asked again until the deadline (every 200 ms): a namespace
// just plugged back is unreachable until the neighbour entry that failed while it was away is
// probed again, as a machine whose cable was pulled is for its peers.
bool retryable(int error) { return error == EHOSTUNREACH || error == ENETUNREACH; }

int tcp_send(const char* host, int port, long long bytes, int timeout_s) {
  const auto deadline = Clock::now() + std::chrono::seconds(timeout_s);
  int fd = -1;
  for (;;) {
    fd = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
    if (fd < 0) return die("socket");
    sockaddr_in addr = address(host, port);
    int error = 0;
    if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0 &&
        errno != EINPROGRESS) {
      error = errno;
    } else if (!wait_for(fd, POLLOUT, deadline)) {
      std::fprintf(stderr, "netlab_probe: connect timed out\n");
      return 2;
    } else {
      socklen_t length = sizeof(error);
      ::getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &length);
    }
    if (error == 0) break;
    ::close(fd);
    if (!retryable(error) || Clock::now() + std::chrono::milliseconds(200) >= deadline) {
      errno = error;
      return die("connect");
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  std::vector<char> buffer(64 * 1024, 'x');
  long long sent = 0;
  while (sent < bytes) {
    if (!wait_for(fd, POLLOUT, deadline)) {
      std::fprintf(stderr, "netlab_probe: send timed out after %lld bytes\n", sent);
      return 2;
    }
    const size_t chunk = static_cast<size_t>(
        std::min<long long>(bytes - sent, static_cast<long long>(buffer.size())));
    const ssize_t wrote = ::send(fd, buffer.data(), chunk, MSG_NOSIGNAL);
    if (wrote < 0 && (errno == EAGAIN || errno == EINTR)) continue;
    if (wrote < 0) return die("send");
    sent += wrote;
  }
  ::shutdown(fd, SHUT_WR);
  // Wait for the listener's close, so our exit means it has everything.
  char byte = 0;
  while (wait_for(fd, POLLIN, deadline) && ::read(fd, &byte, 1) > 0) {
  }
  say("sent " + std::to_string(sent) + " bytes");
  return 0;
}

int mcast_listen(const char* group, int port, int timeout_s) {
  const auto deadline = Clock::now() + std::chrono::seconds(timeout_s);
  const int fd = ::socket(AF_INET, SOCK_DGRAM, 0);
  if (fd < 0) return die("socket");
  const int one = 1;
  ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
  sockaddr_in addr = address(nullptr, port);
  if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) return die("bind");
  ip_mreq request{};
  request.imr_multiaddr = address(group, port).sin_addr;
  request.imr_interface.s_addr = htonl(INADDR_ANY);  // the route for the group picks it
  if (::setsockopt(fd, IPPROTO_IP, IP_ADD_MEMBERSHIP, &request, sizeof(request)) != 0) {
    return die("IP_ADD_MEMBERSHIP");
  }
  say("joined");
  if (!wait_for(fd, POLLIN, deadline)) {
    std::fprintf(stderr, "netlab_probe: no datagram within %d s\n", timeout_s);
    return 2;
  }
  char buffer[1500];
  sockaddr_in from{};
  socklen_t length = sizeof(from);
  const ssize_t got =
      ::recvfrom(fd, buffer, sizeof(buffer), 0, reinterpret_cast<sockaddr*>(&from), &length);
  if (got < 0) return die("recvfrom");
  say("got '" + std::string(buffer, static_cast<size_t>(got)) + "' from " + text_of(from));
  return 0;
}

int mcast_send(const char* group, int port, const char* payload, int count, int interval_ms,
               int hops) {
  const int fd = ::socket(AF_INET, SOCK_DGRAM, 0);
  if (fd < 0) return die("socket");
  const auto ttl = static_cast<unsigned char>(hops);
  ::setsockopt(fd, IPPROTO_IP, IP_MULTICAST_TTL, &ttl, sizeof(ttl));
  sockaddr_in to = address(group, port);
  for (int i = 0; i < count; ++i) {
    if (i > 0) std::this_thread::sleep_for(std::chrono::milliseconds(interval_ms));
    if (::sendto(fd, payload, std::strlen(payload), 0, reinterpret_cast<sockaddr*>(&to),
                 sizeof(to)) < 0) {
      return die("sendto");
    }
  }
  say("sent " + std::to_string(count));
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  const std::string mode = argc > 1 ? argv[1] : "";
  if (mode == "tcp-listen" && argc == 4) return tcp_listen(std::atoi(argv[2]), std::atoi(argv[3]));
  if (mode == "tcp-send" && argc == 6) {
    return tcp_send(argv[2], std::atoi(argv[3]), std::atoll(argv[4]), std::atoi(argv[5]));
  }
  if (mode == "mcast-listen" && argc == 5) {
    return mcast_listen(argv[2], std::atoi(argv[3]), std::atoi(argv[4]));
  }
  if (mode == "mcast-send" && (argc == 7 || argc == 8)) {
    return mcast_send(argv[2], std::atoi(argv[3]), argv[4], std::atoi(argv[5]), std::atoi(argv[6]),
                      argc == 8 ? std::atoi(argv[7]) : 1);
  }
  std::fprintf(stderr, "usage: see the comment at the top of netlab_probe.cpp\n");
  return 64;
}
