#pragma once
#include <string>

#include "database.h"

namespace apsched::stores::sqlite {

/**
 * Every statement the store runs against its jobs table, prepared once when the store
 * starts and reused for its lifetime. Rows are read as (id, next_run_time, document).
 * Parameter numbers are given beside each statement.
 */
struct JobStatements {
  JobStatements(Database& db, const std::string& table);

  // Two statements rather than one UPDATE ... RETURNING: SQLite runs RETURNING through
  // an ephemeral table whose 64 KB page cache was allocated and freed on every add (glibc
  // then grew and trimmed its heap each time: a fifth of an add's CPU).
  Statement next_seq;        ///< ?1 table name → the sequence number to use
  Statement bump_seq;        ///< ?1 table name; run after next_seq, in the same transaction
  Statement insert;          ///< ?1 id, ?2 next_run_time, ?3 seq, ?4 document
  Statement update;          ///< ?1 id, ?2 next_run_time, ?3 document; drops any lease
  Statement remove;          ///< ?1 id
  Statement remove_all;
  Statement get;             ///< ?1 id
  Statement list_scheduled;  ///< rows with a next_run_time, in order
  Statement list_paused;     ///< rows without one, in insertion order
  Statement count;           ///< → the number of rows
  Statement earliest_free;   ///< ?1 now → earliest next_run_time without a live lease
  Statement earliest_lease;  ///< ?1 now → earliest time a live-leased row becomes acquirable
  Statement due;             ///< ?1 now, ?2 owner, ?3 limit → acquirable due rows, in order
  Statement lease;           ///< ?1 id, ?2 owner, ?3 expires
  Statement release_update;  ///< ?1 id, ?2 owner, ?3 next_run_time
  Statement release_remove;  ///< ?1 id, ?2 owner
  Statement hold;            ///< ?1 id, ?2 owner, ?3 expires, ?4 now
};

}  // namespace apsched::stores::sqlite
