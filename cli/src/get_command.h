// GetCommand: `swarmcopy get URL [-o PATH] ...`, a one-shot download with the embedded engine
// (or, with --daemon, in swarmcopyd). Owns the command line of `get` (options, validation, --help
// text); GetSession does the work.
#pragma once

#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "command.h"
#include "common_options.h"
#include "swarmcopy/engine/engine_options.h"

namespace swarmcopy::cli {

class GetCommand final : public Command {
 public:
  explicit GetCommand(CLI::App& app);
  bool chosen() const override { return command_->parsed(); }
  int run() override;

 private:
  CLI::App* command_;
  CommonOptions common_;
  std::string url_;
  std::string output_;
  bool create_dirs_ = false;
  std::string sha256_;
  std::string checksums_;  // --checksums URL
  std::string priority_ = "foreground";
  std::vector<std::string> headers_;
  std::string limit_rate_;
  std::string proxy_;
  std::string proxy_bypass_;
  std::string no_progress_timeout_;
  bool json_ = false;
  bool explain_ = false;
  bool quiet_ = false;
  bool json_progress_ = false;
  bool daemon_ = false;
  std::string socket_;
  std::string mode_;
  std::string metadata_;
  std::vector<std::string> peers_;
  std::string listen_;
  bool no_lsd_ = false;
  std::string group_id_;
  std::vector<std::string> trackers_;
  std::string group_ca_file_;
  std::string group_cert_file_;
  std::string group_key_file_;
  std::string vpn_interfaces_;
  std::string min_free_disk_;
  std::string min_peer_file_size_;
  std::string seed_time_;
  std::string upload_limit_;
  int max_peers_ = engine::PeerOptions{}.max_connections;
  // The embedded engine's peer options (--peer ... --seed-time): a daemon cannot apply them.
  std::vector<CLI::Option*> peer_options_;
};

}  // namespace swarmcopy::cli
