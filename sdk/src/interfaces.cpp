// Out-of-line destructors: the key functions that make each interface's typeinfo and
// vtable one strong symbol (see STYLE.md §7.3); and the interfaces' non-virtual helpers.
#include "apsched/sdk/executor.h"
#include "apsched/sdk/host.h"
#include "apsched/sdk/job.h"
#include "apsched/sdk/status.h"
#include "apsched/sdk/store.h"
#include "apsched/sdk/trigger.h"

namespace apsched::sdk {

Host::~Host() = default;
Trigger::~Trigger() = default;
JobStore::~JobStore() = default;

Status JobStore::list(std::vector<JobRecord>& out) noexcept {
  std::vector<JobRecord> records;
  if (std::size_t expected = 0; count(expected).ok()) records.reserve(expected);
  Status status = list_each([&records](JobRecord& record) { records.push_back(std::move(record)); });
  if (status.ok()) out = std::move(records);
  return status;
}

Status JobStore::peek_due(Timestamp, Timestamp, std::string_view, std::size_t, const KnownRevision&,
                          std::vector<JobRecord>& out) noexcept {
  out.clear();
  return Status::success();
}
Executor::~Executor() = default;

void Executor::submit_all(std::vector<std::unique_ptr<JobRun>> runs, std::vector<Status>& statuses) noexcept {
  statuses.clear();
  statuses.reserve(runs.size());
  for (auto& run : runs) statuses.push_back(submit(std::move(run)));
}
JobRun::~JobRun() = default;
StopToken::~StopToken() = default;
JobContext::~JobContext() = default;

const Value& JobContext::arg(std::size_t i) const {
  const auto& list = args().as_list();
  if (i >= list.size())
    throw Error("job '" + job_id() + "' needs argument " + std::to_string(i + 1) + " but got " +
                std::to_string(list.size()) + " (set args: in the job's configuration)");
  return list[i];
}

}  // namespace apsched::sdk
