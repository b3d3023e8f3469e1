#include "schedule_cache.h"

namespace apsched::triggers::cron {

std::shared_ptr<const WallSchedule> ScheduleCache::find(std::string_view key) {
  std::lock_guard lock(mutex_);
  auto it = schedules_.find(key);
  return it == schedules_.end() ? nullptr : it->second;
}

std::shared_ptr<const WallSchedule> ScheduleCache::keep(std::string_view key,
                                                        std::shared_ptr<const WallSchedule> compiled) {
  std::lock_guard lock(mutex_);
  if (auto it = schedules_.find(key); it != schedules_.end()) return it->second;  // another thread was first
  if (schedules_.size() < kMostKept) schedules_.emplace(key, compiled);
  return compiled;
}

ScheduleCache& shared_schedules() {
  static ScheduleCache cache;
  return cache;
}

ScheduleKey::ScheduleKey(std::string_view type) {
  key_.reserve(128);  // eight fields' texts and lengths: built without growing
  add(type);
}

void ScheduleKey::add(std::string_view text) {
  std::size_t length = text.size();
  key_.append(reinterpret_cast<const char*>(&length), sizeof length);
  key_.append(text);
}

}  // namespace apsched::triggers::cron
