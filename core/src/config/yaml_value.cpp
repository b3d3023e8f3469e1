#include "config/yaml_value.h"

#include <charconv>
#include <string>
#include <vector>

#include "apsched/core/errors.h"

namespace apsched::core::detail {
namespace {

std::string location(const std::string& what, const YAML::Mark& mark) {
  return what + ":" + std::to_string(mark.line + 1) + ":" + std::to_string(mark.column + 1);
}

/** A plain (unquoted) scalar typed as YAML 1.2's core schema says; `mark` places an error. */
sdk::Value plain_scalar(const std::string& text, const std::string& what, const YAML::Mark& mark) {
  if (text.empty() || text == "~" || text == "null" || text == "Null" || text == "NULL") return {};
  if (text == "true" || text == "True" || text == "TRUE") return true;
  if (text == "false" || text == "False" || text == "FALSE") return false;
  const char* first = text.data();
  const char* last = text.data() + text.size();
  if (*first == '+') ++first;
  long long integer = 0;
  auto [int_end, int_ec] = std::from_chars(first, last, integer);
  if (int_ec == std::errc() && int_end == last) return integer;
  if (int_ec == std::errc::result_out_of_range && int_end == last)
    throw ConfigError(location(what, mark) + ": the integer " + text +
                      " is too large (from -9223372036854775808 to 9223372036854775807); quote it to mean text");
  if (text.find_first_of(".eE") != std::string::npos) {
    double number = 0;
    auto [end, ec] = std::from_chars(first, last, number);
    if (ec == std::errc() && end == last) return number;
  }
  return text;
}

/** A hint when line `line` (0-based) of `text` is indented with a tab, which YAML forbids. */
std::string tab_hint(std::string_view text, int line) {
  std::size_t start = 0;
  for (int i = 0; i < line && start != std::string_view::npos; ++i) {
    start = text.find('\n', start);
    if (start != std::string_view::npos) ++start;
  }
  if (start == std::string_view::npos) return {};
  const std::size_t indent_end = text.find_first_not_of(" \t", start);
  const std::string_view indent =
      text.substr(start, indent_end == std::string_view::npos ? indent_end : indent_end - start);
  if (indent.find('\t') == std::string_view::npos) return {};
  return " (this line is indented with a tab: YAML indents with spaces)";
}

}  // namespace

sdk::Value to_value(const YAML::Node& node, const std::string& path, const std::string& what, SourceMarks* marks) {
  if (marks) (*marks)[path] = SourceMark{node.Mark().line + 1, node.Mark().column + 1};
  switch (node.Type()) {
    case YAML::NodeType::Undefined:
    case YAML::NodeType::Null: return {};
    case YAML::NodeType::Scalar:
      // yaml-cpp tags plain scalars "?" and quoted ones "!".
      if (node.Tag() == "!") return node.Scalar();
      return plain_scalar(node.Scalar(), what, node.Mark());
    case YAML::NodeType::Sequence: {
      sdk::Value::List items;
      for (std::size_t i = 0; i < node.size(); ++i)
        items.push_back(to_value(node[i], path + "[" + std::to_string(i) + "]", what, marks));
      return items;
    }
    case YAML::NodeType::Map: {
      sdk::Value::Map items;
      for (const auto& entry : node) {
        if (!entry.first.IsScalar())
          throw ConfigError(location(what, entry.first.Mark()) + ": mapping keys must be plain names");
        std::string key = entry.first.Scalar();
        std::string child = path.empty() ? key : path + "." + key;
        if (items.count(key))
          throw ConfigError(location(what, entry.first.Mark()) + ": duplicate key '" + key + "'");
        if (marks) (*marks)[child + "#key"] = SourceMark{entry.first.Mark().line + 1, entry.first.Mark().column + 1};
        items.emplace(key, to_value(entry.second, child, what, marks));
      }
      return items;
    }
  }
  return {};
}

sdk::Value parse_yaml_value(std::string_view text, std::string_view what, SourceMarks* marks) {
  const std::string source(what);
  std::vector<YAML::Node> documents;
  try {
    documents = YAML::LoadAll(std::string(text));
  } catch (const YAML::Exception& e) {
    throw ConfigError(location(source, e.mark) + ": invalid YAML: " + e.msg + tab_hint(text, e.mark.line));
  }
  // yaml-cpp's Load would read the first document and drop the rest without a word.
  if (documents.size() > 1)
    throw ConfigError(location(source, documents[1].Mark()) +
                      ": a second YAML document (after '---'): apsched reads one; merge them or remove the '---'");
  return documents.empty() ? sdk::Value{} : to_value(documents[0], "", source, marks);
}

}  // namespace apsched::core::detail
