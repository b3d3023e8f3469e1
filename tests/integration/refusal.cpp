#include "refusal.h"

#include <catch2/catch.hpp>

namespace apsched::test {

ConfigFile::ConfigFile(std::string text, std::string_view tag)
    : dir_(tag), file_(dir_.path() / "config.yaml"), text_(std::move(text)) {
  write_file(file_, text_);
}

std::string ConfigFile::at(std::string_view needle, std::size_t occurrence) const {
  return file_.string() + ":" + location_of(text_, needle, occurrence) + ":";
}

std::string ConfigFile::at_after(std::string_view needle, std::size_t occurrence) const {
  std::string spot = location_of(text_, needle, occurrence);
  auto colon = spot.find(':');
  return file_.string() + ":" + spot.substr(0, colon) + ":" + std::to_string(std::stoul(spot.substr(colon + 1)) + needle.size()) +
         ":";
}

void require_refused(const ConfigFile& config, const std::vector<std::string>& fragments,
                     const std::filesystem::path& binary) {
  for (const char* command : {"check", "run"}) {
    CommandResult result = run_apsched({command, "-c", config.file().string()}, kGenerous, binary);
    INFO("apsched " << command << " -c " << config.file().string() << "\n--- config ---\n"
                    << config.text() << "--- output ---\n"
                    << result.output());
    CHECK(result.status.describe() == "exit status 1");
    for (const auto& fragment : fragments) CHECK_THAT(result.output(), Catch::Matchers::Contains(fragment));
    if (std::string_view(command) == "run") {
      CHECK_THAT(result.output(), !Catch::Matchers::Contains("Scheduler started"));
      CHECK_THAT(result.output(), !Catch::Matchers::Contains("Running job"));
    } else {
      CHECK_THAT(result.out, !Catch::Matchers::Contains("OK"));
    }
  }
}

void require_accepted(const ConfigFile& config, const std::filesystem::path& binary) {
  CommandResult result = run_apsched({"check", "-c", config.file().string()}, kGenerous, binary);
  INFO("--- config ---\n" << config.text() << "--- output ---\n" << result.output());
  CHECK(result.status.describe() == "exit status 0");
  CHECK_THAT(result.out, Catch::Matchers::Contains(config.file().string() + ": OK"));
}

}  // namespace apsched::test
