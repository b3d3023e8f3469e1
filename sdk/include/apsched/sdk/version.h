#pragma once
/**
 * SDK API version and toolchain fingerprint.
 *
 * Compatibility policy:
 *  - Same APSCHED_SDK_API_MAJOR means ABI-compatible; a layout change of any SDK
 *    type or interface that crosses the boundary between host and plugin bumps the
 *    major. ConfigReader does not cross it: each binary links its own copy of the SDK's
 *    code (not exported) and a reader lives within one plugin call, so its layout may
 *    change within a major.
 *  - Minor versions only append (new descriptor fields, new virtuals at the end of
 *    an interface). A host accepts plugins with a minor <= its own and refuses newer.
 *  - 1.1: Host::job_worker_command and the job-worker protocol (job_worker.h).
 *  - 2.0: Value shares lists and maps between copies (copy on write): a new layout.
 *  - 2.1: JobRun::library_file, and the job-worker request's library_file.
 *  - 3.0: Value::Map is a sorted array (detail::SortedMap), not a std::map: a new layout.
 *  - 4.0: JobStore::list_each (a visitor) replaces the virtual JobStore::list, so that
 *    listing a large store does not hold every document at once; JobStore::count;
 *    Executor::submit_all (a pass's runs handed over at once).
 *  - 5.0: JobRecord::revision, so that the kernel can keep what it decoded from a store
 *    that does not hand out the same Value again (the memory store keeps documents
 *    compact); Value::shares_storage_with and storage_is_shared are gone.
 *  - 6.0: JobStore::peek_due, so that the kernel can decode the jobs due at its next
 *    wake-up while it would otherwise sleep.
 *  - 7.0: KnownRevision answers with Held (adding last_run) and is given the record's
 *    next_run_time; JobRecord::taken: a store may remove a one-shot job's record as it
 *    hands it over instead of leasing and then removing it.
 *  - 8.0: JobRun::run_times returns a span, so that the kernel keeps a run's times inside
 *    the run object (one allocation per run instead of two).
 *  - The toolchain fingerprint must match exactly: the SDK crosses the boundary with
 *    C++ types, so compiler major and libstdc++ ABI switches must agree.
 */
#define APSCHED_SDK_API_MAJOR 8
#define APSCHED_SDK_API_MINOR 0

#define APSCHED_STRINGIFY_DETAIL(x) #x
#define APSCHED_STRINGIFY(x) APSCHED_STRINGIFY_DETAIL(x)

#if defined(_GLIBCXX_DEBUG)
#define APSCHED_GLIBCXX_DEBUG_FLAG "1"
#else
#define APSCHED_GLIBCXX_DEBUG_FLAG "0"
#endif

#define APSCHED_TOOLCHAIN_FINGERPRINT                                  \
  "gcc-" APSCHED_STRINGIFY(__GNUC__) ";cxx11abi=" APSCHED_STRINGIFY(   \
      _GLIBCXX_USE_CXX11_ABI) ";glibcxx_debug=" APSCHED_GLIBCXX_DEBUG_FLAG \
      ";sdk=" APSCHED_STRINGIFY(APSCHED_SDK_API_MAJOR)
