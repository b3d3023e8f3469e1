// The public Scheduler: a thin front over SchedulerCore, plus the three ways to run it.
#include "apsched/core/scheduler.h"

#include "scheduler/scheduler_core.h"

namespace apsched::core {

Scheduler::Scheduler(SchedulerOptions options)
    : core_(std::make_unique<detail::SchedulerCore>(std::move(options), [this] { on_wakeup_needed(); })) {}

Scheduler::~Scheduler() = default;

void Scheduler::add_jobstore(const std::string& alias, const Value& config) { core_->add_jobstore(alias, config); }
void Scheduler::remove_jobstore(const std::string& alias, bool shutdown) { core_->remove_jobstore(alias, shutdown); }
void Scheduler::add_executor(const std::string& alias, const Value& config) { core_->add_executor(alias, config); }
void Scheduler::remove_executor(const std::string& alias, bool shutdown) { core_->remove_executor(alias, shutdown); }

Job Scheduler::add_job(const JobSpec& spec) { return core_->add_job(spec); }
Job Scheduler::modify_job(const std::string& id, const JobChanges& changes, const std::string& jobstore) {
  return core_->modify_job(id, changes, jobstore);
}
Job Scheduler::reschedule_job(const std::string& id, const TriggerSpec& trigger, const std::string& jobstore) {
  return core_->reschedule_job(id, trigger, jobstore);
}
Job Scheduler::pause_job(const std::string& id, const std::string& jobstore) { return core_->pause_job(id, jobstore); }
Job Scheduler::resume_job(const std::string& id, const std::string& jobstore) { return core_->resume_job(id, jobstore); }
void Scheduler::remove_job(const std::string& id, const std::string& jobstore) { core_->remove_job(id, jobstore); }
void Scheduler::remove_all_jobs(const std::string& jobstore) { core_->remove_all_jobs(jobstore); }
std::optional<Job> Scheduler::get_job(const std::string& id, const std::string& jobstore) {
  return core_->get_job(id, jobstore);
}
std::vector<Job> Scheduler::get_jobs(const std::string& jobstore) { return core_->get_jobs(jobstore); }
void Scheduler::print_jobs(std::ostream& out, const std::string& jobstore) { core_->print_jobs(out, jobstore); }

void Scheduler::start(bool paused) { core_->start(paused); }
void Scheduler::shutdown(bool wait) { core_->shutdown(wait); }
void Scheduler::pause() { core_->pause(); }
void Scheduler::resume() { core_->resume(); }
void Scheduler::wakeup() { core_->wakeup(); }
bool Scheduler::running() const { return core_->running(); }

std::uint64_t Scheduler::add_listener(Listener listener, std::uint32_t mask) {
  return core_->listeners().add(std::move(listener), mask);
}
void Scheduler::remove_listener(std::uint64_t id) { core_->listeners().remove(id); }

std::optional<Timestamp> Scheduler::process_due_jobs() { return core_->process_due_jobs(); }
void Scheduler::look_ahead(Timestamp next_wakeup) { core_->look_ahead(next_wakeup); }
const Clock& Scheduler::clock() const { return core_->clock(); }
const std::string& Scheduler::timezone() const { return core_->timezone(); }
void Scheduler::run_loop() { core_->run_loop(); }

BackgroundScheduler::~BackgroundScheduler() {
  if (running()) shutdown(true);
  std::lock_guard lock(thread_mutex_);
  // Still joinable when shutdown() ran on the scheduler thread itself (from a listener).
  if (thread_.joinable()) {
    if (thread_.get_id() == std::this_thread::get_id())
      thread_.detach();
    else
      thread_.join();
  }
}

void BackgroundScheduler::start(bool paused) {
  Scheduler::start(paused);
  std::lock_guard lock(thread_mutex_);
  thread_ = std::thread([this] { run_loop(); });
}

void BackgroundScheduler::shutdown(bool wait) {
  Scheduler::shutdown(wait);
  std::lock_guard lock(thread_mutex_);
  if (thread_.joinable() && thread_.get_id() != std::this_thread::get_id()) thread_.join();
}

void BlockingScheduler::start(bool paused) {
  Scheduler::start(paused);
  run_loop();
}

void EventLoopScheduler::on_wakeup_needed() {
  if (on_wakeup_) on_wakeup_();
}

}  // namespace apsched::core
