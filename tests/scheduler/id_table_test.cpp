// IdTable: the decoded-job cache's index (values by id, addresses that stay put).
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "scheduler/id_table.h"

using apsched::core::detail::IdTable;

namespace {

/** Counts the live values, to see that every value is destroyed exactly once. */
struct Counted {
  static inline int live = 0;
  int number = -1;
  Counted() { ++live; }
  Counted(const Counted& other) : number(other.number) { ++live; }
  Counted& operator=(const Counted&) = default;
  ~Counted() { --live; }
};

std::string id_of(int i) { return "job-" + std::to_string(i); }

}  // namespace

TEST_CASE("id table: entries are found by id, and stay where they were added while the table grows", "[id-table]") {
  IdTable<int> table;
  CHECK(table.find("absent") == nullptr);
  auto& first = table.add("first");
  first.value = 7;
  std::vector<IdTable<int>::Entry*> added;
  for (int i = 0; i < 5000; ++i) {
    added.push_back(&table.add(id_of(i)));
    added.back()->value = i;
  }
  CHECK(table.size() == 5001);
  CHECK(table.find("first") == &first);
  CHECK(first.value == 7);
  for (int i = 0; i < 5000; ++i) {
    REQUIRE(table.find(id_of(i)) == added[i]);
    CHECK(added[i]->value == i);
    CHECK(added[i]->id == id_of(i));
  }
  CHECK(table.find("job-5000") == nullptr);
}

TEST_CASE("id table: taking entries out leaves the others findable, and ids can come back", "[id-table]") {
  IdTable<int> table;
  for (int i = 0; i < 3000; ++i) table.add(id_of(i)).value = i;
  std::vector<IdTable<int>::Taken> taken;
  for (int i = 0; i < 3000; i += 2) taken.push_back(table.take(*table.find(id_of(i))));
  CHECK(table.size() == 1500);
  CHECK(taken.front()->id == "job-0");
  CHECK(taken.back()->value == 2998);
  for (int i = 0; i < 3000; ++i) {
    IdTable<int>::Entry* entry = table.find(id_of(i));
    if (i % 2 == 0) {
      CHECK(entry == nullptr);
    } else {
      REQUIRE(entry != nullptr);
      CHECK(entry->value == i);
    }
  }
  // Added again (into tombstones and through rebuilds): found, and so are the others.
  for (int i = 0; i < 3000; i += 2) table.add(id_of(i)).value = -i;
  CHECK(table.size() == 3000);
  for (int i = 0; i < 3000; ++i) CHECK(table.find(id_of(i))->value == (i % 2 == 0 ? -i : i));
  for (int i = 0; i < 3000; ++i) table.erase(*table.find(id_of(i)));
  CHECK(table.size() == 0);
  CHECK(table.find("job-1") == nullptr);
  table.add("job-1").value = 1;
  CHECK(table.find("job-1")->value == 1);
}

TEST_CASE("id table: every value is destroyed once, by erase, clear, the destructor or its taker", "[id-table]") {
  Counted::live = 0;
  {
    IdTable<Counted> table;
    for (int i = 0; i < 100; ++i) table.add(id_of(i)).value.number = i;
    CHECK(Counted::live == 100);
    table.erase(*table.find("job-3"));
    CHECK(Counted::live == 99);
    {
      IdTable<Counted>::Taken taken = table.take(*table.find("job-4"));
      CHECK(Counted::live == 99);
      CHECK(taken->value.number == 4);
    }
    CHECK(Counted::live == 98);
    IdTable<Counted> moved = std::move(table);
    CHECK(moved.size() == 98);
    CHECK(moved.find("job-5")->value.number == 5);
    CHECK(Counted::live == 98);
    moved.clear();
    CHECK(Counted::live == 0);
    CHECK(moved.find("job-5") == nullptr);
    for (int i = 0; i < 10; ++i) moved.add(id_of(i));
    CHECK(Counted::live == 10);
  }
  CHECK(Counted::live == 0);
}
