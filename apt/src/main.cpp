// swarmcopy+http and swarmcopy+https: apt's transport method (method.h). apt starts it by the
// URI's scheme from Dir::Bin::Methods and talks to it on stdin/stdout; the scheme in each URI
// says http or https, so one binary serves both names.
#include <curl/curl.h>
#include <signal.h>

#include <unistd.h>
#include <csignal>

#include <spdlog/spdlog.h>

#include "swarmcopy/apt/method.h"

namespace {

volatile std::sig_atomic_t g_stop = 0;

void on_stop_signal(int) { g_stop = 1; }

}  // namespace

int main() {
  ::signal(SIGPIPE, SIG_IGN);  // apt closing our stdout is an EOF to handle, not a death
  // Interrupted (Ctrl-C reaches the whole process group, apt's methods included): the method
  // cancels a daemon job in flight before it exits. No SA_RESTART: the wait's poll returns.
  struct sigaction action {};
  action.sa_handler = on_stop_signal;
  sigemptyset(&action.sa_mask);
  ::sigaction(SIGINT, &action, nullptr);
  ::sigaction(SIGTERM, &action, nullptr);
  // stdout is apt's channel: the client library's spdlog lines (stdout by default) must not
  // reach it. What apt should know goes in protocol messages (101 Log with
  // Debug::Acquire::swarmcopy).
  spdlog::set_level(spdlog::level::off);
  curl_global_init(CURL_GLOBAL_DEFAULT);
  swarmcopy::apt::Method method(STDIN_FILENO, STDOUT_FILENO, &g_stop);
  const int code = method.run();
  curl_global_cleanup();
  return code;
}
