// Callback: the application's notification sink (IBackgroundCopyCallback). Which methods are
// called is chosen by the job's NotifyFlags. Calls come on a notification thread owned by the
// manager, never on the engine thread, one at a time and in order per manager; a callback may
// call back into the job or the manager. A slow callback delays later notifications only.
#pragma once

#include "swarmcopy/api/error.h"
#include "swarmcopy/api/file_status.h"

namespace swarmcopy::api {

class Job;

class Callback {
 public:
  virtual ~Callback() = default;
  virtual void job_transferred(Job& /*job*/) {}
  virtual void job_error(Job& /*job*/, const Error& /*error*/) {}
  virtual void job_modification(Job& /*job*/) {}
  virtual void file_transferred(Job& /*job*/, const FileStatus& /*file*/) {}
};

}  // namespace swarmcopy::api
