// JSON encoding of Value: the persisted and process-boundary form of plain data.
#include <algorithm>
#include <bit>
#include <charconv>
#include <cstdint>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <string>
#include <utility>
#include <vector>

#include "apsched/sdk/status.h"
#include "apsched/sdk/value.h"

namespace apsched::sdk {
namespace {

void write_string(std::string& out, const std::string& s) {
  out += '"';
  for (unsigned char c : s) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        if (c < 0x20) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\u%04x", c);
          out += buf;
        } else {
          out += static_cast<char>(c);
        }
    }
  }
  out += '"';
}

void write_double(std::string& out, double d) {
  if (!std::isfinite(d)) throw Error("cannot encode a non-finite float (" + std::to_string(d) + ") as JSON");
  char buf[32];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, d);
  std::string text(buf, end);
  // Keep floats recognisable as floats when read back.
  if (text.find_first_of(".eEn") == std::string::npos) text += ".0";
  out += text;
}

void write(std::string& out, const Value& v) {
  switch (v.type()) {
    case Value::Type::null: out += "null"; break;
    case Value::Type::boolean: out += v.as_bool() ? "true" : "false"; break;
    case Value::Type::integer: out += std::to_string(v.as_int()); break;
    case Value::Type::floating: write_double(out, v.as_number()); break;
    case Value::Type::string: write_string(out, v.as_string()); break;
    case Value::Type::list: {
      out += '[';
      bool first = true;
      for (const auto& item : v.as_list()) {
        if (!first) out += ',';
        first = false;
        write(out, item);
      }
      out += ']';
      break;
    }
    case Value::Type::map: {
      out += '{';
      bool first = true;
      for (const auto& [key, item] : v.as_map()) {
        if (!first) out += ',';
        first = false;
        write_string(out, key);
        out += ':';
        write(out, item);
      }
      out += '}';
      break;
    }
  }
}

/**
 * Kept per thread from one document to the next. `sizes[n]`: how many items the nth list
 * or map of the last document read had (in the order they open): the room the next
 * document's nth gets, so that documents of one shape (job documents) build each list and
 * map in place at its size, without a copy or a move of any item. The buffer is for a
 * string value that holds escapes.
 */
struct Scratch {
  static constexpr std::size_t kRememberedSizes = 64;
  /** A guess is at most this: a large list once read does not cost every later document its room. */
  static constexpr std::uint32_t kLargestGuess = 256;
  std::vector<std::uint32_t> sizes;
  std::string unescaped_string;
};

class Parser {
 public:
  Parser(std::string_view text, Scratch& scratch) : text_(text), scratch_(scratch) {}

  Value parse_document() {
    skip_space();
    Value v;
    parse_value(0, [&v](auto&& item) { v = Value(std::forward<decltype(item)>(item)); });
    skip_space();
    if (pos_ != text_.size()) fail("unexpected text after the value");
    return v;
  }

 private:
  static constexpr int kMaxDepth = 200;

  [[noreturn]] void fail(const std::string& what) const {
    throw Error("invalid JSON at byte " + std::to_string(pos_) + ": " + what);
  }

  // Tested from the most common answer: a printable character is no space.
  static bool is_space(char c) {
    return static_cast<unsigned char>(c) <= ' ' && (c == ' ' || c == '\n' || c == '\t' || c == '\r');
  }

  [[gnu::always_inline]] void skip_space() {
    while (pos_ < text_.size() && is_space(text_[pos_])) ++pos_;
  }

  bool consume(std::string_view word) {
    if (text_.size() - pos_ < word.size()) return false;
    for (std::size_t i = 0; i < word.size(); ++i)
      if (text_[pos_ + i] != word[i]) return false;
    pos_ += word.size();
    return true;
  }

  bool consume(char c) {
    if (pos_ >= text_.size() || text_[pos_] != c) return false;
    ++pos_;
    return true;
  }

  /**
   * Reads the value at pos_ (no space before it) and hands it to `add`, which constructs
   * it where it goes: a scalar is built there from its parts (a string from a view of the
   * text), never built first and moved.
   */
  template <typename Add>
  void parse_value(int depth, Add&& add) {
    if (pos_ >= text_.size()) fail("unexpected end");
    char c = text_[pos_];
    if (c == '"') return add(read_string(scratch_.unescaped_string));
    if (c == '{') return add(parse_map(depth));
    if (c == '[') return add(parse_list(depth));
    if (c == '-' || (c >= '0' && c <= '9')) return parse_number(add);
    if (consume("null")) return add(nullptr);
    if (consume("true")) return add(true);
    if (consume("false")) return add(false);
    fail(std::string("unexpected character '") + c + "'");
  }

  template <typename Add>
  void parse_number(Add& add) {
    std::size_t start = pos_;
    bool is_float = false;
    if (text_[pos_] == '-') ++pos_;
    while (pos_ < text_.size()) {
      char c = text_[pos_];
      if (c >= '0' && c <= '9') {
        ++pos_;
      } else if (c == '.' || c == 'e' || c == 'E' || c == '+' || c == '-') {
        is_float = true;
        ++pos_;
      } else {
        break;
      }
    }
    const char* first = text_.data() + start;
    const char* last = text_.data() + pos_;
    if (is_float) {
      double d = 0;
      auto [end, ec] = std::from_chars(first, last, d);
      if (ec != std::errc() || end != last) fail("bad number");
      return add(d);
    }
    std::int64_t i = 0;
    auto [end, ec] = std::from_chars(first, last, i);
    if (ec != std::errc() || end != last) fail("bad or out-of-range integer");
    add(static_cast<long long>(i));
  }

  unsigned parse_hex4() {
    if (pos_ + 4 > text_.size()) fail("truncated \\u escape");
    unsigned code = 0;
    auto [end, ec] = std::from_chars(text_.data() + pos_, text_.data() + pos_ + 4, code, 16);
    if (ec != std::errc() || end != text_.data() + pos_ + 4) fail("bad \\u escape");
    pos_ += 4;
    return code;
  }

  static void append_utf8(std::string& out, unsigned code) {
    if (code < 0x80) {
      out += static_cast<char>(code);
    } else if (code < 0x800) {
      out += static_cast<char>(0xC0 | (code >> 6));
      out += static_cast<char>(0x80 | (code & 0x3F));
    } else if (code < 0x10000) {
      out += static_cast<char>(0xE0 | (code >> 12));
      out += static_cast<char>(0x80 | ((code >> 6) & 0x3F));
      out += static_cast<char>(0x80 | (code & 0x3F));
    } else {
      out += static_cast<char>(0xF0 | (code >> 18));
      out += static_cast<char>(0x80 | ((code >> 12) & 0x3F));
      out += static_cast<char>(0x80 | ((code >> 6) & 0x3F));
      out += static_cast<char>(0x80 | (code & 0x3F));
    }
  }

  /**
   * Where the run of plain characters from `from` ends: the next '"' or '\\' (or the end).
   * Eight bytes at a time: a byte equal to c is a zero byte of word ^ (c in every byte),
   * and (x - 0x01..01) & ~x & 0x80..80 marks the lowest zero byte of x exactly (a borrow
   * can only mark bytes above it).
   */
  std::size_t run_end(std::size_t from) const {
    constexpr std::uint64_t kOnes = 0x0101010101010101;
    constexpr std::uint64_t kHighs = 0x8080808080808080;
    const char* p = text_.data() + from;
    const char* end = text_.data() + text_.size();
    for (; end - p >= 8; p += 8) {
      std::uint64_t word;
      std::memcpy(&word, p, sizeof word);
      if constexpr (std::endian::native == std::endian::big) word = __builtin_bswap64(word);  // first byte lowest
      const std::uint64_t quotes = word ^ (kOnes * '"');
      const std::uint64_t escapes = word ^ (kOnes * '\\');
      const std::uint64_t found = (((quotes - kOnes) & ~quotes) | ((escapes - kOnes) & ~escapes)) & kHighs;
      if (found) return static_cast<std::size_t>(p - text_.data()) + static_cast<std::size_t>(std::countr_zero(found) / 8);
    }
    while (p != end && *p != '"' && *p != '\\') ++p;
    return static_cast<std::size_t>(p - text_.data());
  }

  /**
   * Reads the string at pos_ (its opening quote): a view of the text when it holds no
   * escape (nearly always), else of `buffer`, which then holds it unescaped.
   */
  [[gnu::always_inline]] std::string_view read_string(std::string& buffer) {
    const std::size_t start = ++pos_;
    const std::size_t end = run_end(pos_);
    if (end < text_.size() && text_[end] == '"') [[likely]] {
      pos_ = end + 1;
      return {text_.data() + start, end - start};
    }
    return read_escaped(end, buffer);
  }

  /** The rest of read_string, from `end`, the end of its first run of plain characters. */
  [[gnu::noinline]] std::string_view read_escaped(std::size_t end, std::string& buffer) {
    buffer.clear();
    while (true) {
      if (end == text_.size()) {
        pos_ = text_.size();
        fail("unterminated string");
      }
      buffer.append(text_.data() + pos_, end - pos_);
      pos_ = end + 1;
      if (text_[end] == '"') return buffer;
      if (pos_ >= text_.size()) fail("unterminated escape");
      char e = text_[pos_++];
      switch (e) {
        case '"': buffer += '"'; break;
        case '\\': buffer += '\\'; break;
        case '/': buffer += '/'; break;
        case 'b': buffer += '\b'; break;
        case 'f': buffer += '\f'; break;
        case 'n': buffer += '\n'; break;
        case 'r': buffer += '\r'; break;
        case 't': buffer += '\t'; break;
        case 'u': {
          unsigned code = parse_hex4();
          if (code >= 0xDC00 && code < 0xE000) fail("unpaired low surrogate");
          if (code >= 0xD800 && code < 0xDC00) {
            if (!consume("\\u")) fail("unpaired high surrogate");
            unsigned low = parse_hex4();
            if (low < 0xDC00 || low >= 0xE000) fail("high surrogate not followed by a low surrogate");
            code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00);
          }
          append_utf8(buffer, code);
          break;
        }
        default: fail(std::string("bad escape '\\") + e + "'");
      }
      end = run_end(pos_);
    }
  }

  /**
   * Room for the items of the document's nth list or map (numbered as they open): as many
   * as the last document's nth had.
   */
  template <typename T>
  std::vector<T> room_for_items(std::size_t nth) const {
    std::vector<T> items;
    if (nth < scratch_.sizes.size()) items.reserve(std::min(scratch_.sizes[nth], Scratch::kLargestGuess));
    return items;
  }

  /** Remembers the size of the nth list or map for the next document; a guess too large leaves no slack. */
  template <typename T>
  void finish_items(std::vector<T>& items, std::size_t nth) {
    if (items.capacity() != items.size()) items.shrink_to_fit();
    if (nth >= Scratch::kRememberedSizes) return;
    if (nth >= scratch_.sizes.size()) scratch_.sizes.resize(nth + 1);
    scratch_.sizes[nth] = static_cast<std::uint32_t>(items.size());
  }

  Value parse_list(int depth) {
    if (depth >= kMaxDepth) fail("nesting too deep");
    ++pos_;
    const std::size_t nth = containers_++;
    auto items = room_for_items<Value>(nth);
    skip_space();
    if (!consume(']')) {
      while (true) {
        parse_value(depth + 1, [&items](auto&& item) { items.emplace_back(std::forward<decltype(item)>(item)); });
        skip_space();
        if (consume(']')) break;
        if (!consume(',')) fail("expected ',' or ']'");
        skip_space();
      }
    }
    finish_items(items, nth);
    return items;
  }

  Value parse_map(int depth) {
    if (depth >= kMaxDepth) fail("nesting too deep");
    ++pos_;
    const std::size_t nth = containers_++;
    auto entries = room_for_items<Value::Map::value_type>(nth);
    skip_space();
    if (!consume('}')) {
      std::string unescaped_key;  // this map's own: a map in the value reads its keys meanwhile
      while (true) {
        skip_space();
        if (pos_ >= text_.size() || text_[pos_] != '"') fail("expected a string key");
        std::string_view key = read_string(unescaped_key);
        skip_space();
        if (!consume(':')) fail("expected ':'");
        skip_space();
        parse_value(depth + 1, [&entries, key](auto&& item) {
          entries.emplace_back(std::piecewise_construct, std::forward_as_tuple(key),
                               std::forward_as_tuple(std::forward<decltype(item)>(item)));
        });
        skip_space();
        if (consume('}')) break;
        if (!consume(',')) fail("expected ',' or '}'");
      }
    }
    finish_items(entries, nth);
    return Value::Map::from_entries(std::move(entries));  // the last equal key wins
  }

  std::string_view text_;
  std::size_t pos_ = 0;
  std::size_t containers_ = 0;  ///< lists and maps opened so far
  Scratch& scratch_;
};

}  // namespace

std::string Value::to_json() const {
  std::string out;
  write(out, *this);
  return out;
}

Value Value::from_json(std::string_view text) {
  thread_local Scratch scratch;
  return Parser(text, scratch).parse_document();
}

}  // namespace apsched::sdk
