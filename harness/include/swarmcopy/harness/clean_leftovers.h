// clean_leftovers: removes what labs whose close() never ran (a crash, kill -9) left behind:
// every network namespace whose name starts with `prefix` — after killing the processes still
// inside it — and every veth or bridge link whose name does. For `swarmcopy-lab clean`.
// Labs still running under that prefix lose their namespaces too: pass a lab's own prefix
// ("sc-3fa9c1-") to clean one lab, "sc-" to clean them all. Any thread.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "swarmcopy/api/error.h"

namespace swarmcopy::harness {

// Links of other kinds (a physical eth0, a tunnel) are never touched, whatever their names.
// `prefix` must be at least 2 characters of [A-Za-z0-9_.-] and end in '-', so that neither
// "" nor "eth" can empty the machine. Returns the names removed, namespaces first. Error:
// a bad prefix, not privileged, or something that could not be removed (the message lists it;
// everything else was removed anyway).
api::Result<std::vector<std::string>> clean_leftovers(std::string_view prefix);

// What clean_leftovers would find, without removing anything — and links of every kind: for
// tests that check a lab left nothing. "netns NAME" and "link NAME" entries. Error: `ip`
// failed.
api::Result<std::vector<std::string>> find_leftovers(std::string_view prefix);

}  // namespace swarmcopy::harness
