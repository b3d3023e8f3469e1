#include "statements.h"

#include "schema.h"

namespace apsched::stores::sqlite {
namespace {

// A lease is live while lease_expires > now; a row with no lease has NULL there.
constexpr const char* kNoLiveLease = "(lease_expires IS NULL OR lease_expires <= ?1)";
// "Has a numeric next_run_time": unlike IS NOT NULL this also leaves out a corrupt text
// value (text sorts after every number), which could never become due and would
// otherwise make the scheduler wake at once, forever.
constexpr const char* kScheduled = "next_run_time <= 9223372036854775807";

}  // namespace

JobStatements::JobStatements(Database& db, const std::string& table)
    : next_seq(db, std::string("SELECT next_seq FROM ") + kMetaTable + " WHERE table_name = ?1"),
      bump_seq(db, std::string("UPDATE ") + kMetaTable + " SET next_seq = next_seq + 1 WHERE table_name = ?1"),
      insert(db, "INSERT INTO " + quote_identifier(table) +
                     " (id, next_run_time, seq, document) VALUES (?1, ?2, ?3, ?4)"),
      update(db, "UPDATE " + quote_identifier(table) +
                     " SET next_run_time = ?2, document = ?3, lease_owner = NULL, lease_expires = NULL"
                     " WHERE id = ?1"),
      remove(db, "DELETE FROM " + quote_identifier(table) + " WHERE id = ?1"),
      remove_all(db, "DELETE FROM " + quote_identifier(table)),
      get(db, "SELECT id, next_run_time, document FROM " + quote_identifier(table) + " WHERE id = ?1"),
      list_scheduled(db, "SELECT id, next_run_time, document FROM " + quote_identifier(table) +
                             " WHERE next_run_time IS NOT NULL ORDER BY next_run_time, seq"),
      list_paused(db, "SELECT id, next_run_time, document FROM " + quote_identifier(table) +
                          " WHERE next_run_time IS NULL ORDER BY seq"),
      count(db, "SELECT count(*) FROM " + quote_identifier(table)),
      earliest_free(db, "SELECT next_run_time FROM " + quote_identifier(table) +
                            " WHERE " + kScheduled + " AND " + kNoLiveLease +
                            " ORDER BY next_run_time, seq LIMIT 1"),
      earliest_lease(db, "SELECT MIN(MAX(next_run_time, lease_expires)) FROM " + quote_identifier(table) +
                             " WHERE lease_expires > ?1 AND " + kScheduled),
      due(db, "SELECT id, next_run_time, document FROM " + quote_identifier(table) +
                  " WHERE next_run_time <= ?1 AND (lease_expires IS NULL OR lease_expires <= ?1 OR lease_owner = ?2)"
                  " ORDER BY next_run_time, seq LIMIT ?3"),
      lease(db, "UPDATE " + quote_identifier(table) + " SET lease_owner = ?2, lease_expires = ?3 WHERE id = ?1"),
      release_update(db, "UPDATE " + quote_identifier(table) +
                             " SET next_run_time = ?3, lease_owner = NULL, lease_expires = NULL"
                             " WHERE id = ?1 AND lease_owner = ?2"),
      release_remove(db, "DELETE FROM " + quote_identifier(table) + " WHERE id = ?1 AND lease_owner = ?2"),
      hold(db, "UPDATE " + quote_identifier(table) +
                   " SET lease_owner = ?2, lease_expires = ?3"
                   " WHERE id = ?1 AND (lease_owner IS NULL OR lease_owner = ?2 OR lease_expires IS NULL"
                   " OR lease_expires <= ?4)") {}

}  // namespace apsched::stores::sqlite
