// JobStore: the durable queue, one SQLite file (WAL, synchronous=FULL). Every mutating call is
// committed before it returns, so what a caller was told survives a crash. The schema is
// versioned (PRAGMA user_version) and migrated on open. Not thread-safe: the engine thread
// owns it.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <span>
#include <string_view>
#include <utility>
#include <vector>

#include "job_record.h"
#include "swarmcopy/api/error.h"

namespace swarmcopy::engine {

class JobStore {
 public:
  static api::Result<std::unique_ptr<JobStore>> open(const std::filesystem::path& file);
  ~JobStore();
  JobStore(const JobStore&) = delete;
  JobStore& operator=(const JobStore&) = delete;

  // Every job with its files, oldest first (by creation time, then id).
  api::Result<std::vector<JobRecord>> load_all();

  // A new job and its files (usually none yet).
  api::Result<void> insert_job(const JobRecord& job);
  // The job's own fields (not its files).
  api::Result<void> update_job(const JobRecord& job);
  // Appends files to a job, all in one transaction.
  api::Result<void> add_files(const api::JobId& id, std::span<const FileRecord> files);
  // One file's mutable fields: identity, completed, verified ranges, byte counters.
  api::Result<void> update_file(const api::JobId& id, const FileRecord& file);
  // The job row and one file in one transaction (progress + job times move together).
  api::Result<void> update_job_and_file(const JobRecord& job, const FileRecord& file);
  // Removes a job and its files (purge of old final jobs).
  api::Result<void> delete_job(const api::JobId& id);

  // Small named numbers the engine keeps across restarts (this month's uploads, the measured
  // download throughput); nullopt: never written.
  api::Result<std::optional<std::uint64_t>> counter(std::string_view name);
  // Writes them all in one transaction (a month and its count never part from each other).
  api::Result<void> set_counters(
      std::span<const std::pair<std::string_view, std::uint64_t>> values);

 private:
  struct Impl;
  explicit JobStore(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace swarmcopy::engine
