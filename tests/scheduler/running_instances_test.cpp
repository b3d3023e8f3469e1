// RunningInstances: the max_instances count per job id, shared by the scheduler and
// executor threads.
#include <catch2/catch.hpp>

#include <string>
#include <thread>
#include <vector>

#include "scheduler/running_instances.h"

using apsched::core::detail::RunningInstances;

TEST_CASE("running instances: a job takes up to its limit, and a release frees one", "[scheduler][instances]") {
  RunningInstances instances;
  CHECK(instances.take("a", 2));
  CHECK(instances.take("a", 2));
  CHECK_FALSE(instances.take("a", 2));
  CHECK(instances.take("b", 1));  // other ids count on their own
  instances.release("a");
  CHECK(instances.take("a", 2));
  CHECK_FALSE(instances.take("a", 2));
  instances.release("b");
  instances.release("b");  // more releases than takes: no negative count
  CHECK(instances.take("b", 1));
  CHECK_FALSE(instances.take("b", 1));
}

TEST_CASE("running instances: threads taking and releasing many ids at once keep exact counts",
          "[scheduler][instances]") {
  RunningInstances instances;
  constexpr int kThreads = 8;
  constexpr int kIds = 200;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t)
    threads.emplace_back([&instances, t] {
      for (int round = 0; round < 50; ++round)
        for (int i = 0; i < kIds; ++i) {
          std::string id = "job-" + std::to_string((i + t * 7) % kIds);
          if (instances.take(id, kThreads)) instances.release(id);
        }
    });
  for (auto& thread : threads) thread.join();
  // Every take was released: each id can be taken up to its limit again, and no further.
  for (int i = 0; i < kIds; ++i) {
    std::string id = "job-" + std::to_string(i);
    for (int n = 0; n < 3; ++n) REQUIRE(instances.take(id, 3));
    REQUIRE_FALSE(instances.take(id, 3));
  }
}

TEST_CASE("running instances: an ended id's entry is reused for another id without mixing their counts",
          "[scheduler][instances]") {
  RunningInstances instances;
  const std::string long_id(100, 'x');  // longer than the reused key's inline storage
  for (int round = 0; round < 100; ++round) {
    std::string id = round % 2 ? long_id : "short-" + std::to_string(round);
    REQUIRE(instances.take(id, 1));
    REQUIRE_FALSE(instances.take(id, 1));
    instances.release(id);
  }
  CHECK(instances.take("a", 1));
  CHECK(instances.take(long_id, 1));
  CHECK_FALSE(instances.take("a", 1));
  CHECK_FALSE(instances.take(long_id, 1));
  instances.release("a");
  CHECK(instances.take("a", 1));
  CHECK_FALSE(instances.take(long_id, 1));
}

TEST_CASE("running instances: a limit below one admits nothing and leaves no count behind",
          "[scheduler][instances]") {
  RunningInstances instances;
  CHECK_FALSE(instances.take("a", 0));
  CHECK(instances.take("a", 1));
  CHECK_FALSE(instances.take("a", 1));
}
