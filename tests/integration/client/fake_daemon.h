// FakeDaemon: a stand-in for swarmcopyd on a UNIX socket, for testing the client alone: a
// minimal HTTP/1.1 server (keep-alive, Content-Length bodies) whose answers come from a
// handler the test writes, and whose GET /v1/events streams (chunked) carry the lines the test
// pushes. It can drop every open connection (as a daemon restart does) and records what it
// was asked. Stopped and its threads joined when the object dies. Thread-safe.
#pragma once

#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace swarmcopy::test {

struct FakeRequest {
  std::string method;
  std::string target;
  std::string body;
};

struct FakeResponse {
  int status = 200;
  std::string body = "{}";
  bool close = false;                  // answer "Connection: close" and close
  std::chrono::milliseconds delay{0};  // wait this long before answering
};

class FakeDaemon {
 public:
  using Handler = std::function<FakeResponse(const FakeRequest&)>;

  // Listens at `socket` (replacing a stale file). GET /v1/events is served by the fake itself.
  static std::unique_ptr<FakeDaemon> start(const std::filesystem::path& socket, Handler handler);
  ~FakeDaemon();
  FakeDaemon(const FakeDaemon&) = delete;
  FakeDaemon& operator=(const FakeDaemon&) = delete;

  // Writes `line` (an event's JSON) to every open event stream.
  void push_event(const std::string& line);
  // Waits until `count` event streams have been opened in total (since start).
  bool wait_for_event_streams(std::size_t count, std::chrono::milliseconds timeout);
  // Closes every open connection, event streams included; keeps listening.
  void drop_connections();
  // Stops listening and closes everything; removes the socket file. Idempotent.
  void stop();

  std::vector<FakeRequest> requests() const;
  std::size_t connections_accepted() const;

 private:
  FakeDaemon() = default;
  void accept_loop();
  void serve(int fd);
  void forget(int fd);

  std::filesystem::path socket_;
  Handler handler_;
  int listen_fd_ = -1;
  int stop_fd_ = -1;
  mutable std::mutex mutex_;
  std::condition_variable changed_;
  bool stopping_ = false;
  std::vector<int> open_fds_;
  std::vector<int> event_fds_;
  std::size_t event_streams_opened_ = 0;
  std::size_t accepted_ = 0;
  std::vector<FakeRequest> requests_;
  std::thread acceptor_;
  std::vector<std::thread> workers_;
};

}  // namespace swarmcopy::test
