// The embedded engine (as root here) while the owner of a job plays with its temporary file:
// the engine never re-opens that path to read or sync it. A FIFO in its place must neither
// block the engine thread (every caller's API calls would hang) nor a pool thread (every
// download would stall); the job's data is read through the descriptor the transfer holds, and
// Complete refuses a temporary file that is no longer the regular file the job wrote.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <future>
#include <iterator>
#include <random>

#include "fault_server/fault_server.h"
#include "job_waiter.h"
#include "nginx/test_files.h"
#include "swarmcopy/engine/local_manager.h"
#include "swarmcopy/peer/metainfo.h"
#include "test_dir/test_dir.h"

namespace swarmcopy::test {
namespace {

using api::JobState;
using namespace std::chrono_literals;

class HostileFilesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::mt19937_64 rng(7);
    body_.resize(1 << 20);
    for (auto& c : body_) c = static_cast<char>(rng());
    server_.set_content(body_, "\"v1\"", "Wed, 21 Oct 2026 07:28:00 GMT");
    options_.min_retry_delay = 50ms;
    options_.checkpoint_interval = 50ms;
    options_.peer.local_discovery = false;  // no peer can exist: the swarm gives the file back at once
  }

  void TearDown() override {
    // If a test failed with the engine blocked on the FIFO, a writer releases it so that the
    // engine can shut down.
    if (!fifo_.empty()) release_fifo();
  }

  std::shared_ptr<api::Job> start(const std::string& path, std::uint64_t rate = 0) {
    auto manager = engine::open_local(state_.path(), options_);
    EXPECT_TRUE(manager) << manager.error().describe();
    manager_ = *manager;
    auto job = *manager_->create_job("hostile files");
    auto added = job->add_file({server_.url(path), dest(), std::nullopt});
    EXPECT_TRUE(added) << added.error().describe();
    if (rate > 0) {
      EXPECT_TRUE(job->set_max_bytes_per_second(rate));
    }
    waiter_ = JobWaiter::attach(*job);
    EXPECT_TRUE(job->resume());
    return job;
  }

  std::string dest() const { return out_ / "file.bin"; }
  std::string temp_of(api::Job& job) const {
    return (out_.path() / (".file.bin." + job.id().to_string() + "-0.part")).string();
  }

  // The owner replaces the temporary file with a FIFO (the old file moves aside).
  void put_fifo_at(const std::string& path) {
    ASSERT_EQ(::rename(path.c_str(), (path + ".moved").c_str()), 0) << std::strerror(errno);
    ASSERT_EQ(::mkfifo(path.c_str(), 0600), 0) << std::strerror(errno);
    fifo_ = path;
  }
  void release_fifo() {
    const int fd = ::open(fifo_.c_str(), O_WRONLY | O_NONBLOCK | O_CLOEXEC);
    if (fd >= 0) ::close(fd);
  }

  api::JobInfo wait_final(api::Job& job) {
    return waiter_->wait_until(job, [](const api::JobInfo& i) {
      return i.state == JobState::kTransferred || i.state == JobState::kError;
    });
  }

  FaultServer server_;
  std::string body_;
  engine::EngineOptions options_;
  TestDir state_;
  TestDir out_;
  std::shared_ptr<api::Manager> manager_;
  std::shared_ptr<JobWaiter> waiter_;
  std::string fifo_;
};

TEST_F(HostileFilesTest, AFifoInPlaceOfTheTemporaryFileDoesNotFreezeComplete) {
  auto job = start("/f");
  ASSERT_EQ(wait_final(*job).state, JobState::kTransferred);
  put_fifo_at(temp_of(*job));

  auto completing = std::async(std::launch::async, [&job] { return job->complete(); });
  ASSERT_EQ(completing.wait_for(20s), std::future_status::ready)
      << "Complete opened the FIFO and waits for a writer";
  const auto completed = completing.get();
  ASSERT_FALSE(completed);
  EXPECT_EQ(completed.error().kind, api::ErrorKind::kLocalIo);
  EXPECT_NE(completed.error().message.find("replaced"), std::string::npos)
      << completed.error().describe();
  // Nothing moved, and the engine still answers.
  EXPECT_FALSE(std::filesystem::exists(dest()));
  auto info = job->info();
  ASSERT_TRUE(info) << info.error().describe();
  EXPECT_EQ(info->state, JobState::kTransferred);
}

TEST_F(HostileFilesTest, TheFinalPieceCheckReadsTheDescriptorNotThePath) {
  // Published metadata, and an origin that ignores Range: no piece can be checked on the way,
  // so the whole file is checked against the piece hashes once it is written.
  TestDir published;
  const auto file = published.path() / "f";
  {
    std::ofstream out(file, std::ios::binary);
    out << body_;
  }
  auto meta = peer::publish(file);
  ASSERT_TRUE(meta) << meta.error().describe();
  server_.set_content_at("/f.torrent", std::string(meta->bytes.begin(), meta->bytes.end()));
  server_.set_fault("/f", Fault::ignore_range());

  auto job = start("/f", 256 << 10);  // about 4 s: time to swap the file mid-way
  const auto temp = temp_of(*job);
  // The one stream from the origin is writing the temporary file (the swarm wrote nothing).
  const auto writing = waiter_->wait_until(
      *job, [](const api::JobInfo& info) { return info.progress.bytes_transferred > 0; });
  ASSERT_GT(writing.progress.bytes_transferred, 0u) << "the download never started";
  ASSERT_LT(writing.progress.bytes_transferred, body_.size());
  put_fifo_at(temp);

  const auto info = wait_final(*job);
  ASSERT_EQ(info.state, JobState::kTransferred)
      << "the piece check opened the path (a FIFO now) instead of reading its descriptor: "
      << (info.error ? info.error->describe() : "");
  // The bytes the transfer wrote are intact in the file it holds (moved aside by the owner).
  std::ifstream moved(temp + ".moved", std::ios::binary);
  EXPECT_EQ(std::string(std::istreambuf_iterator<char>(moved), {}), body_);
  const auto completed = job->complete();
  ASSERT_FALSE(completed);
  EXPECT_NE(completed.error().message.find("replaced"), std::string::npos);
}

}  // namespace
}  // namespace swarmcopy::test
