// Using the apsched kernel as a library: a background scheduler inside your program.
#include <apsched/core/scheduler.h>

#include <chrono>
#include <iostream>
#include <thread>

using namespace apsched::core;
using namespace std::chrono_literals;

int main() {
  SchedulerOptions options;  // plugins and job libraries: found beside the binary
  options.timezone = "UTC";
  BackgroundScheduler scheduler(options);

  scheduler.add_listener(
      [](const Event& e) { std::cout << "event " << event_name(e.code) << " job=" << e.job_id << std::endl; },
      EVENT_JOB_EXECUTED | EVENT_JOB_ERROR);

  // A trigger from YAML, or built in code; jobs added before start() are stored by it.
  JobSpec tick;
  tick.id = "every-second";
  tick.func = "example_jobs:tick";
  tick.args = Value::List{"from the embedding example"};
  tick.trigger = TriggerSpec::from_yaml("{type: interval, seconds: 1}");
  scheduler.add_job(tick);

  JobSpec quarterly;
  quarterly.id = "quarter-hourly";
  quarterly.func = "example_jobs:noop";
  quarterly.trigger = TriggerSpec::make("cron", {{"minute", "*/15"}});
  scheduler.add_job(quarterly);

  scheduler.start();
  scheduler.print_jobs(std::cout);

  std::this_thread::sleep_for(2500ms);
  JobChanges changes;
  changes.args = Value::List{"modified"};
  scheduler.modify_job("every-second", changes);
  scheduler.reschedule_job("quarter-hourly", TriggerSpec::make("interval", {{"hours", 1}}));
  scheduler.pause_job("quarter-hourly");
  std::cout << "paused: " << scheduler.get_job("quarter-hourly")->describe() << std::endl;
  scheduler.resume_job("quarter-hourly");
  // Long enough for two more ticks with the new args, the second half a second before the end.
  std::this_thread::sleep_for(2000ms);
  scheduler.remove_job("quarter-hourly");
  std::cout << "jobs left: " << scheduler.get_jobs().size() << std::endl;
  scheduler.shutdown(/*wait=*/true);
}
