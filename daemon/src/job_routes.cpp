#include "job_routes.h"

#include <utility>

#include "request_body.h"
#include "swarmcopy/ipc/add_files_request.h"
#include "swarmcopy/ipc/codec.h"
#include "swarmcopy/ipc/create_job_request.h"
#include "swarmcopy/ipc/explanation.h"
#include "swarmcopy/ipc/job_patch.h"

namespace swarmcopy::daemon {
namespace {

using nlohmann::json;

// Shorthand: the value of a Result, or the error Reply from the enclosing handler.
#define SWARMCOPY_TRY(var, expr) \
  auto var = (expr);             \
  if (!var) return Reply::error(var.error())

api::Result<bool> flag(const RouteRequest& request, const std::string& name) {
  const auto it = request.query.find(name);
  if (it == request.query.end() || it->second == "0" || it->second == "false") return false;
  if (it->second == "1" || it->second == "true") return true;
  return std::unexpected(caller_error(api::ErrorKind::kInvalidArgument,
                                      name + ": expected 1 or 0, got \"" + it->second + "\""));
}

api::Error no_such_job(const std::string& id) {
  return caller_error(api::ErrorKind::kNotFound, "no such job: " + id);
}

class Routes {
 public:
  Routes(std::shared_ptr<engine::Service> service, DaemonMode mode, std::string version)
      : service_(std::move(service)), mode_(mode), version_(std::move(version)) {}

  Reply status(const RouteRequest& request) {
    SWARMCOPY_TRY(count, service_->job_count(request.caller.uid));
    return Reply::json(200, {{"version", version_},
                             {"api", 1},
                             {"mode", to_string(mode_)},
                             {"uid", request.caller.uid},
                             {"jobs", *count}});
  }

  Reply list(const RouteRequest& request) {
    SWARMCOPY_TRY(all, flag(request, "all"));
    // The administrator's view holds every job; without all=1 it lists its own like anyone.
    // all=1 from anyone else cannot widen their view: they get their own jobs.
    const bool every_owner = *all && request.caller.admin;
    SWARMCOPY_TRY(jobs, view(request)->jobs());
    json list = json::array();
    for (const auto& job : *jobs) {
      auto info = job->info();
      if (!info) {
        if (info.error().kind == api::ErrorKind::kNotFound) continue;  // gone meanwhile
        return Reply::error(info.error());
      }
      if (!every_owner && info->owner_uid != request.caller.uid) continue;
      list.push_back(ipc::to_json(*info));
    }
    return Reply::json(200, {{"jobs", std::move(list)}});
  }

  Reply create(const RouteRequest& request) {
    SWARMCOPY_TRY(body, parse_body(request.body));
    SWARMCOPY_TRY(parsed, ipc::create_job_request_from_json(*body));
    // The job's files get the client's umask; a client that sent none gets private files.
    engine::Caller creator = request.caller;
    creator.umask = parsed->umask.value_or(077);
    SWARMCOPY_TRY(job, service_->manager_for(creator)->create_job(parsed->name, parsed->type));
    return job_reply(**job, 201);
  }

  Reply get(const RouteRequest& request) {
    SWARMCOPY_TRY(job, find(request));
    return job_reply(**job);
  }

  // Why each file's bytes came from where they came; the job's owner (or an administrator)
  // only, like the job itself: it names peers and the URL's byte ranges.
  Reply explain(const RouteRequest& request) {
    SWARMCOPY_TRY(job, find(request));
    SWARMCOPY_TRY(files, (*job)->explain());
    return Reply::json(200, ipc::explanations_to_json(*files));
  }

  Reply add_files(const RouteRequest& request) {
    SWARMCOPY_TRY(job, find(request));
    SWARMCOPY_TRY(body, parse_body(request.body));
    SWARMCOPY_TRY(parsed, ipc::add_files_request_from_json(*body));
    SWARMCOPY_TRY(added, (*job)->add_file_set(parsed->files));
    return job_reply(**job);
  }

  Reply action(const RouteRequest& request, api::Result<void> (api::Job::*call)()) {
    SWARMCOPY_TRY(job, find(request));
    SWARMCOPY_TRY(empty, expect_no_body(request.body));
    SWARMCOPY_TRY(done, ((**job).*call)());
    return job_reply(**job);
  }

  Reply patch(const RouteRequest& request) {
    SWARMCOPY_TRY(job, find(request));
    SWARMCOPY_TRY(body, parse_body(request.body));
    SWARMCOPY_TRY(parsed, ipc::job_patch_from_json(*body));
    // All or nothing, in one commit (Job::update).
    auto& target = **job;
    SWARMCOPY_TRY(done, target.update(*parsed));
    return job_reply(target);
  }

  Reply events(const RouteRequest& request) {
    SWARMCOPY_TRY(all, flag(request, "all"));
    EventFilter filter;
    filter.owner_uid = request.caller.uid;
    filter.all_owners = *all && request.caller.admin;
    if (const auto it = request.query.find("job"); it != request.query.end()) {
      RouteRequest lookup = request;
      lookup.id = it->second;
      SWARMCOPY_TRY(job, find(lookup));
      filter.job = (*job)->id();
      // The administrator watching one job sees it whoever owns it.
      if (request.caller.admin) filter.all_owners = true;
    }
    Reply reply;
    reply.stream = filter;
    return reply;
  }

 private:
  std::shared_ptr<api::Manager> view(const RouteRequest& request) {
    return service_->manager_for(request.caller);
  }

  api::Result<std::shared_ptr<api::Job>> find(const RouteRequest& request) {
    const auto id = api::JobId::parse(request.id);
    if (!id) return std::unexpected(no_such_job(request.id));
    return view(request)->get_job(*id);
  }

  Reply job_reply(api::Job& job, int status = 200) {
    SWARMCOPY_TRY(info, job.info());
    return Reply::json(status, ipc::to_json(*info));
  }

  std::shared_ptr<engine::Service> service_;
  DaemonMode mode_;
  std::string version_;
};

}  // namespace

void add_job_routes(Router& router, std::shared_ptr<engine::Service> service, DaemonMode mode,
                    std::string version) {
  auto routes = std::make_shared<Routes>(std::move(service), mode, std::move(version));
  const auto bind = [routes](Reply (Routes::*handler)(const RouteRequest&)) {
    return [routes, handler](const RouteRequest& request) { return ((*routes).*handler)(request); };
  };
  const auto bind_action = [routes](api::Result<void> (api::Job::*call)()) {
    return [routes, call](const RouteRequest& request) { return routes->action(request, call); };
  };
  router.add("GET", "/v1/status", {}, bind(&Routes::status));
  router.add("GET", "/v1/jobs", {"all"}, bind(&Routes::list));
  router.add("POST", "/v1/jobs", {}, bind(&Routes::create));
  router.add("GET", "/v1/jobs/{id}", {}, bind(&Routes::get));
  router.add("PATCH", "/v1/jobs/{id}", {}, bind(&Routes::patch));
  router.add("GET", "/v1/jobs/{id}/explain", {}, bind(&Routes::explain));
  router.add("POST", "/v1/jobs/{id}/files", {}, bind(&Routes::add_files));
  router.add("POST", "/v1/jobs/{id}/resume", {}, bind_action(&api::Job::resume));
  router.add("POST", "/v1/jobs/{id}/suspend", {}, bind_action(&api::Job::suspend));
  router.add("POST", "/v1/jobs/{id}/cancel", {}, bind_action(&api::Job::cancel));
  router.add("POST", "/v1/jobs/{id}/complete", {}, bind_action(&api::Job::complete));
  router.add("POST", "/v1/jobs/{id}/take-ownership", {}, bind_action(&api::Job::take_ownership));
  router.add("GET", "/v1/events", {"all", "job"}, bind(&Routes::events));
}

}  // namespace swarmcopy::daemon
