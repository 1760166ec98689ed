#include "swarmcopy/cache/sibling_caches.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstring>
#include <system_error>
#include <vector>

#include "swarmcopy/sqlite/connection.h"
#include "swarmcopy/util/sha256.h"

namespace swarmcopy::cache {
namespace {

api::Error list_error(std::string message, const std::filesystem::path& file, int err = 0) {
  if (err != 0) message += std::string(": ") + std::strerror(err);
  return api::Error{
      api::ErrorContext::kCache, api::ErrorKind::kLocalIo, err, std::move(message), file.string(),
      api::Protocol::kLocal};
}

// This user's, and nobody else may change it: the only kind of directory or file read here.
bool owned_and_private(const struct stat& st) {
  return st.st_uid == ::geteuid() && (st.st_mode & (S_IWGRP | S_IWOTH)) == 0;
}

// The list's entry for a cache: the hex SHA-256 of its canonical path (a fixed-length name,
// whatever the path's length).
std::string entry_name(const std::filesystem::path& cache) {
  return util::sha256_hex(cache.string());
}

// A cache key names one object file in one directory: nothing that could leave it.
bool plain_key(const std::string& key) {
  return !key.empty() && key[0] != '.' && key.find('/') == std::string::npos;
}

// The list directory, opened without following a link, if it is this user's alone.
util::UniqueFd open_list(const std::filesystem::path& list_dir) {
  util::UniqueFd dir(::open(list_dir.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
  struct stat st {};
  if (!dir.valid() || ::fstat(dir.get(), &st) != 0 || !owned_and_private(st)) return {};
  return dir;
}

}  // namespace

api::Result<SiblingCaches> SiblingCaches::join(const std::filesystem::path& list_dir,
                                               const std::filesystem::path& own) {
  std::error_code ec;
  const auto canonical = std::filesystem::canonical(own, ec);
  if (ec) return std::unexpected(list_error("cannot resolve the cache", own, ec.value()));
  std::filesystem::create_directories(list_dir.parent_path(), ec);
  if (::mkdir(list_dir.c_str(), 0700) != 0 && errno != EEXIST) {
    return std::unexpected(list_error("cannot make the list of caches", list_dir, errno));
  }
  util::UniqueFd dir = open_list(list_dir);
  if (!dir.valid()) {
    return std::unexpected(list_error(
        "the list of caches is not a directory of this user's that only it may change", list_dir));
  }
  const auto name = entry_name(canonical);
  if (::symlinkat(canonical.c_str(), dir.get(), name.c_str()) != 0 && errno != EEXIST) {
    return std::unexpected(list_error("cannot add the cache to the list", list_dir / name, errno));
  }
  return SiblingCaches(list_dir, canonical);
}

SiblingCaches::FetchClaim::~FetchClaim() {
  // Gone before the lock is let go: the next fetcher makes a new file. (One that opened this
  // one meanwhile may take its lock too: then two homes fetch, as without a claim.)
  if (lock_.valid() && !path_.empty()) ::unlink(path_.c_str());
}

std::optional<SiblingCaches::FetchClaim> SiblingCaches::try_claim(const std::string& key) const {
  if (!plain_key(key)) return FetchClaim({}, {});
  util::UniqueFd dir = open_list(list_dir_);
  if (!dir.valid()) return FetchClaim({}, {});
  if (::mkdirat(dir.get(), "fetching", 0700) != 0 && errno != EEXIST) return FetchClaim({}, {});
  util::UniqueFd fetching(
      ::openat(dir.get(), "fetching", O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
  struct stat st {};
  if (!fetching.valid() || ::fstat(fetching.get(), &st) != 0 || !owned_and_private(st)) {
    return FetchClaim({}, {});
  }
  util::UniqueFd lock(
      ::openat(fetching.get(), key.c_str(), O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600));
  if (!lock.valid()) return FetchClaim({}, {});
  if (::flock(lock.get(), LOCK_EX | LOCK_NB) != 0) {
    if (errno == EWOULDBLOCK) return std::nullopt;
    return FetchClaim({}, {});
  }
  return FetchClaim(std::move(lock), list_dir_ / "fetching" / key);
}

std::optional<SiblingCaches::Item> SiblingCaches::find(const std::string& key,
                                                       std::uint32_t uid) const {
  if (!plain_key(key)) return std::nullopt;
  util::UniqueFd dir = open_list(list_dir_);
  if (!dir.valid()) return std::nullopt;  // changed since join(): no longer trusted
  std::error_code ec;
  std::vector<std::string> names;
  for (const auto& entry : std::filesystem::directory_iterator(list_dir_, ec)) {
    names.push_back(entry.path().filename().string());
  }
  for (const auto& name : names) {
    std::array<char, 4096> target{};
    const auto length = ::readlinkat(dir.get(), name.c_str(), target.data(), target.size() - 1);
    if (length <= 0) continue;  // not a link: not ours to read
    const std::filesystem::path cache(std::string(target.data(), static_cast<std::size_t>(length)));
    if (!cache.is_absolute() || cache == own_) continue;
    struct stat st {};
    if (::stat(cache.c_str(), &st) != 0) {
      // That home was removed: so is its entry.
      if (errno == ENOENT) ::unlinkat(dir.get(), name.c_str(), 0);
      continue;
    }
    if (!S_ISDIR(st.st_mode) || !owned_and_private(st)) continue;
    if (auto item = find_in(cache, key, uid)) return item;
  }
  return std::nullopt;
}

std::optional<SiblingCaches::Item> SiblingCaches::find_in(const std::filesystem::path& cache,
                                                          const std::string& key,
                                                          std::uint32_t uid) const {
  // Complete items only (a partial one is in `partials`, not `items`), used by this uid there.
  auto db = sqlite::SqliteConnection::open_read_only(cache / "index.sqlite",
                                                     "cannot read another cache's index");
  if (!db) return std::nullopt;
  auto stmt = db->prepare(
      "SELECT i.size, EXISTS(SELECT 1 FROM shared_items s WHERE s.key = i.key) FROM items i "
      "JOIN item_users u ON u.key = i.key AND u.uid = ?2 WHERE i.key = ?1");
  if (!stmt) return std::nullopt;  // not a cache index (or one of another version)
  std::uint64_t size = 0;
  bool shared = false;
  {
    auto use = stmt->use();
    stmt->bind(1, key);
    stmt->bind(2, static_cast<std::int64_t>(uid));
    if (stmt->step() != SQLITE_ROW) return std::nullopt;
    size = static_cast<std::uint64_t>(stmt->column_int64(0));
    shared = stmt->column_int64(1) != 0;
  }
  util::UniqueFd objects(
      ::open((cache / "objects").c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
  if (!objects.valid()) return std::nullopt;
  util::UniqueFd object(::openat(objects.get(), key.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC));
  struct stat st {};
  if (!object.valid() || ::fstat(object.get(), &st) != 0 || !S_ISREG(st.st_mode) ||
      st.st_uid != ::geteuid() || static_cast<std::uint64_t>(st.st_size) != size) {
    return std::nullopt;
  }
  return Item{std::move(object), size, shared, cache};
}

}  // namespace swarmcopy::cache
