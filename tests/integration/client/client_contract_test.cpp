// One program, two managers: the same code run against the embedded engine
// (engine::open_local) and against swarmcopyd (client::connect) must give the same results —
// states, settings, errors (kind and code; in the cross test also the very messages),
// callbacks, and the files on disk. This is the promise that the switch between them is one
// line.
#include <algorithm>
#include <chrono>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "daemon_test_env.h"
#include "loopback/loopback_peers.h"
#include "recording_callback.h"
#include "swarmcopy/client/remote_manager.h"
#include "swarmcopy/engine/local_manager.h"

namespace swarmcopy::test {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

struct ProgramInput {
  std::string url_a, sha_a;  // fast
  std::string url_b;         // slow: the job stays active for a while
  std::string url_missing;   // 404
  fs::path out;
  bool detailed = false;  // errors with their whole description, not only kind and code
};

std::string outcome_of(const api::Error& error, const ProgramInput& in) {
  std::string text = std::string(api::to_string(error.kind));
  if (error.code != 0) text += " " + std::to_string(error.code);
  if (in.detailed) {
    std::string description = error.describe();
    for (auto at = description.find(in.out.string()); at != std::string::npos;
         at = description.find(in.out.string())) {
      description.replace(at, in.out.string().size(), "<out>");
    }
    text += " [" + description + "]";
  }
  return text;
}

template <class T>
std::string outcome(const api::Result<T>& result, const ProgramInput& in) {
  return result ? std::string("ok") : outcome_of(result.error(), in);
}

// The program under test: written once against api::Manager, as an application would.
std::vector<std::string> run_program(api::Manager& manager, const ProgramInput& in) {
  std::vector<std::string> said;
  const auto say = [&](std::string line) { said.push_back(std::move(line)); };

  auto created = manager.create_job("contract");
  if (!created) return {"create: " + outcome(created, in)};
  auto job = *created;
  const auto fresh = job->info().value();
  say("created: " + std::string(api::to_string(fresh.state)) + " " +
      std::string(api::to_string(fresh.priority)) + " " + std::string(api::to_string(fresh.type)) +
      " notify=" + std::to_string(static_cast<unsigned>(fresh.notify_flags)) +
      " timeout=" + std::to_string(fresh.no_progress_timeout.count()) +
      " files=" + std::to_string(fresh.files.size()) + " name=" + job->display_name().value());
  say("resume without files: " + outcome(job->resume(), in));
  say("complete while suspended: " + outcome(job->complete(), in));
  say("add a relative path: " +
      outcome(job->add_file({in.url_a, "relative/a.bin", std::nullopt}), in));
  say("add an ftp url: " +
      outcome(job->add_file({"ftp://127.0.0.1/a.bin", (in.out / "x").string(), std::nullopt}), in));
  const std::vector<api::FileSpec> files = {{in.url_a, (in.out / "a.bin").string(), in.sha_a},
                                            {in.url_b, (in.out / "b.bin").string(), std::nullopt}};
  say("add two files: " + outcome(job->add_file_set(files), in));
  say("add a destination twice: " +
      outcome(job->add_file({in.url_a, (in.out / "b.bin").string(), std::nullopt}), in));
  say("files: " + std::to_string(job->files().value().size()));
  // Each call in its own statement: the operands of one expression have no order.
  const auto set_priority = outcome(job->set_priority(api::Priority::kHigh), in);
  say("set priority high: " + set_priority + " -> " +
      std::string(api::to_string(job->priority().value())));
  const auto set_timeout = outcome(job->set_no_progress_timeout(60s), in);
  say("set no-progress timeout: " + set_timeout + " -> " +
      std::to_string(job->no_progress_timeout().value().count()));
  say("set headers: " + outcome(job->set_http_headers({"X-Test: 1"}), in));
  // 3 MiB at 4 MiB/s: still running when it is resumed a second time.
  say("set a rate limit: " + outcome(job->set_max_bytes_per_second(4 << 20), in));
  say("set a bad header: " + outcome(job->set_http_headers({"no colon"}), in));
  // A patch is applied whole or not at all: its good setting does not land either.
  api::JobPatch patch;
  patch.priority = api::Priority::kLow;
  patch.http_headers = std::vector<std::string>{"no colon"};
  const auto patched = outcome(job->update(patch), in);
  say("patch with a bad header: " + patched + " -> " +
      std::string(api::to_string(job->priority().value())));
  const auto all = api::NotifyFlags::kJobTransferred | api::NotifyFlags::kJobError |
                   api::NotifyFlags::kFileTransferred;
  const auto set_flags = outcome(job->set_notify_flags(all), in);
  say("set notify flags: " + set_flags + " -> " +
      std::to_string(static_cast<unsigned>(job->notify_flags().value())));
  auto callback = std::make_shared<RecordingCallback>();
  const auto set_callback = outcome(job->set_notify_interface(callback), in);
  say("set callback: " + set_callback + " -> " +
      (job->notify_interface().value() == callback ? "same" : "other"));
  say("suspend while suspended: " + outcome(job->suspend(), in));
  say("resume: " + outcome(job->resume(), in));
  say("resume while running: " + outcome(job->resume(), in));
  const bool notified = callback->wait_for("transferred", 1, 60s);
  const auto done = job->info().value();
  say("transferred: notified=" + std::string(notified ? "yes" : "no") +
      " state=" + std::string(api::to_string(done.state)) +
      " bytes=" + std::to_string(done.progress.bytes_transferred) + "/" +
      std::to_string(done.progress.bytes_total.value_or(0)) +
      " files=" + std::to_string(done.progress.files_transferred) + " completed time set=" +
      (done.times.transfer_completion_time != api::Clock::time_point{} ? "yes" : "no"));
  const auto completed = outcome(job->complete(), in);
  say("complete: " + completed + " -> " + std::string(api::to_string(job->state().value())));
  say("callbacks: transferred=" + std::to_string(callback->count("transferred")) +
      " file_transferred=" + std::to_string(callback->count("file_transferred")) +
      " error=" + std::to_string(callback->count("error")));
  say("on disk: a=" + sha256_file(in.out / "a.bin").value_or("missing").substr(0, 12) +
      " b=" + std::to_string(fs::file_size(in.out / "b.bin")));
  say("suspend a final job: " + outcome(job->suspend(), in));
  say("add to a final job: " +
      outcome(job->add_file({in.url_a, (in.out / "c.bin").string(), std::nullopt}), in));
  say("callback on a final job: " + outcome(job->set_notify_interface(callback), in));
  say("unknown job: " +
      outcome(manager.get_job(*api::JobId::parse("00000000-0000-4000-8000-000000000001")), in));
  auto listed = manager.jobs().value();
  say("listed: " + std::to_string(std::count_if(listed.begin(), listed.end(),
                                                [&](auto& j) { return j->id() == job->id(); })));
  const auto infos = manager.job_infos().value();
  const auto info_of_job = std::find_if(infos.begin(), infos.end(),
                                        [&](const api::JobInfo& i) { return i.id == job->id(); });
  say("infos: " + std::to_string(infos.size() == listed.size()) + " " +
      (info_of_job != infos.end() ? std::string(api::to_string(info_of_job->state)) : "none"));

  auto failing = manager.create_job("failing").value();
  (void)failing->add_file({in.url_missing, (in.out / "missing.bin").string(), std::nullopt});
  auto failing_callback = std::make_shared<RecordingCallback>();
  (void)failing->set_notify_interface(failing_callback);
  (void)failing->resume();
  const bool failed = failing_callback->wait_for("error", 1, 60s);
  const auto failed_info = failing->info().value();
  const auto notes = failing_callback->notes();
  say("404: notified=" + std::string(failed ? "yes" : "no") +
      " state=" + std::string(api::to_string(failed_info.state)) + " error=" +
      (failed_info.error ? outcome_of(*failed_info.error, in) : "none") + " same in callback=" +
      (!notes.empty() && notes.front().error == failed_info.error ? "yes" : "no"));

  auto mismatch = manager.create_job("mismatch").value();
  (void)mismatch->add_file({in.url_a, (in.out / "c.bin").string(), std::string(64, '0')});
  auto mismatch_callback = std::make_shared<RecordingCallback>();
  (void)mismatch->set_notify_interface(mismatch_callback);
  (void)mismatch->resume();
  (void)mismatch_callback->wait_for("error", 1, 60s);
  const auto mismatch_info = mismatch->info().value();
  say("checksum: state=" + std::string(api::to_string(mismatch_info.state)) +
      " error=" + (mismatch_info.error ? outcome_of(*mismatch_info.error, in) : "none"));
  const auto cancelled = outcome(failing->cancel(), in);
  const auto cancelled_too = outcome(mismatch->cancel(), in);
  say("cancel: " + cancelled + " " + cancelled_too + " -> " +
      std::string(api::to_string(failing->state().value())));

  std::vector<std::string> left;
  for (const auto& entry : fs::directory_iterator(in.out)) {
    left.push_back(entry.path().filename().string());
  }
  std::sort(left.begin(), left.end());
  std::string names;
  for (const auto& name : left) names += (names.empty() ? "" : " ") + name;
  say("left on disk: " + names);
  return said;
}

const std::vector<std::string> kExpected = {
    "created: SUSPENDED normal DOWNLOAD notify=3 timeout=1209600 files=0 name=contract",
    "resume without files: no_files",
    "complete while suspended: invalid_state",
    "add a relative path: invalid_argument",
    "add an ftp url: invalid_argument",
    "add two files: ok",
    "add a destination twice: invalid_argument",
    "files: 2",
    "set priority high: ok -> high",
    "set no-progress timeout: ok -> 60",
    "set headers: ok",
    "set a rate limit: ok",
    "set a bad header: invalid_argument",
    "patch with a bad header: invalid_argument -> high",
    "set notify flags: ok -> 19",
    "set callback: ok -> same",
    "suspend while suspended: ok",
    "resume: ok",
    "resume while running: ok",
    "transferred: notified=yes state=TRANSFERRED bytes=3145728/3145728 files=2 completed time "
    "set=yes",
    "complete: ok -> ACKNOWLEDGED",
    "callbacks: transferred=1 file_transferred=2 error=0",
    "on disk: a=SHA_A b=2097152",
    "suspend a final job: job_is_final",
    "add to a final job: job_is_final",
    "callback on a final job: job_is_final",
    "unknown job: not_found",
    "listed: 1",
    "infos: 1 ACKNOWLEDGED",
    "404: notified=yes state=ERROR error=http_status 404 same in callback=yes",
    "checksum: state=ERROR error=checksum_mismatch",
    "cancel: ok ok -> CANCELLED",
    "left on disk: a.bin b.bin",
};

enum class Backend { kEmbedded, kDaemon };

class ContractTest : public ::testing::TestWithParam<Backend> {
 protected:
  void SetUp() override {
    input_.sha_a = env_.serve("a.bin", 1 << 20, 1);
    env_.serve("b.bin", 2 << 20, 2);
    input_.url_a = env_.url("/a.bin");
    input_.url_b = env_.url("/slow/b.bin");
    input_.url_missing = env_.url("/missing.bin");
  }

  // A manager of `backend` whose outputs go to out/NAME.
  std::shared_ptr<api::Manager> open(Backend backend, const std::string& name, ProgramInput& in) {
    in.out = env_.out() / name;
    fs::create_directories(in.out);
    if (backend == Backend::kEmbedded) {
      engine::EngineOptions options;
      options.min_retry_delay = 200ms;
      keep_peers_on_loopback(options.peer);
      auto manager = engine::open_local(env_.dir() / ("engine-" + name), options);
      EXPECT_TRUE(manager) << manager.error().describe();
      return manager.value_or(nullptr);
    }
    if (!env_.daemon()) {
      EXPECT_TRUE(env_.start_daemon());
    }
    auto manager = client::connect(env_.socket());
    EXPECT_TRUE(manager) << manager.error().describe();
    return manager.value_or(nullptr);
  }

  std::vector<std::string> expected() const {
    auto lines = kExpected;
    for (auto& line : lines) {
      if (const auto at = line.find("SHA_A"); at != std::string::npos) {
        line.replace(at, 5, input_.sha_a.substr(0, 12));
      }
    }
    return lines;
  }

  DaemonTestEnv env_;
  ProgramInput input_;
};

TEST_P(ContractTest, TheSameProgramGivesTheSameResults) {
  ProgramInput in = input_;
  auto manager = open(GetParam(), "run", in);
  ASSERT_NE(manager, nullptr);

  const auto said = run_program(*manager, in);

  EXPECT_EQ(said, expected());
}

INSTANTIATE_TEST_SUITE_P(Backends, ContractTest,
                         ::testing::Values(Backend::kEmbedded, Backend::kDaemon),
                         [](const ::testing::TestParamInfo<Backend>& info) {
                           return info.param == Backend::kEmbedded ? "Embedded" : "Daemon";
                         });

// Beyond kinds and codes: the very error messages match, line by line.
TEST_F(ContractTest, ErrorMessagesAreTheSameEmbeddedAndThroughTheDaemon) {
  ProgramInput embedded_in = input_;
  embedded_in.detailed = true;
  ProgramInput daemon_in = embedded_in;
  std::vector<std::string> embedded_said, daemon_said;
  {
    auto embedded = open(Backend::kEmbedded, "embedded", embedded_in);
    ASSERT_NE(embedded, nullptr);
    embedded_said = run_program(*embedded, embedded_in);
  }
  auto daemon = open(Backend::kDaemon, "daemon", daemon_in);
  ASSERT_NE(daemon, nullptr);
  daemon_said = run_program(*daemon, daemon_in);

  EXPECT_EQ(embedded_said, daemon_said);
}

}  // namespace
}  // namespace swarmcopy::test
