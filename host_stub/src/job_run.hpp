// JobRun: one execution of a scheduled job, shared by the scheduler and the
// host services a job calls back (cancellation, progress).
#pragma once

#include <atomic>
#include <string>

namespace erp::host {

struct JobRun {
    std::string job_id;
    std::string params_json = "{}";
    std::atomic<bool> cancelled{false};
};

} // namespace erp::host
