#include "executors/common/max_workers.h"

#include <apsched/sdk/status.h>

#include <string>

namespace apsched::executors {

std::size_t read_max_workers(sdk::ConfigReader& reader) {
  const std::int64_t workers = reader.integer("max_workers").value_or(10);
  if (workers < 1 || workers > kMostWorkers)
    throw sdk::Error("'max_workers' in " + reader.what() + " must be from 1 to " + std::to_string(kMostWorkers) +
                         ", got " + std::to_string(workers),
                     "max_workers");
  return static_cast<std::size_t>(workers);
}

}  // namespace apsched::executors
