#pragma once
#include <cstdint>

#include "apsched/sdk/version.h"

/**
 * Standard-layout descriptors the host reads before trusting anything else in a
 * shared object. The prefix up to and including `api_minor` is frozen forever; later
 * fields are append-only (the host reads `struct_size` first).
 */
extern "C" {

enum apsched_plugin_kind : std::uint32_t {
  APSCHED_KIND_TRIGGER = 1,
  APSCHED_KIND_STORE = 2,
  APSCHED_KIND_EXECUTOR = 3,
};

struct apsched_create_args;  // defined in plugin.h (C++ side)

struct apsched_plugin_descriptor {
  std::uint32_t struct_size;
  std::uint32_t api_major;
  std::uint32_t api_minor;
  std::uint32_t kind;          ///< apsched_plugin_kind
  const char* toolchain;       ///< APSCHED_TOOLCHAIN_FINGERPRINT as compiled by the plugin
  const char* type_name;       ///< "cron": the YAML `type`
  std::uint32_t type_version;  ///< bumped when the persisted state format changes
  /**
   * Creates the object: returns an apsched::sdk::Trigger*, JobStore* or Executor* (by
   * `kind`) as void*, or nullptr with `*status` set. Never throws.
   */
  void* (*create)(const apsched_create_args* args);
};

struct apsched_job_entry {
  const char* name;
  void* invoke;  ///< apsched::sdk::JobInvoker, see job.h
};

struct apsched_job_library_descriptor {
  std::uint32_t struct_size;
  std::uint32_t api_major;
  std::uint32_t api_minor;
  std::uint32_t reserved;
  const char* toolchain;
  std::uint32_t count;
  const apsched_job_entry* entries;
};

}  // extern "C"

/** Boost.DLL alias names the host looks up. */
#define APSCHED_PLUGIN_ALIAS apsched_plugin_v1
#define APSCHED_JOBS_ALIAS apsched_jobs_v1
