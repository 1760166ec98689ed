#include "job_settings.h"

#include <chrono>

#include "parse_units.h"
#include "validators.h"

namespace swarmcopy::cli {

void JobSettings::add_options(CLI::App* verb) {
  verb->add_option("--priority", priority_, "foreground, high, normal or low")
      ->type_name("P")
      ->check(CLI::IsMember({"foreground", "high", "normal", "low"}));
  verb->add_option("--no-progress-timeout", no_progress_timeout_,
                   "How long the job may retry transient errors without progress before it is "
                   "an ERROR: seconds, or 90s, 10m, 2h, 3d; 0: the first one is")
      ->type_name("DURATION")
      ->check(validator(parse_duration, "DURATION"));
  verb->add_option("--min-retry-delay", min_retry_delay_,
                   "Wait after a transient error before the first retry (later ones double "
                   "from it): seconds, or 90s, 10m, 2h, 1d at most")
      ->type_name("DURATION")
      ->check(validator(parse_duration, "DURATION"));
  verb->add_option("--notify", notify_,
                   "Which events reach callbacks: a number (0x1f at most) or names joined by "
                   "',': transferred, error, modification, file_transferred, disable, none")
      ->type_name("FLAGS")
      ->check(validator(parse_notify_flags, "FLAGS"));
  verb->add_option("--display-name", display_name_, "Rename the job")->type_name("TEXT");
  verb->add_option("--description", description_, "The job's description (\"\" clears it)")
      ->type_name("TEXT");
  auto* headers = verb->add_option("-H,--header", headers_,
                                   "HTTP request header 'Name: value' for every origin request "
                                   "(repeatable); replaces the job's headers")
                      ->type_name("'NAME: VALUE'")
                      ->expected(1)
                      ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll)
                      ->check(validator(parse_header, "HEADER"));
  verb->add_flag("--no-headers", no_headers_, "Remove the job's HTTP request headers")
      ->excludes(headers);
  auto* notify_cmd =
      verb->add_option("--notify-cmd", notify_cmd_,
                       "Program to run (as you, no shell) when the job is TRANSFERRED or in "
                       "ERROR, with SWARMCOPY_JOB_ID and SWARMCOPY_JOB_STATE set: an absolute "
                       "path; replaces the job's command")
          ->type_name("PROGRAM");
  verb->add_option("--notify-arg", notify_args_,
                   "An argument of the --notify-cmd program (repeatable, in order)")
      ->type_name("ARG")
      ->expected(1)
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll)
      ->needs(notify_cmd)
      ->allow_extra_args(false);
  verb->add_flag("--no-notify-cmd", no_notify_cmd_, "Remove the job's notify command")
      ->excludes(notify_cmd);
  auto* proxy = verb->add_option("--proxy", proxy_,
                                 "How the job reaches origins (BITS SetProxySettings): system "
                                 "(the daemon's configured proxy, else its environment's), none "
                                 "(direct, environment ignored), or one proxy URL: "
                                 "http://[USER:PASSWORD@]HOST:PORT (https://, socks5://, "
                                 "socks5h:// too; the password is never shown)")
                    ->type_name("system|none|URL")
                    ->check(validator(parse_proxy, "PROXY"));
  verb->add_option("--proxy-bypass", proxy_bypass_,
                   "With --proxy URL: hosts reached directly, comma-separated (names, domains "
                   "such as .example.org, IP addresses, CIDR ranges, or *)")
      ->type_name("HOST[,HOST...]")
      ->needs(proxy)
      ->check(validator(parse_proxy_bypass, "HOSTS"));
  verb->add_option("--limit-rate", limit_rate_,
                   "The job's bandwidth cap in bytes per second, K/M/G suffixes (binary) "
                   "allowed: 500K, 10M, 1.5m; 0 for none")
      ->type_name("RATE")
      ->check(validator(parse_rate, "RATE"));
}

const char* JobSettings::option_names() {
  return "--priority, --no-progress-timeout, --min-retry-delay, --notify, --display-name, "
         "--description, -H/--header, --no-headers, --limit-rate, --notify-cmd or "
         "--no-notify-cmd, --proxy";
}

api::JobPatch JobSettings::patch(const CLI::App& verb) const {
  const auto given = [&verb](const char* name) { return verb.count(name) > 0; };
  api::JobPatch patch;
  if (given("--priority")) patch.priority = api::parse_priority(priority_);
  if (given("--no-progress-timeout"))
    patch.no_progress_timeout = *parse_duration(no_progress_timeout_);
  if (given("--min-retry-delay")) {
    patch.min_retry_delay =
        std::chrono::duration_cast<std::chrono::milliseconds>(*parse_duration(min_retry_delay_));
  }
  if (given("--notify")) patch.notify_flags = *parse_notify_flags(notify_);
  if (given("--display-name")) patch.display_name = display_name_;
  if (given("--description")) patch.description = description_;
  if (given("--header")) {
    std::vector<std::string> headers;
    for (const auto& header : headers_) headers.push_back(*parse_header(header));
    patch.http_headers = std::move(headers);
  }
  if (no_headers_) patch.http_headers = std::vector<std::string>{};
  if (given("--limit-rate")) patch.max_bytes_per_second = *parse_rate(limit_rate_);
  if (given("--notify-cmd")) {
    std::vector<std::string> argv{notify_cmd_};
    argv.insert(argv.end(), notify_args_.begin(), notify_args_.end());
    patch.notify_cmd = std::move(argv);
  }
  if (no_notify_cmd_) patch.notify_cmd = std::vector<std::string>{};
  if (given("--proxy")) {
    auto proxy = *parse_proxy(proxy_);
    if (given("--proxy-bypass")) proxy.bypass = *parse_proxy_bypass(proxy_bypass_);
    patch.proxy = std::move(proxy);
  }
  return patch;
}

}  // namespace swarmcopy::cli
