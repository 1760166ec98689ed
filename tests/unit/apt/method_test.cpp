// The method's loop over pipes, without network: it announces itself, answers a malformed
// message with 401 and a request it cannot serve with 400 naming the URI, answers pipelined
// requests in order, and returns when apt closes its stdin.
#include "swarmcopy/apt/method.h"

#include <poll.h>
#include <unistd.h>

#include <chrono>
#include <future>
#include <string>
#include <thread>

#include <gtest/gtest.h>

#include "swarmcopy/apt/message_reader.h"

namespace swarmcopy::apt {
namespace {

using namespace std::chrono_literals;

class MethodTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_EQ(::pipe(to_method_), 0);
    ASSERT_EQ(::pipe(from_method_), 0);
    result_ = std::async(std::launch::async, [this] {
      Method method(to_method_[0], from_method_[1]);
      return method.run();
    });
  }
  void TearDown() override {
    close_input();
    if (result_.valid()) result_.wait_for(10s);
    for (int fd : {to_method_[0], from_method_[0], from_method_[1]}) ::close(fd);
  }
  void write_text(const std::string& text) {
    ASSERT_EQ(::write(to_method_[1], text.data(), text.size()), static_cast<ssize_t>(text.size()));
  }
  void close_input() {
    if (to_method_[1] >= 0) ::close(to_method_[1]);
    to_method_[1] = -1;
  }
  // The method's next message, waiting at most 10 s.
  std::optional<Message> read_message() {
    const auto deadline = std::chrono::steady_clock::now() + 10s;
    while (std::chrono::steady_clock::now() < deadline) {
      if (auto next = reader_.next()) {
        if (*next) return **next;
        ADD_FAILURE() << "the method wrote a malformed message: " << next->error().reason;
        return std::nullopt;
      }
      pollfd pfd{from_method_[0], POLLIN, 0};
      if (::poll(&pfd, 1, 100) <= 0) continue;
      char buffer[4096];
      const auto n = ::read(from_method_[0], buffer, sizeof buffer);
      if (n <= 0) return std::nullopt;
      reader_.feed(std::string_view(buffer, static_cast<std::size_t>(n)));
    }
    return std::nullopt;
  }

  int to_method_[2] = {-1, -1};
  int from_method_[2] = {-1, -1};
  std::future<int> result_;
  MessageReader reader_;
};

TEST_F(MethodTest, AnnouncesPipeliningAndWantsTheConfiguration) {
  auto caps = read_message();
  ASSERT_TRUE(caps);
  EXPECT_EQ(caps->code, 100);
  EXPECT_EQ(caps->status, "Capabilities");
  EXPECT_EQ(caps->get("Pipeline"), "true");
  EXPECT_EQ(caps->get("Send-Config"), "true");
  EXPECT_TRUE(caps->get("Version"));
  close_input();
  ASSERT_EQ(result_.wait_for(10s), std::future_status::ready);
  EXPECT_EQ(result_.get(), 0) << "apt closing stdin ends the method cleanly";
}

TEST_F(MethodTest, MalformedAndUnservableRequestsAreAnsweredInOrder) {
  ASSERT_TRUE(read_message());  // 100 Capabilities
  write_text("601 Configuration\nConfig-Item: Debug::NoDropPrivs=true\n\n");
  write_text("what is this\n\n");
  // Three pipelined requests in one write: answered one by one, in order.
  write_text(
      "600 URI Acquire\nURI: swarmcopy+ftp://h/a\nFilename: /tmp/a\n\n"
      "600 URI Acquire\nURI: swarmcopy+http://h/b\n\n"
      "600 URI Acquire\nURI: swarmcopy+http://h/c\nbroken\n\n");
  auto general = read_message();
  ASSERT_TRUE(general);
  EXPECT_EQ(general->code, 401);
  EXPECT_NE(general->get("Message").value_or("").find("Malformed message"), std::string::npos);

  auto a = read_message();
  ASSERT_TRUE(a);
  EXPECT_EQ(a->code, 400);
  EXPECT_EQ(a->get("URI"), "swarmcopy+ftp://h/a");
  EXPECT_NE(a->get("Message").value_or("").find("Unsupported URI scheme"), std::string::npos);
  auto b = read_message();
  ASSERT_TRUE(b);
  EXPECT_EQ(b->code, 400);
  EXPECT_EQ(b->get("URI"), "swarmcopy+http://h/b");
  EXPECT_NE(b->get("Message").value_or("").find("Filename"), std::string::npos);
  auto c = read_message();
  ASSERT_TRUE(c);
  EXPECT_EQ(c->code, 400);
  EXPECT_EQ(c->get("URI"), "swarmcopy+http://h/c");

  close_input();
  ASSERT_EQ(result_.wait_for(10s), std::future_status::ready);
  EXPECT_EQ(result_.get(), 0);
}

TEST_F(MethodTest, AnUnknownSandboxUserIsAGeneralFailureAndTheMethodStops) {
  if (::getuid() != 0) GTEST_SKIP() << "privileges are dropped by root only";
  ASSERT_TRUE(read_message());
  write_text("601 Configuration\nConfig-Item: APT::Sandbox::User=no-such-user-swarmcopy\n\n");
  auto failure = read_message();
  ASSERT_TRUE(failure);
  EXPECT_EQ(failure->code, 401);
  EXPECT_NE(failure->get("Message").value_or("").find("No user no-such-user-swarmcopy"),
            std::string::npos);
  ASSERT_EQ(result_.wait_for(10s), std::future_status::ready);
  EXPECT_EQ(result_.get(), 100);
}

}  // namespace
}  // namespace swarmcopy::apt
