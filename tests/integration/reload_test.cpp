// SIGHUP: the running host re-reads its config and applies the changes to its jobs; a
// broken config is refused whole and the host runs on.
#include <catch2/catch.hpp>

#include <csignal>

#include "refusal.h"

using apsched::test::ConfigFile;
using apsched::test::count_lines;
using apsched::test::start_host;
using apsched::test::write_file;
using Catch::Matchers::Contains;

namespace {

std::string job(const std::string& id, const std::string& text) {
  return "  - {id: " + id + ", func: 'example_jobs:append_line', args: [" + id + ".txt, " + text +
         "], trigger: {type: interval, seconds: 0.2}}\n";
}

}  // namespace

TEST_CASE("SIGHUP applies the config's job changes and refuses a broken config", "[integration][reload]") {
  ConfigFile config("executors: {default: {type: threadpool}}\njobs:\n" + job("a", "one") + job("b", "bee"),
                    "apsched-reload");
  auto host = start_host(config.file(), config.dir());
  REQUIRE_WITHIN(*host, [&] { return count_lines(config.dir() / "b.txt") >= 1; });

  write_file(config.file(), "executors: {default: {type: threadpool}}\njobs:\n" + job("a", "two") + job("c", "sea"));
  host->send_signal(SIGHUP);
  REQUIRE_OUTPUT(*host, "Config reloaded: 1 added, 1 changed, 1 removed");
  REQUIRE_WITHIN(*host, [&] { return count_lines(config.dir() / "c.txt") >= 2; });
  REQUIRE_WITHIN(*host, [&] { return apsched::test::read_file(config.dir() / "a.txt").find("two\n") != std::string::npos; });
  std::size_t b_lines = count_lines(config.dir() / "b.txt");

  write_file(config.file(), "jobs:\n  - {id: a, func: 'example_jobs:nope', trigger: {type: interval, seconds: 1}}\n");
  host->send_signal(SIGHUP);
  REQUIRE_OUTPUT(*host, "Config reload refused (1 problem), still running the previous config");
  std::size_t c_lines = count_lines(config.dir() / "c.txt");
  REQUIRE_WITHIN(*host, [&] { return count_lines(config.dir() / "c.txt") >= c_lines + 2; });  // still running
  CHECK(count_lines(config.dir() / "b.txt") == b_lines);  // b stays removed

  host->send_signal(SIGTERM);
  auto status = host->wait();
  INFO(host->output());
  CHECK(status.describe() == "exit status 0");
  CHECK_THAT(host->output(), Contains("no function 'nope'"));
}
