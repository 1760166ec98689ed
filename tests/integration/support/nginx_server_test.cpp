// NginxServer::wait_until_idle promises that afterwards the access log holds every request made
// so far. The crash tests rest on it: they kill a client mid-download and then check that no
// later request asked for bytes already verified. A request the killed client made must be
// logged before the wait ends, also when nginx sleeps in limit_rate (issue 19, finding 12: the
// old wait counted ESTABLISHED sockets and let such a request be logged in the next round).
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <string>

#include "nginx/nginx_server.h"
#include "nginx/test_files.h"
#include "test_dir/test_dir.h"

namespace swarmcopy::test {
namespace {

using namespace std::chrono_literals;

TEST(NginxServerTest, WaitUntilIdleWaitsForAnAbortedRateLimitedRequest) {
  TestDir docroot;
  ASSERT_TRUE(write_test_file(docroot.path() / "big.bin", 8 << 20));
  NginxOptions options;
  options.docroot = docroot.path();
  // Slow enough that nginx sleeps between writes, as in the crash tests.
  options.server_config = "location / { limit_rate 64k; limit_rate_after 0; }";
  auto nginx = NginxServer::start(options);
  ASSERT_TRUE(nginx) << nginx.error();

  for (int attempt = 0; attempt < 3; ++attempt) {
    const auto logged_before = (*nginx)->access_log().size();
    const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    ASSERT_GE(fd, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons((*nginx)->port());
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ASSERT_EQ(::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address), 0);
    const std::string request =
        "GET /big.bin HTTP/1.1\r\nHost: x\r\nRange: bytes=" + std::to_string(attempt * 4096) +
        "-\r\n\r\n";
    ASSERT_EQ(::send(fd, request.data(), request.size(), MSG_NOSIGNAL),
              static_cast<ssize_t>(request.size()));
    char buffer[4096];
    ASSERT_GT(::recv(fd, buffer, sizeof buffer, 0), 0);  // the download is under way
    ::close(fd);  // the client dies with unread data: the kernel resets the connection

    ASSERT_TRUE((*nginx)->wait_until_idle(20s));
    EXPECT_EQ((*nginx)->access_log().size(), logged_before + 1)
        << "attempt " << attempt << ": the aborted request was not logged when the wait ended";
  }
}

}  // namespace
}  // namespace swarmcopy::test
