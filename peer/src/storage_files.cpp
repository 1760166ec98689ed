#include "storage_files.h"

namespace swarmcopy::peer {

std::shared_ptr<const util::UniqueFd> StorageFiles::offer(const lt::sha1_hash& best,
                                                          util::UniqueFd file) {
  auto held = std::make_shared<const util::UniqueFd>(std::move(file));
  std::lock_guard lock(mutex_);
  std::erase_if(files_, [](const auto& entry) { return entry.second.expired(); });
  files_[best] = held;
  return held;
}

std::shared_ptr<const util::UniqueFd> StorageFiles::find(const lt::sha1_hash& best) const {
  std::lock_guard lock(mutex_);
  auto it = files_.find(best);
  return it == files_.end() ? nullptr : it->second.lock();
}

}  // namespace swarmcopy::peer
