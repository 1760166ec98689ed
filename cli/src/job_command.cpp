#include "job_command.h"

#include <unistd.h>

#include <filesystem>
#include <optional>
#include <system_error>

#include <fmt/format.h>

#include "daemon_discovery.h"
#include "exit_code.h"
#include "file_list.h"
#include "job_reference.h"
#include "job_resolver.h"
#include "job_settings.h"
#include "job_waiter.h"
#include "job_watch.h"
#include "logging.h"
#include "parse_units.h"
#include "swarmcopy/client/remote_manager.h"
#include "swarmcopy/engine/checksum_source.h"
#include "url_path.h"
#include "usage.h"
#include "validators.h"

namespace swarmcopy::cli {
namespace {

constexpr const char* kDetails =
    "Jobs live in swarmcopyd: --socket PATH, else $SWARMCOPY_SOCKET, else the system daemon\n"
    "(/run/swarmcopy/swarmcopyd.sock) when it answers, else the user daemon\n"
    "($XDG_RUNTIME_DIR/swarmcopy/swarmcopyd.sock), started on demand. JOB is a job id or a\n"
    "prefix of 4 characters or more that only one job has.\n"
    "Exit codes: 0 done, 1 usage error, 2 failure (one 'swarmcopy: error: ...' line on\n"
    "stderr); watch: 0 TRANSFERRED or ACKNOWLEDGED, 2 ERROR or CANCELLED, 3 SUSPENDED, 130\n"
    "interrupted (the job is left as it is).\n"
    "--json: every verb prints the job object after acting (list: an array; watch: one object\n"
    "per line as the job changes; failures: {\"error\": ...}): id, name, type, state, priority,\n"
    "owner_uid, bytes_total (null while unknown), bytes_transferred, files_total,\n"
    "files_transferred, from_origin, from_peers, from_cache, refetched, origin_ignores_range,\n"
    "uploaded, peers_seen, peers_connected, peers [{addr, bytes_down, bytes_up}],\n"
    "peers_unused_reason, files [{url, path, sha256, metadata_url, mode, bytes_total,\n"
    "bytes_transferred, completed, and the same source fields}], error, times {created,\n"
    "modified, transferred}, no_progress_timeout, notify_flags, http_headers,\n"
    "max_bytes_per_second, description, min_retry_delay_ms,\n"
    "error_count (transient errors over the job's life), notify_cmd [program, args...],\n"
    "notify_cmd_status (its last exit status; 128+N: killed by signal N; null: not run),\n"
    "proxy {usage: system|none|override, url (password masked), bypass [hosts]}.";

api::Error caller_error(api::ErrorKind kind, std::string message, std::string file) {
  return api::Error{api::ErrorContext::kCaller, kind, 0, std::move(message), std::move(file),
                    api::Protocol::kNone};
}

// PATH of `job add`: relative to the current directory; a directory (or a path ending in
// '/') gets the URL's file name, as `get -o` does.
std::expected<std::filesystem::path, std::string> destination(const std::string& url,
                                                              const std::string& path_text) {
  std::error_code ec;
  std::filesystem::path path(path_text);
  if (path_text.ends_with('/') || std::filesystem::is_directory(path, ec)) {
    auto name = file_name_from_url(url);
    if (!name)
      return std::unexpected(fmt::format("cannot take a file name from {}: give a file PATH", url));
    path /= *name;
  }
  path = std::filesystem::absolute(path, ec).lexically_normal();
  if (ec) return std::unexpected(fmt::format("bad PATH {}: {}", path_text, ec.message()));
  return path;
}

}  // namespace

JobCommand::JobCommand(CLI::App& app)
    : command_(app.add_subcommand("job", "Manage download jobs in the swarmcopy daemon")) {
  command_->footer(kDetails);
  command_->require_subcommand(1);
  // Shared by every verb: on `job`, and each verb falls through to them (add_verb), so they
  // may come before the verb or after it (`job --json list`, `job list --json`).
  command_->add_option("--socket", socket_, "The daemon's socket (default: see below)")
      ->type_name("PATH");
  command_->add_flag("--json", json_, "Print the job as JSON on stdout (see below)");
  command_->add_flag("-v,--verbose", verbosity_, "More log output on stderr (repeat for more)");

  auto* create = add_verb(Verb::kCreate, "create",
                          "Create a job (SUSPENDED: add files, then resume); prints its id");
  create->add_option("NAME", name_, "Display name of the job")->required();

  auto* add = add_verb(Verb::kAdd, "add",
                       "Add files to a job, all or none; the setting options change the job "
                       "first, as `job set` does");
  add_job_argument(add);
  add->add_option("URL PATH", file_args_,
                  "http:// or https:// URL of a file and where to save it (relative to the "
                  "current directory; a directory gets the URL's file name); more pairs may "
                  "follow")
      ->type_name("");
  add->add_option("--from", from_,
                  "Read more files from FILE ('-': stdin): one 'URL PATH' per line, blank lines "
                  "and # comments ignored")
      ->type_name("FILE");
  add->add_option("--sha256", sha256_,
                  "Expected SHA-256 of the whole file (64 hex digits); a mismatch fails the job "
                  "(one file only)")
      ->type_name("HEX")
      ->check(validator(parse_sha256, "SHA256"));
  add->add_option("--checksums", checksums_,
                  "URL of a checksum list (SHA256SUMS, sha256sum or BSD format, or a one-line "
                  ".sha256 file): each file's SHA-256 is the one it gives for the file's name, "
                  "as if given with --sha256 (fetched now, by you)")
      ->type_name("URL")
      ->check(validator(parse_http_url, "URL"))
      ->excludes("--sha256");
  add->add_option("--metadata", metadata_,
                  "URL of the file's metadata (default: URL with .torrent added to its path; "
                  "one file only)")
      ->type_name("URL")
      ->check(validator(parse_http_url, "URL"));
  add->add_option(
         "--mode", mode_,
         "lan (LAN peers, origin and cache), group (the daemon's group), http-only or bypass; "
         "default: the "
         "engine's (lan)")
      ->type_name("MODE")
      ->check(CLI::IsMember({"lan", "group", "http-only", "bypass"}));
  settings_.add_options(add);

  add_job_argument(
      add_verb(Verb::kResume, "resume", "Start or restart a job (a running job: nothing to do)"));
  add_job_argument(add_verb(Verb::kSuspend, "suspend",
                            "Pause a job, keeping what is downloaded (a suspended job: nothing "
                            "to do)"));
  add_job_argument(
      add_verb(Verb::kCancel, "cancel", "Stop a job for good and delete its temporary files"));
  add_job_argument(add_verb(Verb::kComplete, "complete",
                            "Move the files of a TRANSFERRED job into place, all at once"));
  add_job_argument(
      add_verb(Verb::kTakeOwnership, "take-ownership",
               "Make another user's job yours (root; BITS TakeOwnership): its files "
               "start over, written as you, and it leaves their list. Another user's job: give its "
               "whole id (job list --all shows it)"));
  add_job_argument(add_verb(Verb::kShow, "show", "Print a job"));
  add_job_argument(add_verb(Verb::kExplain, "explain",
                            "Why each file's bytes came from where they came: peers seen (how "
                            "found, bytes each way, why used or not), origin requests (byte "
                            "ranges, why each was made), the decisions taken"));

  auto* list = add_verb(Verb::kList, "list", "List your jobs, oldest first");
  list->add_flag("--all", all_, "Every user's jobs (root only; others see their own anyway)");

  add_job_argument(add_verb(Verb::kWatch, "watch",
                            "Follow a job until it is TRANSFERRED (exit 0), ERROR or CANCELLED "
                            "(exit 2) or SUSPENDED (exit 3)"));

  auto* set = add_verb(Verb::kSet, "set", "Change a job's settings");
  add_job_argument(set);
  settings_.add_options(set);
}

CLI::App* JobCommand::add_verb(Verb verb, const std::string& name, const std::string& description) {
  auto* sub = command_->add_subcommand(name, description);
  sub->footer(kDetails);
  sub->fallthrough();  // the options on `job` (see the constructor)
  if (verb == Verb::kWatch) {
    sub->add_flag("-q,--quiet", quiet_, "No progress bar");
  }
  verbs_.push_back({verb, sub});
  return sub;
}

void JobCommand::add_job_argument(CLI::App* verb) {
  verb->add_option("JOB", job_,
                   "The job's id, or a prefix of it (4 characters at least) that only one job "
                   "has")
      ->required()
      ->check(validator(parse_job_reference, "JOB"));
}

int JobCommand::usage_error(const std::string& message) const {
  fmt::print(stderr, "{}", usage_error_text(*chosen_verb_, message));
  return kExitUsage;
}

int JobCommand::run() {
  configure_logging(verbosity_);
  std::optional<Verb> verb;
  for (const auto& candidate : verbs_) {
    if (candidate.command->parsed()) {
      verb = candidate.verb;
      chosen_verb_ = candidate.command;
    }
  }
  if (!verb) return kExitUsage;  // unreachable: require_subcommand(1)
  const JobOutput output(json_);

  std::vector<api::FileSpec> files;
  if (*verb == Verb::kAdd) {
    // Before the daemon is asked anything: a bad file list is a usage error, and adds nothing.
    auto read = file_specs();
    if (!read) return usage_error(read.error());
    files = std::move(*read);
    if (!checksums_.empty()) {
      // Resolved here, by the caller, like a --sha256 the caller typed (checksum_source.h).
      std::vector<std::string> names;
      for (const auto& file : files) {
        auto name = file_name_from_url(file.url);
        if (!name) return usage_error("--checksums: " + file.url + " names no file to look up");
        names.push_back(std::move(*name));
      }
      auto hashes = engine::sha256s_from_checksums(checksums_, names);
      if (!hashes) return output.failure(hashes.error());
      for (std::size_t i = 0; i < files.size(); ++i) files[i].sha256 = (*hashes)[i];
    }
  }
  if (*verb == Verb::kSet && settings_.patch(*chosen_verb_).empty()) {
    return usage_error(std::string("nothing to set: give ") + JobSettings::option_names());
  }

  // Before any thread exists (the client starts its event thread for watch's callback): the
  // signals must wait in the signalfd, not kill the process.
  std::optional<JobWaiter> waiter;
  if (*verb == Verb::kWatch) {
    auto created = JobWaiter::create();
    if (!created) {
      return output.failure(caller_error(api::ErrorKind::kInternal, created.error(), {}));
    }
    waiter.emplace(std::move(*created));
  }

  DaemonChoice choice;
  if (!socket_.empty()) choice.socket_flag = std::filesystem::path(socket_);
  choice.auto_start = AutoStart::kYes;
  auto socket = find_daemon(choice);
  if (!socket) return output.failure(socket.error());
  client::ConnectOptions options;
  options.all_users = *verb == Verb::kList && all_;
  auto manager = client::connect(*socket, options);
  if (!manager) return output.failure(manager.error());
  return run_verb(*verb, **manager, output, waiter ? &*waiter : nullptr, files);
}

int JobCommand::run_verb(Verb verb, api::Manager& manager, const JobOutput& output,
                         JobWaiter* waiter, const std::vector<api::FileSpec>& files) {
  if (verb == Verb::kCreate) {
    auto job = manager.create_job(name_);
    if (!job) return output.failure(job.error());
    auto info = (*job)->info();
    if (!info) return output.failure(info.error());
    if (!output.json()) {
      fmt::print(stdout, "{}\n", info->id.to_string());
      return kExitOk;
    }
    return output.acted(*info);
  }
  if (verb == Verb::kList) {
    auto jobs = manager.job_infos();
    if (!jobs) return output.failure(jobs.error());
    return output.list(*jobs);
  }

  auto job = resolve_job(manager, job_);
  if (!job) return output.failure(job.error());
  const auto fail = [&](api::Error error) {
    return output.failure(about(**job, std::move(error)));
  };
  api::Result<void> acted;
  switch (verb) {
    case Verb::kAdd:
      return add(**job, output, files);
    case Verb::kSet:
      return set(**job, output);
    case Verb::kWatch:
      return JobWatch(*job, *waiter, output, !quiet_ && ::isatty(STDERR_FILENO) == 1).run();
    case Verb::kResume:
      acted = (*job)->resume();
      break;
    case Verb::kSuspend:
      acted = (*job)->suspend();
      break;
    case Verb::kCancel:
      acted = (*job)->cancel();
      break;
    case Verb::kComplete:
      acted = (*job)->complete();
      break;
    case Verb::kTakeOwnership:
      acted = (*job)->take_ownership();
      break;
    case Verb::kExplain:
      return explain(**job, output);
    default:
      break;
  }
  if (!acted) return fail(acted.error());
  auto info = (*job)->info();
  if (!info) return fail(info.error());
  return verb == Verb::kShow ? output.details(*info) : output.acted(*info);
}

api::Error JobCommand::about(const api::Job& job, api::Error error) {
  if (error.file.empty()) error.file = job.id().to_string();
  return error;
}

std::expected<std::vector<api::FileSpec>, std::string> JobCommand::file_specs() const {
  if (file_args_.size() % 2 != 0) {
    return std::unexpected("URL " + file_args_.back() + " has no PATH: give URL PATH pairs");
  }
  std::vector<FileLine> lines;
  for (std::size_t i = 0; i < file_args_.size(); i += 2) {
    lines.push_back({file_args_[i], file_args_[i + 1], ""});
  }
  if (!from_.empty()) {
    auto read = read_file_list(from_);
    if (!read) return std::unexpected(read.error());
    lines.insert(lines.end(), read->begin(), read->end());
  }
  if (lines.empty()) return std::unexpected("no file: give URL PATH or --from FILE");
  if (lines.size() > 1 && (!sha256_.empty() || !metadata_.empty())) {
    return std::unexpected("--sha256 and --metadata name one file: add the others apart");
  }
  std::vector<api::FileSpec> specs;
  for (const auto& line : lines) {
    if (auto url = parse_http_url(line.url); !url) {
      return std::unexpected(line.where.empty() ? url.error() : line.where + ": " + url.error());
    }
    auto path = destination(line.url, line.path);
    if (!path) {
      return std::unexpected(line.where.empty() ? path.error() : line.where + ": " + path.error());
    }
    api::FileSpec spec;
    spec.url = line.url;
    spec.local_path = path->string();
    if (!sha256_.empty()) spec.sha256 = *parse_sha256(sha256_);
    if (!metadata_.empty()) spec.metadata_url = metadata_;
    if (!mode_.empty()) spec.mode = api::parse_download_mode(mode_);
    specs.push_back(std::move(spec));
  }
  return specs;
}

int JobCommand::add(api::Job& job, const JobOutput& output,
                    const std::vector<api::FileSpec>& files) {
  // Settings first: a file must not start downloading without the headers it was given.
  if (const auto patch = settings_.patch(*chosen_verb_); !patch.empty()) {
    if (auto done = job.update(patch); !done) return output.failure(about(job, done.error()));
  }
  // One set: the engine and the daemon add all of it or none.
  if (auto added = job.add_file_set(files); !added) {
    return output.failure(about(job, added.error()));
  }
  auto info = job.info();
  if (!info) return output.failure(about(job, info.error()));
  return output.acted(*info);
}

int JobCommand::explain(api::Job& job, const JobOutput& output) {
  auto info = job.info();
  if (!info) return output.failure(about(job, info.error()));
  auto files = job.explain();
  if (!files) return output.failure(about(job, files.error()));
  return output.explanation(*info, *files);
}

int JobCommand::set(api::Job& job, const JobOutput& output) {
  if (auto done = job.update(settings_.patch(*chosen_verb_)); !done) {
    return output.failure(about(job, done.error()));
  }
  auto info = job.info();
  if (!info) return output.failure(about(job, info.error()));
  return output.acted(*info);
}

}  // namespace swarmcopy::cli
