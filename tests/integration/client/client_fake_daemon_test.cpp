// RemoteManager against a FakeDaemon: the client's own behaviour, independent of swarmcopyd:
// errors as values (the daemon's own, or kUnavailable naming the socket), keep-alive reuse,
// surviving connections the daemon dropped, call deadlines, and callbacks fed from the event
// stream — filtered by each event's notify flags, delivered on the client's thread, caught up
// after the stream reconnects.
#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "fake_daemon.h"
#include "recording_callback.h"
#include "swarmcopy/client/remote_manager.h"
#include "swarmcopy/ipc/codec.h"
#include "test_dir/test_dir.h"

namespace swarmcopy::test {
namespace {

using namespace std::chrono_literals;

constexpr auto kWait = 10s;

// The jobs the fake serves: enough of daemon/API.md for the client's calls.
class FakeJobs {
 public:
  FakeResponse handle(const FakeRequest& request) {
    std::lock_guard lock(mutex_);
    if (override_) {
      if (auto response = override_(request)) return *response;
    }
    if (request.method == "GET" && request.target == "/v1/status") {
      return {
          200,
          nlohmann::json{
              {"version", "fake"}, {"api", 1}, {"mode", "user"}, {"uid", 0}, {"jobs", jobs_.size()}}
              .dump()};
    }
    if (request.method == "POST" && request.target == "/v1/jobs") {
      api::JobInfo info;
      info.id = api::JobId::generate();
      info.display_name = nlohmann::json::parse(request.body).at("name").get<std::string>();
      info.times.creation_time = info.times.modification_time = api::Clock::now();
      jobs_[info.id] = info;
      order_.push_back(info.id);
      return {201, ipc::to_json(info).dump()};
    }
    if (request.method == "GET" && request.target == "/v1/jobs") {
      nlohmann::json list = nlohmann::json::array();
      for (const auto& id : order_) list.push_back(ipc::to_json(jobs_.at(id)));
      return {200, nlohmann::json{{"jobs", list}}.dump()};
    }
    if (request.target.starts_with("/v1/jobs/")) {
      const auto rest = request.target.substr(9);
      const auto id = api::JobId::parse(rest.substr(0, 36));
      if (!id || !jobs_.contains(*id)) {
        return {404, ipc::error_body(
                         api::Error{api::ErrorContext::kCaller, api::ErrorKind::kNotFound, 0,
                                    "no such job: " + rest.substr(0, 36), "", api::Protocol::kNone})
                         .dump()};
      }
      auto& info = jobs_.at(*id);
      if (request.method == "POST" && rest.ends_with("/resume"))
        info.state = api::JobState::kQueued;
      if (request.method == "POST" && rest.ends_with("/suspend")) {
        info.state = api::JobState::kSuspended;
      }
      return {200, ipc::to_json(info).dump()};
    }
    return {404, ipc::error_body(api::Error{api::ErrorContext::kCaller, api::ErrorKind::kNotFound,
                                            0, "no route", "", api::Protocol::kNone})
                     .dump()};
  }

  void set_state(const api::JobId& id, api::JobState state) {
    std::lock_guard lock(mutex_);
    jobs_.at(id).state = state;
  }
  // Answers requests for which it returns a response itself, before the table does.
  void set_override(std::function<std::optional<FakeResponse>(const FakeRequest&)> override) {
    std::lock_guard lock(mutex_);
    override_ = std::move(override);
  }

 private:
  std::mutex mutex_;
  std::map<api::JobId, api::JobInfo> jobs_;
  std::vector<api::JobId> order_;
  std::function<std::optional<FakeResponse>(const FakeRequest&)> override_;
};

std::string event_line(ipc::Event::Type type, const api::JobId& job, std::uint32_t flags,
                       std::optional<api::Error> error = std::nullopt,
                       std::optional<api::FileStatus> file = std::nullopt) {
  ipc::Event event;
  event.type = type;
  event.job = job;
  event.notify_flags = static_cast<api::NotifyFlags>(flags);
  event.error = std::move(error);
  event.file = std::move(file);
  return ipc::to_json(event).dump();
}

class ClientFakeDaemonTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_FALSE(dir_.path().empty());
    socket_ = dir_ / "d.sock";
    start_daemon();
  }

  void start_daemon() {
    daemon_ = FakeDaemon::start(socket_, [this](const FakeRequest& r) { return jobs_.handle(r); });
    ASSERT_NE(daemon_, nullptr);
  }

  std::shared_ptr<api::Manager> connect(client::ConnectOptions options = {}) {
    auto manager = client::connect(socket_, options);
    EXPECT_TRUE(manager) << manager.error().describe();
    return manager.value_or(nullptr);
  }

  TestDir dir_;
  std::filesystem::path socket_;
  FakeJobs jobs_;
  std::unique_ptr<FakeDaemon> daemon_;
};

TEST(ClientWithoutDaemonTest, ConnectIsUnavailableNamingTheSocket) {
  TestDir dir;
  const auto socket = dir / "nobody.sock";

  auto manager = client::connect(socket);

  ASSERT_FALSE(manager);
  EXPECT_EQ(manager.error().kind, api::ErrorKind::kUnavailable);
  EXPECT_EQ(manager.error().file, socket.string());
  EXPECT_NE(manager.error().describe().find(socket.string()), std::string::npos);
}

TEST_F(ClientFakeDaemonTest, CallsShareOneKeepAliveConnection) {
  auto manager = connect();
  const auto before = daemon_->connections_accepted();  // connect()'s status check

  auto job = manager->create_job("one").value();
  for (int i = 0; i < 20; ++i) ASSERT_TRUE(job->info());

  EXPECT_EQ(daemon_->connections_accepted(), before + 1);
}

TEST_F(ClientFakeDaemonTest, DaemonErrorsComeBackAsTheSameApiError) {
  const api::Error refused{
      api::ErrorContext::kCaller, api::ErrorKind::kNoFiles, 0, "job has no files", "",
      api::Protocol::kNone};
  jobs_.set_override([&](const FakeRequest& r) -> std::optional<FakeResponse> {
    if (r.target.ends_with("/resume")) return FakeResponse{409, ipc::error_body(refused).dump()};
    return std::nullopt;
  });
  auto manager = connect();
  auto job = manager->create_job("empty").value();

  auto resumed = job->resume();

  ASSERT_FALSE(resumed);
  EXPECT_EQ(resumed.error(), refused);
  auto unknown = manager->get_job(api::JobId::generate());
  ASSERT_FALSE(unknown);
  EXPECT_EQ(unknown.error().kind, api::ErrorKind::kNotFound);
}

TEST_F(ClientFakeDaemonTest, AnswersWithoutAnErrorBodyMapByStatus) {
  jobs_.set_override([&](const FakeRequest& r) -> std::optional<FakeResponse> {
    if (r.target.ends_with("/resume")) return FakeResponse{503, "shutting down"};
    if (r.target.ends_with("/suspend")) return FakeResponse{500, "<html>oops</html>"};
    return std::nullopt;
  });
  auto manager = connect();
  auto job = manager->create_job("j").value();

  auto resumed = job->resume();
  ASSERT_FALSE(resumed);
  EXPECT_EQ(resumed.error().kind, api::ErrorKind::kUnavailable);
  EXPECT_EQ(resumed.error().code, 503);
  auto suspended = job->suspend();
  ASSERT_FALSE(suspended);
  EXPECT_EQ(suspended.error().kind, api::ErrorKind::kInternal);
  EXPECT_NE(suspended.error().message.find("oops"), std::string::npos);
}

TEST_F(ClientFakeDaemonTest, ConnectionsTheDaemonDroppedAreReplacedWithoutAnError) {
  auto manager = connect();
  auto job = manager->create_job("j").value();
  ASSERT_TRUE(job->info());

  daemon_->drop_connections();
  // Both kinds: a GET could be repeated anyway; a POST only because the dead connection is
  // noticed before anything is sent on it.
  EXPECT_TRUE(job->resume()) << "POST on a fresh connection";
  daemon_->drop_connections();
  EXPECT_TRUE(job->info()) << "GET on a fresh connection";
}

TEST_F(ClientFakeDaemonTest, DaemonGoneIsUnavailableAndTheFirstCallAfterARestartWorks) {
  auto manager = connect();
  auto job = manager->create_job("j").value();

  daemon_->stop();
  auto info = job->info();
  ASSERT_FALSE(info);
  EXPECT_EQ(info.error().kind, api::ErrorKind::kUnavailable);
  EXPECT_EQ(info.error().file, socket_.string());
  EXPECT_EQ(info.error().protocol, api::Protocol::kLocal);

  start_daemon();
  EXPECT_TRUE(job->info()) << "the fake kept its jobs: the same id answers";
}

TEST_F(ClientFakeDaemonTest, ADaemonThatDoesNotAnswerInTimeIsUnavailable) {
  jobs_.set_override([&](const FakeRequest& r) -> std::optional<FakeResponse> {
    if (r.target.ends_with("/resume")) return FakeResponse{200, "{}", false, 5s};
    return std::nullopt;
  });
  client::ConnectOptions options;
  options.call_timeout = 300ms;
  auto manager = connect(options);
  auto job = manager->create_job("j").value();

  const auto start = std::chrono::steady_clock::now();
  auto resumed = job->resume();
  const auto took = std::chrono::steady_clock::now() - start;

  ASSERT_FALSE(resumed);
  EXPECT_EQ(resumed.error().kind, api::ErrorKind::kUnavailable);
  EXPECT_LT(took, 3s);
  EXPECT_NE(resumed.error().message.find("in time"), std::string::npos) << resumed.error().message;
}

TEST_F(ClientFakeDaemonTest, CallbacksFollowEachEventsNotifyFlagsOnTheClientsThread) {
  auto manager = connect();
  auto job = manager->create_job("j").value();
  auto other = manager->create_job("other").value();
  auto callback = std::make_shared<RecordingCallback>();
  ASSERT_TRUE(job->set_notify_interface(callback));
  ASSERT_TRUE(daemon_->wait_for_event_streams(1, kWait));
  const api::Error failure{api::ErrorContext::kRemoteFile,
                           api::ErrorKind::kHttpStatus,
                           404,
                           "not found",
                           "http://origin/f",
                           api::Protocol::kHttp};
  api::FileStatus file;
  file.url = "http://origin/f";
  file.local_path = "/tmp/f";
  file.completed = true;

  using Type = ipc::Event::Type;
  daemon_->push_event(event_line(Type::kModification, job->id(), 0x3));  // not wanted
  daemon_->push_event(event_line(Type::kModification, job->id(), 0xb));
  daemon_->push_event(event_line(Type::kError, job->id(), 0x6, failure));  // DISABLE wins
  daemon_->push_event(event_line(Type::kError, job->id(), 0x2, failure));
  daemon_->push_event(event_line(Type::kFileTransferred, job->id(), 0x10, std::nullopt, file));
  daemon_->push_event(event_line(Type::kTransferred, other->id(), 0x1f));  // no callback
  daemon_->push_event(event_line(Type::kTransferred, job->id(), 0x1));

  ASSERT_TRUE(callback->wait_for("transferred", 1, kWait)) << callback->sequence();
  EXPECT_EQ(callback->sequence(), "modification,error,file_transferred,transferred");
  for (const auto& note : callback->notes()) {
    EXPECT_EQ(note.job, job->id());
    EXPECT_NE(note.thread, std::this_thread::get_id());
  }
  EXPECT_EQ(callback->notes()[1].error, failure);
  EXPECT_EQ(callback->notes()[2].file, file);
  EXPECT_EQ(job->notify_interface().value(), callback);

  // Cleared: nothing more arrives (the next event of another callback proves the order).
  ASSERT_TRUE(job->set_notify_interface(nullptr));
  auto witness = std::make_shared<RecordingCallback>();
  ASSERT_TRUE(other->set_notify_interface(witness));
  daemon_->push_event(event_line(Type::kTransferred, job->id(), 0x1f));
  daemon_->push_event(event_line(Type::kModification, other->id(), 0x8));
  ASSERT_TRUE(witness->wait_for("modification", 1, kWait));
  EXPECT_EQ(callback->notes().size(), 4u);
}

TEST_F(ClientFakeDaemonTest, EventStreamReconnectsAndCatchesUpOnAMissedTransfer) {
  auto manager = connect();
  auto job = manager->create_job("j").value();
  auto callback = std::make_shared<RecordingCallback>();
  ASSERT_TRUE(job->set_notify_interface(callback));
  ASSERT_TRUE(daemon_->wait_for_event_streams(1, kWait));

  // The job finished while the stream was down: its event was never sent.
  jobs_.set_state(job->id(), api::JobState::kTransferred);
  daemon_->drop_connections();

  ASSERT_TRUE(daemon_->wait_for_event_streams(2, kWait)) << "the stream was not reopened";
  ASSERT_TRUE(callback->wait_for("transferred", 1, kWait)) << callback->sequence();
  // The daemon's own (late) event of the same transfer is not announced twice (the job's
  // flags, 0x3, want no modification: the one below is the pushed one).
  daemon_->push_event(event_line(ipc::Event::Type::kTransferred, job->id(), 0x9));
  daemon_->push_event(event_line(ipc::Event::Type::kModification, job->id(), 0x9));
  ASSERT_TRUE(callback->wait_for("modification", 1, kWait)) << callback->sequence();
  EXPECT_EQ(callback->count("transferred"), 1u) << callback->sequence();
}

TEST_F(ClientFakeDaemonTest, CallbackOnAFinalJobIsRefusedAsTheEngineRefusesIt) {
  auto manager = connect();
  auto job = manager->create_job("j").value();
  jobs_.set_state(job->id(), api::JobState::kCancelled);

  auto set = job->set_notify_interface(std::make_shared<RecordingCallback>());

  ASSERT_FALSE(set);
  EXPECT_EQ(set.error().kind, api::ErrorKind::kJobIsFinal);
  EXPECT_EQ(set.error().context, api::ErrorContext::kCaller);
}

TEST_F(ClientFakeDaemonTest, HandlesThatOutliveTheManagerAreUnavailable) {
  auto manager = connect();
  auto job = manager->create_job("j").value();
  ASSERT_TRUE(job->set_notify_interface(std::make_shared<RecordingCallback>()));

  manager.reset();

  auto info = job->info();
  ASSERT_FALSE(info);
  EXPECT_EQ(info.error().kind, api::ErrorKind::kUnavailable);
}

TEST_F(ClientFakeDaemonTest, ListJobsReadsEveryJobInOneCall) {
  auto manager = connect();
  for (const char* name : {"a", "b", "c"}) ASSERT_TRUE(manager->create_job(name));
  const auto before = daemon_->requests().size();

  auto infos = manager->job_infos();

  ASSERT_TRUE(infos) << infos.error().describe();
  ASSERT_EQ(infos->size(), 3u);
  EXPECT_EQ((*infos)[0].display_name, "a");
  EXPECT_EQ((*infos)[2].display_name, "c");
  EXPECT_EQ(daemon_->requests().size(), before + 1);
  auto handles = manager->jobs();
  ASSERT_TRUE(handles);
  EXPECT_EQ((*handles)[1]->id(), (*infos)[1].id);
}

}  // namespace
}  // namespace swarmcopy::test
