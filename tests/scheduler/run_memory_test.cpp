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

/** Runs `fn` on a thread of its own and waits for it. */
template <typename Fn>
void on_new_thread(Fn fn) {
  std::thread(fn).join();
}

}  // namespace

// The maker in these tests is a thread of its own, whose cache starts empty; what it sees
// is checked once it has ended, on the test's thread (Catch2's assertions are for that one).
TEST_CASE("run memory: a block another thread gives back is the next one the maker takes", "[run memory]") {
  std::size_t waiting_after_drain = 99, waiting_after_give = 99, waiting_after_take = 99;
  void* given = nullptr;
  void* taken = nullptr;
  on_new_thread([&] {
    // Empty this thread's cache and the shared list (blocks left by earlier tests).
    std::vector<void*> held;
    do held.push_back(RunMemory::take(kSize));
    while (RunMemory::cached() > 0);
    waiting_after_drain = RunMemory::waiting();

    given = held.back();
    held.pop_back();
    on_new_thread([given] { RunMemory::give(given); });  // an executor's worker
    waiting_after_give = RunMemory::waiting();
    taken = RunMemory::take(kSize);  // the whole list taken at once: one lock per batch
    waiting_after_take = RunMemory::waiting();
    held.push_back(taken);
    for (void* b : held) RunMemory::give(b);
  });
  CHECK(waiting_after_drain == 0);
  CHECK(waiting_after_give == 1);
  CHECK(taken == given);
  CHECK(waiting_after_take == 0);
}

TEST_CASE("run memory: at most kKept blocks wait, and the rest go back to the heap", "[run memory]") {
  std::size_t distinct = 0, held_count = 0, waiting = 0;
  on_new_thread([&] {
    std::vector<void*> held;
    do held.push_back(RunMemory::take(kSize));
    while (RunMemory::cached() > 0);
    while (held.size() < RunMemory::kKept + 10) held.push_back(RunMemory::take(kSize));
    distinct = std::set<void*>(held.begin(), held.end()).size();
    held_count = held.size();
    on_new_thread([&held] {
      for (void* b : held) RunMemory::give(b);
    });
    waiting = RunMemory::waiting();
  });
  CHECK(distinct == held_count);  // never the same block twice
  CHECK(waiting == RunMemory::kKept);
}

TEST_CASE("run memory: blocks made and given back on many threads at once stay distinct and intact",
          "[run memory]") {
  // Four makers, each handing its blocks to a thread of its own to give back, at once
  // (under ThreadSanitizer in scripts/run-tsan.sh); the threads only count what is wrong.
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
