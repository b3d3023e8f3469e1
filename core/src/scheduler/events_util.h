#pragma once
#include <string>

#include "apsched/core/events.h"

namespace apsched::core::detail {

inline Event scheduler_event(EventCode code) { return Event{code, {}, {}, {}, {}, {}, {}, {}, {}, false}; }

inline Event alias_event(EventCode code, const std::string& alias) {
  Event e = scheduler_event(code);
  e.alias = alias;
  return e;
}

inline Event job_event(EventCode code, const std::string& job_id, const std::string& jobstore) {
  Event e = scheduler_event(code);
  e.job_id = job_id;
  e.jobstore = jobstore;
  return e;
}

}  // namespace apsched::core::detail
