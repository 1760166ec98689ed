// Fuzzes swarmcopyd's config file (daemon/src/config.cpp) as the daemon reads it at start and
// on SIGHUP: read_config_file on the input as a file, apply_values over each mode's defaults,
// value_of for the log of what changed. Properties: no exception; a refusal is
// kInvalidArgument or (reading) kLocalIo; every key read is a known key; what value_of prints
// for an accepted setting is accepted again.
//
// The input is handed over as a file through a memfd (/proc/self/fd/N): read_config_file takes
// a path, and a memory file keeps the disk out of a loop that runs thousands of times a second.
#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>

#include "config.h"
#include "fuzz_check.h"

namespace {

using swarmcopy::daemon::Config;
using swarmcopy::daemon::DaemonMode;

// The input's file, kept open for the whole run.
struct InputFile {
  int fd = -1;
  std::string path;
};

const InputFile& input_file() {
  static const InputFile file = [] {
    InputFile made;
    made.fd = ::memfd_create("swarmcopyd.conf", 0);
    FUZZ_CHECK(made.fd >= 0, "memfd_create failed");
    made.path = "/proc/self/fd/" + std::to_string(made.fd);
    return made;
  }();
  return file;
}

void write_input(const std::uint8_t* data, std::size_t size) {
  const int fd = input_file().fd;
  FUZZ_CHECK(::ftruncate(fd, 0) == 0, "ftruncate failed");
  std::size_t done = 0;
  while (done < size) {
    const auto n = ::pwrite(fd, data + done, size - done, static_cast<off_t>(done));
    FUZZ_CHECK(n > 0, "pwrite failed");
    done += static_cast<std::size_t>(n);
  }
}

void check_apply(const swarmcopy::daemon::ConfigValues& values, DaemonMode mode) {
  Config config = swarmcopy::daemon::default_config(mode);
  auto applied = swarmcopy::daemon::apply_values(values, config);
  if (!applied) {
    FUZZ_CHECK(applied.error().kind == swarmcopy::api::ErrorKind::kInvalidArgument,
               "a bad value must be invalid_argument");
    return;
  }
  for (const auto& [key, value] : values) {
    const std::string shown = swarmcopy::daemon::value_of(config, key);
    Config again = swarmcopy::daemon::default_config(mode);
    FUZZ_CHECK(swarmcopy::daemon::apply_values({{key, shown}}, again).has_value(),
               "value_of prints a value the parser refuses");
    (void)swarmcopy::daemon::reloadable(key);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  write_input(data, size);
  auto values = swarmcopy::daemon::read_config_file(input_file().path);
  if (!values) {
    FUZZ_CHECK(values.error().kind == swarmcopy::api::ErrorKind::kInvalidArgument,
               "a bad line must be invalid_argument");
    return 0;
  }
  const auto& keys = swarmcopy::daemon::config_keys();
  for (const auto& [key, value] : *values) {
    FUZZ_CHECK(std::find(keys.begin(), keys.end(), key) != keys.end(), "an unknown key was read");
  }
  check_apply(*values, DaemonMode::kSystem);
  check_apply(*values, DaemonMode::kUser);
  return 0;
}
