// RunMemory: run objects' blocks, given back by executor threads, taken again by the
// thread that makes runs.
#include <catch2/catch.hpp>

#include <algorithm>
#include <atomic>
#include <set>
#include <thread>
#include <vector>

#include "scheduler/job_run.h"
#include "scheduler/run_memory.h"

using apsched::core::detail::JobRunImpl;
using apsched::core::detail::RunMemory;

namespace {

constexpr std::size_t kSize = sizeof(JobRunImpl);  // the one size every caller asks for

/** Runs `fn` on a thread of its own (whose cache starts empty) and waits for it. */
template <typename Fn>
void on_new_thread(Fn fn) {
  std::thread(fn).join();
}

}  // namespace

TEST_CASE("run memory: a block another thread gives back is the next one the maker takes", "[run memory]") {
  on_new_thread([] {
    // Empty this thread's cache and the shared list (blocks left by earlier tests).
    std::vector<void*> held;
    do held.push_back(RunMemory::take(kSize));
    while (RunMemory::cached() > 0);
    REQUIRE(RunMemory::waiting() == 0);

    void* block = held.back();
    held.pop_back();
    on_new_thread([block] { RunMemory::give(block); });  // an executor's worker
    CHECK(RunMemory::waiting() == 1);
    CHECK(RunMemory::take(kSize) == block);  // the whole list taken at once: one lock per batch
    CHECK(RunMemory::waiting() == 0);
    held.push_back(block);
    for (void* b : held) RunMemory::give(b);
  });
}

TEST_CASE("run memory: at most kKept blocks wait, and the rest go back to the heap", "[run memory]") {
  on_new_thread([] {
    std::vector<void*> held;
    do held.push_back(RunMemory::take(kSize));
    while (RunMemory::cached() > 0);
    while (held.size() < RunMemory::kKept + 10) held.push_back(RunMemory::take(kSize));
    std::set<void*> distinct(held.begin(), held.end());
    CHECK(distinct.size() == held.size());  // never the same block twice
    on_new_thread([&held] {
      for (void* b : held) RunMemory::give(b);
    });
    CHECK(RunMemory::waiting() == RunMemory::kKept);
  });
}

TEST_CASE("run memory: blocks made and given back on many threads at once stay distinct and intact",
          "[run memory]") {
  // Four makers, each handing its blocks to a thread of its own to give back, at once
  // (under ThreadSanitizer in scripts/run-tsan.sh). Catch2's assertions are for the test's
  // thread: the others only count what is wrong.
  constexpr int kMakers = 4;
  constexpr int kBatches = 125;
  constexpr std::size_t kBatch = 16;
  std::atomic<int> overwritten{0};
  std::vector<std::thread> makers;
  for (int t = 0; t < kMakers; ++t)
    makers.emplace_back([t, &overwritten] {
      const auto mark = static_cast<unsigned char>(t + 1);
      for (int batch = 0; batch < kBatches; ++batch) {
        std::vector<unsigned char*> mine;
        for (std::size_t k = 0; k < kBatch; ++k) {
          auto* block = static_cast<unsigned char*>(RunMemory::take(kSize));
          std::fill(block, block + kSize, mark);
          mine.push_back(block);
        }
        for (unsigned char* block : mine)
          if (std::count(block, block + kSize, mark) != static_cast<long>(kSize)) ++overwritten;
        std::thread([mine] {
          for (unsigned char* block : mine) RunMemory::give(block);
        }).join();
      }
    });
  for (auto& maker : makers) maker.join();
  CHECK(overwritten == 0);
  CHECK(RunMemory::waiting() <= RunMemory::kKept);
}
