#include "sqlite_store.h"

#include <sqlite3.h>

#include <algorithm>
#include <cstdint>
#include <limits>

#include <apsched/sdk/status.h>

#include "database.h"
#include "errors.h"
#include "row_decoder.h"
#include "schema.h"
#include "statements.h"

namespace apsched::stores::sqlite {

struct SqliteStore::Connection {
  Connection(std::unique_ptr<Database> database, const std::string& table)
      : db(std::move(database)), statements(*db, table) {}

  std::unique_ptr<Database> db;
  JobStatements statements;  // declared after db: finalized before the connection closes
};

namespace {

using Kind = Transaction::Kind;

std::string describe_action(std::string_view verb, std::string_view id) {
  std::string action(verb);
  if (!id.empty()) action += " '" + std::string(id) + "'";
  return action;
}

std::int64_t clamp_limit(std::size_t limit) {
  constexpr auto kMax = static_cast<std::size_t>(std::numeric_limits<std::int64_t>::max());
  return static_cast<std::int64_t>(std::min(limit, kMax));
}

}  // namespace

SqliteStore::SqliteStore(sdk::Host& host, const sdk::Value& config)
    : host_(host), options_(read_store_options(host, config)) {}

SqliteStore::~SqliteStore() = default;

template <typename Fn>
sdk::Status SqliteStore::call(std::string_view verb, std::string_view id, Fn&& fn) noexcept {
  return sdk::guarded([&] {
    std::lock_guard lock(mutex_);
    if (!connection_)
      throw sdk::Error("sqlite job store '" + options_.path + "': cannot " + describe_action(verb, id) +
                           ": the store is not started",
                       {}, sdk::Code::unavailable);
    try {
      fn(*connection_);
    } catch (const SqliteFailure& failure) {
      throw describe_failure(options_.path, options_.busy_timeout_ms, describe_action(verb, id), failure);
    }
  });
}

sdk::Status SqliteStore::start() noexcept {
  return sdk::guarded([&] {
    std::lock_guard lock(mutex_);
    if (connection_) return;
    check_parent_directory(options_.path);
    try {
      auto db = std::make_unique<Database>(options_.path, options_.busy_timeout_ms);
      SchemaOutcome schema = ensure_schema(*db, options_.table);
      connection_ = std::make_unique<Connection>(std::move(db), options_.table);
      if (schema.changed)
        host_.log(sdk::LogLevel::info,
                  "sqlite job store '" + options_.path + "': " +
                      (schema.found_version == 0 ? "created table '" + options_.table + "'"
                                                 : "migrated table '" + options_.table + "' from schema version " +
                                                       std::to_string(schema.found_version)) +
                      " to schema version " + std::to_string(kSchemaVersion));
      host_.log(sdk::LogLevel::debug,
                "sqlite job store '" + options_.path + "': opened table '" + options_.table + "'");
      warn_of_unschedulable_rows(*connection_->db);
    } catch (const SqliteFailure& failure) {
      throw describe_failure(options_.path, options_.busy_timeout_ms, "open the database", failure);
    }
  });
}

void SqliteStore::warn_of_unschedulable_rows(Database& db) noexcept {
  try {
    // Text or a blob sorts after every number, so the index finds these rows at its end.
    Statement statement(db, "SELECT id, next_run_time FROM " + quote_identifier(options_.table) +
                                " WHERE next_run_time > 9223372036854775807 LIMIT 11");
    Query rows(statement);
    for (int shown = 0; rows.step(); ++shown) {
      if (shown == 10) {
        host_.log(sdk::LogLevel::warning, "sqlite job store '" + options_.path + "': more rows like these in table '" +
                                              options_.table + "' (apsched jobs lists them all)");
        break;
      }
      host_.log(sdk::LogLevel::warning,
                "sqlite job store '" + options_.path + "': job '" + rows.column_bytes(0) + "' in table '" +
                    options_.table + "' never runs: its next_run_time is not a time ('" + rows.column_bytes(1) +
                    "'); set it to microseconds since the epoch (UTC), or NULL to pause the job, or remove the job");
    }
  } catch (const std::exception& e) {
    // A look for damaged rows only: the store works without it.
    host_.log(sdk::LogLevel::warning, "sqlite job store '" + options_.path +
                                          "': could not look for rows whose next_run_time is no time: " + e.what());
  }
}

void SqliteStore::shutdown() noexcept {
  std::lock_guard lock(mutex_);
  connection_.reset();  // sqlite3_close checkpoints the WAL when it is the last connection
}

sdk::Status SqliteStore::add(const sdk::JobRecord& job) noexcept {
  return call("add job", job.id, [&](Connection& c) {
    const std::string document = job.document.to_json();
    Transaction transaction(*c.db, Kind::write);
    std::int64_t seq = 0;
    {
      Query next(c.statements.next_seq);
      next.bind(1, options_.table);
      if (!next.step())
        throw sdk::Error("sqlite job store '" + options_.path + "': table '" + options_.table +
                             "' has no entry in apsched_meta (was it edited by hand?)",
                         {}, sdk::Code::internal);
      seq = next.column_int(0);
    }
    Query(c.statements.bump_seq).bind(1, options_.table).run();
    try {
      Query(c.statements.insert).bind(1, job.id).bind(2, job.next_run_time).bind(3, seq).bind(4, document).run();
    } catch (const SqliteFailure& failure) {
      if (failure.code() != SQLITE_CONSTRAINT_PRIMARYKEY) throw;
      throw sdk::Error("job '" + job.id + "' already exists in sqlite job store '" + options_.path + "'", {},
                       sdk::Code::already_exists);
    }
    transaction.commit();
  });
}

sdk::Status SqliteStore::update(const sdk::JobRecord& job) noexcept {
  return call("update job", job.id, [&](Connection& c) {
    const std::string document = job.document.to_json();
    int changed = Query(c.statements.update).bind(1, job.id).bind(2, job.next_run_time).bind(3, document).run();
    if (changed == 0)
      throw sdk::Error("no job '" + job.id + "' in sqlite job store '" + options_.path + "'", {},
                       sdk::Code::not_found);
  });
}

sdk::Status SqliteStore::remove(const std::string& id) noexcept {
  return call("remove job", id, [&](Connection& c) {
    if (Query(c.statements.remove).bind(1, id).run() == 0)
      throw sdk::Error("no job '" + id + "' in sqlite job store '" + options_.path + "'", {}, sdk::Code::not_found);
  });
}

sdk::Status SqliteStore::remove_all() noexcept {
  return call("remove all jobs", {}, [&](Connection& c) { Query(c.statements.remove_all).run(); });
}

sdk::Status SqliteStore::get(const std::string& id, std::optional<sdk::JobRecord>& out) noexcept {
  out.reset();
  return call("read job", id, [&](Connection& c) {
    Query query(c.statements.get);
    query.bind(1, id);
    if (query.step()) out = decode_row(query);
  });
}

sdk::Status SqliteStore::count(std::size_t& out) noexcept {
  return call("count jobs", {}, [&](Connection& c) {
    Query query(c.statements.count);
    query.step();
    out = static_cast<std::size_t>(query.column_int(0));
  });
}

sdk::Status SqliteStore::list_each(const std::function<void(sdk::JobRecord&)>& visit) noexcept {
  return call("list jobs", {}, [&](Connection& c) {
    Transaction snapshot(*c.db, Kind::read);  // both queries see the same state
    for (Statement* statement : {&c.statements.list_scheduled, &c.statements.list_paused}) {
      Query query(*statement);
      while (query.step()) {
        sdk::JobRecord record = decode_row(query);
        visit(record);
      }
    }
    snapshot.commit();
  });
}

sdk::Status SqliteStore::earliest_run_time(sdk::Timestamp now, const std::string& /*owner*/,
                                           std::optional<sdk::Timestamp>& out) noexcept {
  out.reset();
  return call("find the earliest run time", {}, [&](Connection& c) {
    std::optional<sdk::Timestamp> earliest;
    Transaction snapshot(*c.db, Kind::read);
    {
      Query query(c.statements.earliest_free);
      query.bind(1, now);
      if (query.step()) earliest = query.column_int(0);
    }
    {
      Query query(c.statements.earliest_lease);
      query.bind(1, now);
      if (query.step() && query.column_type(0) != SQLITE_NULL) {
        sdk::Timestamp reacquirable = query.column_int(0);
        earliest = earliest ? std::min(*earliest, reacquirable) : reacquirable;
      }
    }
    snapshot.commit();
    out = earliest;
  });
}

sdk::Status SqliteStore::acquire_due(sdk::Timestamp now, const sdk::Lease& lease, std::size_t limit,
                                     const sdk::KnownRevision& /*known: rows carry no revision*/,
                                     std::vector<sdk::JobRecord>& out) noexcept {
  return call("acquire due jobs", {}, [&](Connection& c) {
    std::vector<sdk::JobRecord> acquired;
    if (limit > 0) {
      Transaction transaction(*c.db, Kind::write);
      {
        Query due(c.statements.due);
        due.bind(1, now).bind(2, lease.owner).bind(3, clamp_limit(limit));
        while (due.step()) acquired.push_back(decode_row(due));
      }
      for (const sdk::JobRecord& record : acquired)
        Query(c.statements.lease).bind(1, record.id).bind(2, lease.owner).bind(3, lease.expires).run();
      transaction.commit();
    }
    out = std::move(acquired);
  });
}

sdk::Status SqliteStore::release(const std::string& owner, const std::vector<sdk::Release>& outcomes) noexcept {
  return call("release jobs", {}, [&](Connection& c) {
    if (outcomes.empty()) return;
    Transaction transaction(*c.db, Kind::write);
    for (const sdk::Release& outcome : outcomes) {
      if (outcome.remove)
        Query(c.statements.release_remove).bind(1, outcome.id).bind(2, owner).run();
      else
        Query(c.statements.release_update).bind(1, outcome.id).bind(2, owner).bind(3, outcome.next_run_time).run();
    }
    transaction.commit();
  });
}

sdk::Status SqliteStore::hold(const std::vector<std::string>& ids, const sdk::Lease& lease) noexcept {
  return call("hold jobs", {}, [&](Connection& c) {
    if (ids.empty()) return;
    const sdk::Timestamp now = host_.now();
    Transaction transaction(*c.db, Kind::write);
    for (const std::string& id : ids)
      Query(c.statements.hold).bind(1, id).bind(2, lease.owner).bind(3, lease.expires).bind(4, now).run();
    transaction.commit();
  });
}

}  // namespace apsched::stores::sqlite
