#include "compact_value.h"

#include <apsched/sdk/status.h>

#include <algorithm>
#include <cstring>
#include <utility>

namespace apsched::stores {
namespace {

enum Tag : unsigned char { kNull, kFalse, kTrue, kInteger, kFloat, kString, kList, kMap };

/** Writes `n` as a varint (7 bits a byte, low first) at `at`; returns its size (at most 10). */
std::size_t write_varint(std::uint64_t n, char* at) {
  std::size_t size = 0;
  while (n >= 0x80) {
    at[size++] = static_cast<char>((n & 0x7f) | 0x80);
    n >>= 7;
  }
  at[size++] = static_cast<char>(n);
  return size;
}

// Zigzag: small negative integers stay short too.
std::uint64_t zigzag(std::int64_t n) { return (static_cast<std::uint64_t>(n) << 1) ^ static_cast<std::uint64_t>(n >> 63); }
std::int64_t unzigzag(std::uint64_t n) { return static_cast<std::int64_t>(n >> 1) ^ -static_cast<std::int64_t>(n & 1); }

class Reader {
 public:
  Reader(std::string_view bytes, const KeyTable& keys) : bytes_(bytes), keys_(keys) {}

  sdk::Value value() {
    switch (byte()) {
      case kNull: return {};
      case kFalse: return false;
      case kTrue: return true;
      case kInteger: return static_cast<long long>(unzigzag(varint()));
      case kFloat: {
        double d;
        std::memcpy(&d, take(sizeof d), sizeof d);
        return d;
      }
      case kString: return std::string(text());
      case kList: {
        std::size_t n = count();
        sdk::Value::List list;
        list.reserve(n);
        while (n-- > 0) list.push_back(value());
        return list;
      }
      case kMap: {
        std::size_t n = count();
        std::vector<sdk::Value::Map::value_type> entries;
        entries.reserve(n);
        while (n-- > 0) {
          const std::string& key = keys_.key(checked_number(varint()));
          entries.emplace_back(key, value());
        }
        return sdk::Value::Map::from_entries(std::move(entries));
      }
      default: fail("unknown tag");
    }
  }

  bool at_end() const noexcept { return pos_ == bytes_.size(); }

 private:
  [[noreturn]] void fail(const char* what) const {
    throw sdk::Error(std::string("compact value: ") + what + " at byte " + std::to_string(pos_));
  }
  unsigned char byte() { return static_cast<unsigned char>(*take(1)); }
  const char* take(std::size_t n) {
    if (bytes_.size() - pos_ < n) fail("truncated");
    const char* at = bytes_.data() + pos_;
    pos_ += n;
    return at;
  }
  std::uint64_t varint() {
    std::uint64_t n = 0;
    for (unsigned shift = 0; shift < 64; shift += 7) {
      unsigned char b = byte();
      n |= static_cast<std::uint64_t>(b & 0x7f) << shift;
      if ((b & 0x80) == 0) return n;
    }
    fail("varint too long");
  }
  std::uint32_t checked_number(std::uint64_t n) const {
    if (n >= keys_.size()) fail("unknown key number");
    return static_cast<std::uint32_t>(n);
  }
  // A count can never exceed the bytes left (every element takes at least one), which
  // keeps a corrupt count from allocating without bound.
  std::size_t count() {
    std::uint64_t n = varint();
    if (n > bytes_.size() - pos_) fail("truncated: a count larger than the bytes left");
    return static_cast<std::size_t>(n);
  }
  std::string_view text() {
    std::size_t n = count();
    return {take(n), n};
  }

  std::string_view bytes_;
  const KeyTable& keys_;
  std::size_t pos_ = 0;
};

/**
 * Appends to a string through a pointer into room made ahead (the string is resized to
 * its capacity and cut back at the end): an append call per tag and per varint was a
 * third of encoding a job.
 */
class Writer {
 public:
  explicit Writer(std::string& out) : out_(out), at_(out.size()) {}
  Writer(const Writer&) = delete;
  Writer& operator=(const Writer&) = delete;
  ~Writer() { out_.resize(at_); }

  void tag(Tag tag) { *room(1) = static_cast<char>(tag); ++at_; }
  /** A tag and the varint after it (a count, a length or an integer). */
  void head(Tag tag, std::uint64_t n) {
    char* at = room(1 + kLongestVarint);
    at[0] = static_cast<char>(tag);
    at_ += 1 + write_varint(n, at + 1);
  }
  void varint(std::uint64_t n) { at_ += write_varint(n, room(kLongestVarint)); }
  void bytes(const void* data, std::size_t size) {
    if (size == 0) return;  // memcpy from a null pointer is undefined, even of nothing
    std::memcpy(room(size), data, size);
    at_ += size;
  }
  std::size_t written() const noexcept { return at_; }
  std::string_view written_since(std::size_t start) const noexcept { return {out_.data() + start, at_ - start}; }

 private:
  static constexpr std::size_t kLongestVarint = 10;

  char* room(std::size_t n) {
    if (out_.size() - at_ < n) [[unlikely]]
      grow(n);
    return out_.data() + at_;
  }
  [[gnu::noinline]] void grow(std::size_t n) {
    out_.resize(std::max({out_.capacity(), 2 * out_.size(), at_ + n, std::size_t{256}}));
  }

  std::string& out_;
  std::size_t at_;  ///< bytes written; out_ beyond them is room
};

// A nested map this large is worth remembering as bytes (write_map); smaller ones, or
// the document itself (never shared), are cheaper to write again.
constexpr std::size_t kRememberedMapEntries = 3;

void write_value(const sdk::Value& value, KeyTable& keys, Writer& out, int depth);

void write_map(const sdk::Value& value, KeyTable& keys, Writer& out, int depth) {
  const sdk::Value::Map& map = value.as_map();
  const bool worth_remembering = depth > 0 && map.size() >= kRememberedMapEntries;
  if (worth_remembering) {
    if (auto bytes = keys.written_before(map)) {
      out.bytes(bytes->data(), bytes->size());
      return;
    }
  }
  const std::size_t start = out.written();
  const std::size_t position = keys.position();
  out.head(kMap, map.size());
  for (const auto& [key, item] : map) {
    out.varint(keys.intern(key));
    write_value(item, keys, out, depth + 1);
  }
  if (worth_remembering) keys.remember(value, out.written_since(start), position);
}

void write_value(const sdk::Value& value, KeyTable& keys, Writer& out, int depth) {
  using Type = sdk::Value::Type;
  switch (value.type()) {
    case Type::null: out.tag(kNull); break;
    case Type::boolean: out.tag(value.as_bool() ? kTrue : kFalse); break;
    case Type::integer: out.head(kInteger, zigzag(value.as_int())); break;
    case Type::floating: {
      double d = value.as_number();
      out.tag(kFloat);
      out.bytes(&d, sizeof d);
      break;
    }
    case Type::string: {
      const std::string& text = value.as_string();
      out.head(kString, text.size());
      out.bytes(text.data(), text.size());
      break;
    }
    case Type::list:
      out.head(kList, value.as_list().size());
      for (const sdk::Value& item : value.as_list()) write_value(item, keys, out, depth + 1);
      break;
    case Type::map: write_map(value, keys, out, depth); break;
  }
}

}  // namespace

std::uint32_t KeyTable::intern(std::string_view key) {
  const std::size_t at = position_++;
  if (at < layout_.size() && keys_[layout_[at]] == key) return layout_[at];
  std::uint32_t number = find_or_add(key);
  if (at < layout_.size()) layout_[at] = number;
  else if (at < kRememberedPositions) layout_.push_back(number);
  return number;
}

std::uint32_t KeyTable::find_or_add(std::string_view key) {
  if (auto it = numbers_.find(key); it != numbers_.end()) return it->second;
  auto number = static_cast<std::uint32_t>(keys_.size());
  keys_.emplace_back(key);
  try {
    numbers_.emplace(keys_.back(), number);
  } catch (...) {
    keys_.pop_back();
    throw;
  }
  return number;
}

const std::string& KeyTable::key(std::uint32_t number) const { return keys_.at(number); }

std::optional<std::string_view> KeyTable::written_before(const sdk::Value::Map& map) noexcept {
  // as_const: the non-const as_map() would unshare the map, giving it another address.
  if (!last_map_.is_map() || &std::as_const(last_map_).as_map() != &map) return std::nullopt;
  position_ += last_map_keys_;
  return last_map_bytes_;
}

void KeyTable::remember(const sdk::Value& map, std::string_view bytes, std::size_t position) {
  last_map_bytes_.assign(bytes);
  last_map_ = map;
  last_map_keys_ = position_ - position;
}

void encode_compact(const sdk::Value& value, KeyTable& keys, std::string& out) {
  keys.start_document();
  Writer writer(out);
  write_value(value, keys, writer, 0);
}

sdk::Value decode_compact(std::string_view bytes, const KeyTable& keys) {
  Reader reader(bytes, keys);
  sdk::Value value = reader.value();
  if (!reader.at_end()) throw sdk::Error("compact value: bytes left after the value");
  return value;
}

}  // namespace apsched::stores
