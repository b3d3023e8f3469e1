// The look ahead: while the scheduler waits for its next wake-up, it decodes the jobs due
// then, so that their runs start without decoding (JobStore::peek_due).
#include <algorithm>

#include <spdlog/spdlog.h>

#include "scheduler/scheduler_core.h"

namespace apsched::core::detail {
namespace {

// Jobs decoded per chunk (one hold of the lock, about 2 ms), at most per wait, and how
// close to the wake-up the look ahead stops (plus as long as its last chunk took).
constexpr std::size_t kChunk = 256;
constexpr Timestamp kMarginMicros = 5000;

}  // namespace

void SchedulerCore::look_ahead(Timestamp until, std::optional<std::uint64_t> seen_before) {
  if (until - clock_->now() < kMarginMicros) return;  // due (nearly) now: not idle
  drop_retired_jobs();
  std::unique_lock lock(mutex_);
  const std::uint64_t seen = seen_before.value_or(wakeups_requested_);
  if (!ahead_ || ahead_->until != until) ahead_.emplace(LookAhead{until});
  LookAhead& ahead = *ahead_;
  const std::size_t decoded_before = ahead.decoded;
  Timestamp last_chunk = 0;
  bool more = true;
  while (more && ahead.decoded < look_ahead_most()) {
    if (state_ != State::running || wakeups_requested_ != seen) break;
    const Timestamp now = clock_->now();
    if (until - now < kMarginMicros + last_chunk) break;
    more = false;
    for (auto& [alias, entry] : stores_) more = look_ahead_in(alias, entry, now, ahead) || more;
    last_chunk = clock_->now() - now;
    // Let API calls in between chunks.
    lock.unlock();
    lock.lock();
  }
  if (ahead.decoded == decoded_before) return;
  spdlog::debug("Decoded {} jobs due at {} ahead of time", ahead.decoded - decoded_before,
                sdk::format_datetime(until, timezone_));
  // Room to retire them all: growing the array in the pass made glibc consolidate its free lists.
  retired_.reserve(ahead.decoded);
}

bool SchedulerCore::look_ahead_in(const std::string& alias, StoreEntry& entry, Timestamp now, LookAhead& ahead) {
  const std::size_t most = look_ahead_most();
  const std::size_t kept = std::min(entry.decoded.size(), most);
  const std::size_t room = std::min({most - kept, most - ahead.decoded, kChunk});
  if (room == 0) return false;
  sdk::KnownRevision known = [&entry, &ahead](std::string_view id, std::uint64_t revision,
                                              std::optional<Timestamp> next_run_time) {
    if (ahead.skipped.find(id) != ahead.skipped.end()) return sdk::Held::decoded;  // as far as peek_due goes
    return held(entry.decoded.find(id), revision, next_run_time);
  };
  std::string& after = ahead.resume_after[alias];
  std::vector<sdk::JobRecord>& records = ahead.records;
  if (!store(alias).peek_due(now, ahead.until, after, room, known, records).ok())
    return false;  // the next pass reports a failing store
  if (records.empty()) return false;
  after = records.back().id;
  for (const sdk::JobRecord& record : records) {
    try {
      LoadedJob fresh;
      if (record.revision != 0 && !record.document.is_null()) {
        CachedJob* cached = entry.decoded.find(record.id);
        LoadedJob& job = decoded(entry, cached, record, alias, fresh);
        if (&job != &fresh) {
          ++ahead.decoded;
          prepare_runs(job);  // its function resolved now too, unless the job libraries change before the run
          note_last_run(cached->value);
          continue;
        }
      }
    } catch (const std::exception&) {
    }
    ahead.skipped.insert(record.id);
  }
  records.clear();
  return true;
}

void SchedulerCore::note_last_run(DecodedJob& kept) {
  const std::optional<Timestamp> due = kept.job.info.next_run_time;
  // `now` = the due time, as in the pass that will run it (a trigger asked for the fire
  // time after a previous one does not look at `now`, but one as APScheduler's cron
  // trigger takes the earlier of the two).
  if (due && !kept.job.trigger->next_fire_time(due, *due)) kept.last_run_at = due;
}

}  // namespace apsched::core::detail
