#include "publish_command.h"

#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "error_text.h"
#include "exit_code.h"
#include "format_units.h"
#include "parse_units.h"
#include "printable.h"
#include "swarmcopy/engine/publish.h"

namespace swarmcopy::cli {

PublishCommand::PublishCommand(CLI::App& app) {
  command_ = app.add_subcommand("publish", "Write FILE.torrent (v2 hybrid metainfo) beside files");
  command_->add_option("FILE", files_, "Files an origin serves")
      ->required()
      ->check(CLI::ExistingFile);
  command_->add_option("--piece-size", piece_size_,
                       "Piece size: a power of two of at least 16K (e.g. 256K, 1M); default: "
                       "chosen from the file's size");
  command_->add_flag("--json", json_, "Print one JSON object per file on stdout");
  command_->footer(
      "Put FILE.torrent next to FILE on the origin (at the file's URL + .torrent): it is the "
      "content identity\nevery piece is verified against, whoever sends it.\nExit codes: 0 done, 1 "
      "usage error, 2 failure (one 'swarmcopy: error: ...' line "
      "on stderr per file that failed).");
}

int PublishCommand::run() {
  const auto piece_size = parse_rate(piece_size_);  // same grammar: a number and a binary suffix
  const bool power_of_two = piece_size && (*piece_size & (*piece_size - 1)) == 0;
  if (!piece_size || (*piece_size != 0 &&
                      (!power_of_two || *piece_size < (16u << 10) || *piece_size > (1u << 30)))) {
    fmt::print(stderr, "swarmcopy: error: --piece-size: {}\n",
               piece_size ? "a power of two from 16K to 1G" : piece_size.error());
    return kExitUsage;
  }
  int exit_code = kExitOk;
  for (const auto& file : files_) {
    auto meta = engine::publish_file(file, static_cast<std::uint32_t>(*piece_size));
    if (!meta) {
      fmt::print(stderr, "swarmcopy: error: {}\n", printable(error_text(meta.error())));
      exit_code = kExitFailure;
      continue;
    }
    const auto torrent = meta->metainfo.string();
    if (json_) {
      const nlohmann::json line = {{"file", file},
                                   {"metainfo", torrent},
                                   {"size", meta->size},
                                   {"piece_size", meta->piece_size},
                                   {"pieces", meta->pieces},
                                   {"info_hash_v2", meta->info_hash_v2},
                                   {"info_hash_v1", meta->info_hash_v1}};
      fmt::print("{}\n", line.dump());
    } else {
      fmt::print("{}  {} pieces of {}  v2 {}\n", torrent, meta->pieces,
                 format_bytes(meta->piece_size), meta->info_hash_v2);
    }
  }
  return exit_code;
}

}  // namespace swarmcopy::cli
