// InstanceCount and RunningInstances: the max_instances count of a job id, taken by the
// scheduler thread and released by executor threads, shared by the id's live RunSpecs.
#include <catch2/catch.hpp>

#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "scheduler/running_instances.h"

using apsched::core::detail::InstanceCount;
using apsched::core::detail::RunningInstances;

TEST_CASE("instance count: taken up to its limit, a release frees one, never below zero", "[scheduler][instances]") {
  InstanceCount count;
  CHECK(count.take(2));
  CHECK(count.take(2));
  CHECK_FALSE(count.take(2));
  count.release();
  CHECK(count.take(2));
  CHECK_FALSE(count.take(2));
  count.release();
  count.release();
  count.release();  // more releases than takes: no negative count
  CHECK(count.take(1));
  CHECK_FALSE(count.take(1));
}

TEST_CASE("instance count: a limit below one admits nothing", "[scheduler][instances]") {
  InstanceCount count;
  CHECK_FALSE(count.take(0));
  CHECK(count.take(1));
  CHECK_FALSE(count.take(1));
}

TEST_CASE("instance count: threads taking and releasing at once keep the exact count", "[scheduler][instances]") {
  constexpr int kThreads = 8;
  InstanceCount count;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t)
    threads.emplace_back([&count] {
      for (int round = 0; round < 20000; ++round)
        if (count.take(kThreads)) count.release();
    });
  for (auto& thread : threads) thread.join();
  // Every take was released: it can be taken up to its limit again, and no further.
  for (int n = 0; n < 3; ++n) REQUIRE(count.take(3));
  CHECK_FALSE(count.take(3));
}

TEST_CASE("running instances: the live RunSpecs of an id share one count, other ids count on their own",
          "[scheduler][instances]") {
  RunningInstances instances;
  std::shared_ptr<InstanceCount> first = instances.count_of("a");
  std::shared_ptr<InstanceCount> second = instances.count_of("a");  // e.g. the job's next revision
  CHECK(first == second);
  REQUIRE(first->take(1));
  CHECK_FALSE(second->take(1));
  std::shared_ptr<InstanceCount> other = instances.count_of("b");
  CHECK(other != first);
  CHECK(other->take(1));
}

TEST_CASE("running instances: an id whose RunSpecs are all gone starts again from zero", "[scheduler][instances]") {
  RunningInstances instances;
  std::shared_ptr<InstanceCount> count = instances.count_of("a");
  REQUIRE(count->take(1));
  count.reset();  // nothing of the job is left, not even a run
  std::shared_ptr<InstanceCount> again = instances.count_of("a");
  CHECK(again->take(1));
}

TEST_CASE("running instances: ids without a live RunSpec are forgotten as new ids come", "[scheduler][instances]") {
  RunningInstances instances;
  std::shared_ptr<InstanceCount> kept = instances.count_of("kept");
  REQUIRE(kept->take(1));
  for (int i = 0; i < 100000; ++i) instances.count_of("one-shot-" + std::to_string(i));  // each dropped at once
  CHECK(instances.size() <= 2048);
  CHECK_FALSE(instances.count_of("kept")->take(1));  // a live id keeps its count through the sweeps
}
