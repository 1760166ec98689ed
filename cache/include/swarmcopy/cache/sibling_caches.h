// SiblingCaches: the other content caches of the same user on this machine. A user may run
// several engines, each with its own home and cache (`swarmcopy get --home DIR`, the user
// daemon); without this, two homes fetch the same file twice. Each cache that shares adds its
// directory to the user's list (a directory of symbolic links, util::user_cache_list_dir()), and
// a cache that lacks an item looks for it in the others (ContentStore::import_from_siblings).
//
// Nothing found there is trusted. The list, each cache directory and each object must belong to
// this process's user and be writable by nobody else; objects are opened without following a
// link; an item must be complete and recorded as used by the asking uid (so content another
// user may not have stays where it is); and the copy is checked against the item's key before
// the asking cache keeps it. A system daemon serves several users and has no such list: it
// neither reads a user's caches nor offers its own.
//
// One fetch per content across the homes: the home that fetches an item holds a claim on it (an
// flock on <list>/fetching/<key>, so a killed process's claim ends with it); another home that
// wants the same item waits while the claim is held, then takes the item from the cache.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>

#include "swarmcopy/api/error.h"
#include "swarmcopy/util/unique_fd.h"

namespace swarmcopy::cache {

class SiblingCaches {
 public:
  // Adds the cache at `own` to the list at `list_dir` (made, mode 0700, when missing). An error
  // (a list another user could change, a file system that refuses): no sharing.
  static api::Result<SiblingCaches> join(const std::filesystem::path& list_dir,
                                         const std::filesystem::path& own);

  struct Item {
    util::UniqueFd object;  // opened read-only
    std::uint64_t size = 0;
    bool shared = false;  // fetched there at least once without credentials
    std::filesystem::path cache;
  };
  // The complete item `key`, recorded as used by `uid`, from the first other cache of the list
  // that has it. Entries whose cache is gone are removed from the list on the way.
  std::optional<Item> find(const std::string& key, std::uint32_t uid) const;

  // Held while this process fetches an item; released when it dies.
  class FetchClaim {
   public:
    FetchClaim(FetchClaim&&) noexcept = default;
    FetchClaim& operator=(FetchClaim&&) noexcept = default;
    ~FetchClaim();

   private:
    friend class SiblingCaches;
    FetchClaim(util::UniqueFd lock, std::filesystem::path path)
        : lock_(std::move(lock)), path_(std::move(path)) {}
    util::UniqueFd lock_;
    std::filesystem::path path_;
  };
  // The claim on `key`, or nullopt while another process holds it. A list it cannot use (gone,
  // not this user's alone) gives a claim that guards nothing: this home fetches for itself.
  std::optional<FetchClaim> try_claim(const std::string& key) const;
  // A claim that guards nothing (a cache without siblings).
  static FetchClaim no_claim() { return FetchClaim({}, {}); }

  const std::filesystem::path& list_dir() const { return list_dir_; }

 private:
  SiblingCaches(std::filesystem::path list_dir, std::filesystem::path own)
      : list_dir_(std::move(list_dir)), own_(std::move(own)) {}

  std::optional<Item> find_in(const std::filesystem::path& cache, const std::string& key,
                              std::uint32_t uid) const;

  std::filesystem::path list_dir_;
  std::filesystem::path own_;  // canonical
};

}  // namespace swarmcopy::cache
