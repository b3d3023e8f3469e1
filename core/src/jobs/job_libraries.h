#pragma once
#include <boost/dll/shared_library.hpp>
#include <atomic>
#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "apsched/sdk/job.h"

namespace apsched::core::detail {

/** A loaded version of a job library: its functions by name. Immutable once built. */
struct JobLibrary {
  std::string name;
  std::filesystem::path path;  ///< the file it was loaded from (never the private copy)
  std::string content_id;      ///< the version's bytes (private copies only; else empty)
  /// What a job worker loads to run exactly this version: `path` itself, or the private
  /// copy (which holds these bytes for the life of the process).
  std::filesystem::path code_file;
  std::shared_ptr<const boost::dll::shared_library> library;
  std::map<std::string, sdk::JobInvoker, std::less<>> functions;

  /** "a, b, c", or "none". */
  std::string function_list() const;
};

/** A job function and the library that must stay loaded while it can be called. */
struct JobFunction {
  sdk::JobInvoker invoke = nullptr;
  std::shared_ptr<const JobLibrary> library;
};

/** "library:function" split in two; throws SchedulerError (field "func") when malformed. */
std::pair<std::string, std::string> split_job_reference(const std::string& reference);

/** "example_jobs" for "libexample_jobs.so"; nullopt for a file name that is no job library's. */
std::optional<std::string> job_library_name(const std::string& file_name);

/** How JobLibraries loads a file. */
enum class LoadFrom {
  file,          ///< the file itself: a library is loaded once and never replaced
  private_copy,  ///< a private copy of each version (hot-add: files may be replaced)
};

/** Loads job library `name` from `file`. Throws LoadError naming `file` and what is wrong. */
std::shared_ptr<const JobLibrary> load_job_library(const std::string& name, const std::filesystem::path& file,
                                                   LoadFrom from);

/** Function `function` of `library`; throws LoadError (field "func") listing the library's functions. */
JobFunction find_job_function(const std::shared_ptr<const JobLibrary>& library, const std::string& function);

/** What refresh() found for one library name. */
struct LibraryChange {
  enum Kind {
    unchanged,  ///< the current version is what the job path holds (or there is none, and none loaded)
    loaded,     ///< first loaded: `current`
    replaced,   ///< `current` replaces `previous`
    removed,    ///< no file on the job path any more; `previous` was current
    refused,    ///< the file cannot be loaded (`error`); `current` (possibly null) stays
  };
  Kind kind = unchanged;
  std::shared_ptr<const JobLibrary> current;
  std::shared_ptr<const JobLibrary> previous;
  std::filesystem::path file;  ///< the file looked at
  std::string error;
};

/**
 * Resolves "library:function" references against job libraries (`lib<library>.so`)
 * on the job path, loading each library on first use; refresh() replaces a library by
 * what its file holds now (hot-add).
 *
 * THREADING: safe from any thread (the scheduler's, the job-path watcher's, API callers').
 * Locking rule: `mutex_` guards `loaded_` and `resolved_` only and is never held while loading, so a slow
 * load never blocks resolve() of loaded libraries; `load_mutex_` serialises loads
 * (Boost.DLL is not safe to load from several threads) and is taken before `mutex_`.
 * A JobLibrary is immutable and shared: runs hold it through their JobFunction, so a
 * replaced or removed version lives on while anything can still call into it.
 */
class JobLibraries {
 public:
  explicit JobLibraries(std::vector<std::filesystem::path> search_path, LoadFrom load_from = LoadFrom::file);

  /**
   * Throws LoadError saying what is wrong: library not on the job path (listing it),
   * not a job library, another SDK version, or no such function (listing the library's).
   */
  JobFunction resolve(const std::string& reference);

  /**
   * Brings library `name` in line with the job path: loads a new or changed file (the
   * first `lib<name>.so` on the path), forgets a library whose file is gone, and keeps
   * the current version when the file cannot be loaded. Never throws LoadError.
   */
  LibraryChange refresh(const std::string& name);

  const std::vector<std::filesystem::path>& search_path() const noexcept { return search_path_; }

  /**
   * A number that changes whenever the set of loaded libraries does (a first load, a
   * replacement or a removal): a function resolved at one generation is still what
   * resolve() would give as long as the generation is the same.
   */
  std::uint64_t generation() const noexcept { return generation_.load(std::memory_order_acquire); }

  /** The names of the libraries loaded now. */
  std::vector<std::string> loaded_names();

  /** The file library `name` is loaded from: the first `lib<name>.so` on the job path. */
  std::optional<std::filesystem::path> find_file(const std::string& name) const;

 private:
  std::shared_ptr<const JobLibrary> library(const std::string& name);
  std::shared_ptr<const JobLibrary> current(const std::string& name);
  void loaded_changed();  // with mutex_ held

  const std::vector<std::filesystem::path> search_path_;
  const LoadFrom load_from_;
  std::mutex load_mutex_;
  std::mutex mutex_;
  std::map<std::string, std::shared_ptr<const JobLibrary>> loaded_;
  // What resolve() found, by reference, for the libraries in loaded_ now (so at most one
  // entry per function they hold); emptied with every change of loaded_. Guarded by mutex_.
  std::unordered_map<std::string, JobFunction> resolved_;
  std::atomic<std::uint64_t> generation_{1};  // bumped under mutex_ with every change of loaded_
};

}  // namespace apsched::core::detail
