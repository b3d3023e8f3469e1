#pragma once
#include <map>
#include <string>
#include <string_view>

#include <yaml-cpp/yaml.h>

#include "apsched/sdk/value.h"

namespace apsched::core::detail {

/** 1-based line and column of a YAML node. */
struct SourceMark {
  int line = 0;
  int column = 0;
};

/** Marks by config path: "jobs[1].trigger.hour". */
using SourceMarks = std::map<std::string, SourceMark, std::less<>>;

/**
 * Converts YAML to plain data with the YAML 1.2 core schema: unquoted null/~, true/false,
 * integers and floats are typed, everything quoted is a string. Duplicate mapping keys
 * are refused. Records each node's mark under its path when `marks` is given.
 * Throws ConfigError "<what>:line:column: ..." on a duplicate key or a non-scalar key.
 */
sdk::Value to_value(const YAML::Node& node, const std::string& path, const std::string& what, SourceMarks* marks);

/**
 * Parses a YAML text (one document) into plain data, recording marks as to_value does;
 * throws ConfigError "<what>:line:column: ..." on invalid YAML or a second document.
 */
sdk::Value parse_yaml_value(std::string_view text, std::string_view what, SourceMarks* marks = nullptr);

}  // namespace apsched::core::detail
