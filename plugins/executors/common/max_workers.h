#pragma once
#include <apsched/sdk/config.h>

#include <cstddef>
#include <cstdint>

namespace apsched::executors {

/** The most workers an executor takes: each is a thread or a process of the host's user. */
inline constexpr std::int64_t kMostWorkers = 10'000;

/**
 * `max_workers` (default 10) from an executor's config, 1 to kMostWorkers; else sdk::Error
 * naming the key and the range.
 */
std::size_t read_max_workers(sdk::ConfigReader& reader);

}  // namespace apsched::executors
