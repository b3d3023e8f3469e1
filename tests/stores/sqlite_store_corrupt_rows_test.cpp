// Rows the store cannot decode are kept, flagged, and never changed by the store.
#include <catch2/catch.hpp>

#include "sqlite_test_support.h"

using namespace apsched;
using namespace apsched::testing::sqlite;
using apsched::testing::FakeHost;

namespace {

using Ids = std::vector<std::string>;

const sdk::JobRecord* find(const std::vector<sdk::JobRecord>& records, const std::string& id) {
  for (const auto& r : records)
    if (r.id == id) return &r;
  return nullptr;
}

/** A snapshot of every row, to compare before and after. */
std::vector<std::string> dump(const std::string& path) {
  return query_column(path,
                      "SELECT id || '|' || quote(next_run_time) || '|' || quote(seq) || '|' || quote(document) || "
                      "'|' || quote(lease_owner) || '|' || quote(lease_expires) FROM apscheduler_jobs ORDER BY id");
}

}  // namespace

TEST_CASE("sqlite store: undecodable rows are returned flagged and never changed", "[sqlite][corrupt]") {
  TempDir dir;
  FakeHost host;
  const std::string path = dir.file("jobs.sqlite");
  auto store = open_store(host, path);
  REQUIRE(store->add(job("good", 10)).ok());
  REQUIRE(store->add(job("bad-json", 20)).ok());
  REQUIRE(store->add(job("blob", 30)).ok());
  REQUIRE(store->add(job("null-doc", std::nullopt)).ok());
  REQUIRE(store->add(job("text-time", 5)).ok());
  REQUIRE(store->add(job("truncated", 40)).ok());

  // Damage rows behind the store's back, through a connection of our own.
  execute_sql(path,
              "UPDATE apscheduler_jobs SET document = '{\"id\": \"bad-json\", oops' WHERE id = 'bad-json';"
              "UPDATE apscheduler_jobs SET document = x'DEADBEEF' WHERE id = 'blob';"
              "UPDATE apscheduler_jobs SET document = NULL WHERE id = 'null-doc';"
              "UPDATE apscheduler_jobs SET next_run_time = 'tomorrow' WHERE id = 'text-time';"
              "UPDATE apscheduler_jobs SET document = substr(document, 1, 10) WHERE id = 'truncated';");
  const std::vector<std::string> before = dump(path);

  std::vector<sdk::JobRecord> records;
  REQUIRE(store->list(records).ok());
  REQUIRE(records.size() == 6);
  CHECK(ids(records) == Ids{"good", "bad-json", "blob", "truncated", "text-time", "null-doc"});

  const sdk::JobRecord* good = find(records, "good");
  CHECK(good->decode_error.empty());

  const sdk::JobRecord* bad = find(records, "bad-json");
  CHECK_THAT(bad->decode_error, Catch::Contains("job 'bad-json'") && Catch::Contains("not valid JSON"));
  CHECK(bad->raw == "{\"id\": \"bad-json\", oops");
  CHECK(bad->document.is_null());
  CHECK(bad->next_run_time == 20);

  const sdk::JobRecord* blob = find(records, "blob");
  CHECK_THAT(blob->decode_error, Catch::Contains("job 'blob'") && Catch::Contains("blob"));
  CHECK(blob->raw == std::string("\xDE\xAD\xBE\xEF"));

  const sdk::JobRecord* null_doc = find(records, "null-doc");
  CHECK_THAT(null_doc->decode_error, Catch::Contains("job 'null-doc'") && Catch::Contains("NULL"));

  const sdk::JobRecord* text_time = find(records, "text-time");
  CHECK_THAT(text_time->decode_error, Catch::Contains("job 'text-time'") && Catch::Contains("next_run_time") &&
                                          Catch::Contains("tomorrow"));
  CHECK(text_time->raw == R"({"id":"text-time","payload":null})");
  CHECK(text_time->document.is_null());

  const sdk::JobRecord* truncated = find(records, "truncated");
  CHECK_THAT(truncated->decode_error, Catch::Contains("job 'truncated'"));
  CHECK(truncated->raw == std::string(R"({"id":"truncated","payload":null})").substr(0, 10));

  std::optional<sdk::JobRecord> got;
  REQUIRE(store->get("bad-json", got).ok());
  REQUIRE(got);
  CHECK(got->decode_error == bad->decode_error);

  // Due corrupt rows are acquired (flagged) so the kernel can report and park them.
  std::vector<sdk::JobRecord> acquired;
  REQUIRE(store->acquire_due(35, sdk::Lease{"A", 1000}, 10, {}, acquired).ok());
  CHECK(ids(acquired) == Ids{"good", "bad-json", "blob"});
  CHECK(acquired[0].decode_error.empty());
  CHECK_FALSE(acquired[1].decode_error.empty());
  CHECK_FALSE(acquired[2].decode_error.empty());
  REQUIRE(store->hold({"bad-json", "blob"}, sdk::Lease{"A", 5000}).ok());
  REQUIRE(store->release("A", {{"good", 100, false}}).ok());

  // A text next_run_time can never become due; it must not make the scheduler spin.
  std::optional<sdk::Timestamp> earliest;
  REQUIRE(store->earliest_run_time(35, "A", earliest).ok());
  CHECK(earliest == 40);  // truncated; bad-json and blob are held until 5000

  // The damaged rows' content is exactly as it was (only leases changed).
  std::vector<std::string> after = dump(path);
  REQUIRE(after.size() == before.size());
  for (std::size_t i = 0; i < after.size(); ++i) {
    if (after[i].rfind("good|", 0) == 0) continue;
    std::string prefix_after = after[i].substr(0, after[i].rfind("|", after[i].rfind("|") - 1));
    std::string prefix_before = before[i].substr(0, before[i].rfind("|", before[i].rfind("|") - 1));
    CHECK(prefix_after == prefix_before);
  }

  // Reopened, they are all still there; the kernel alone decides to remove one.
  store->shutdown();
  store = open_store(host, path);
  REQUIRE(store->list(records).ok());
  CHECK(records.size() == 6);
  REQUIRE(store->remove("blob").ok());
  REQUIRE(store->update(job("bad-json", 50, "repaired")).ok());
  REQUIRE(store->get("bad-json", got).ok());
  CHECK(got->decode_error.empty());
  CHECK(*got->document.find("payload") == sdk::Value("repaired"));
}

TEST_CASE("sqlite store: a row whose next_run_time is no time is named in a warning when the store opens",
          "[sqlite][corrupt]") {
  TempDir dir;
  const std::string path = dir.file("jobs.sqlite");
  {
    FakeHost host;
    auto store = open_store(host, path);
    REQUIRE(store->add(job("good", 10)).ok());
    REQUIRE(store->add(job("text-time", 5)).ok());
    REQUIRE(store->add(job("paused", std::nullopt)).ok());
  }
  execute_sql(path, "UPDATE apscheduler_jobs SET next_run_time = 'tomorrow' WHERE id = 'text-time';");

  FakeHost host;
  auto store = open_store(host, path);
  std::vector<std::string> warnings;
  for (const auto& [level, message] : host.logs())
    if (level == sdk::LogLevel::warning) warnings.push_back(message);
  REQUIRE(warnings.size() == 1);
  CHECK_THAT(warnings[0], Catch::Contains(path) && Catch::Contains("job 'text-time' in table 'apscheduler_jobs'") &&
                              Catch::Contains("never runs: its next_run_time is not a time ('tomorrow')"));
}
