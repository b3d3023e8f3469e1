#pragma once
#include <apsched/sdk/store.h>

#include "database.h"

namespace apsched::stores::sqlite {

/**
 * Reads the current row of `query` (columns: id, next_run_time, document) into a
 * JobRecord. Never throws for bad content: a row whose document is not valid JSON text
 * or whose next_run_time is not an integer comes back with `decode_error` saying what
 * is wrong with which job, `document` null and `raw` holding the stored text, so the
 * kernel can report it and the row stays untouched.
 */
sdk::JobRecord decode_row(const Query& query);

}  // namespace apsched::stores::sqlite
