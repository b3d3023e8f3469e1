#pragma once
#include <algorithm>
#include <atomic>
#include <cstdint>
#include <initializer_list>
#include <stdexcept>
#include <string>
#include <utility>
#include <string_view>
#include <tuple>
#include <variant>
#include <vector>

#include "apsched/sdk/export.h"

namespace apsched::sdk {
namespace detail {

/**
 * Copy-on-write storage of a Value's list or map: copies share one node (copying a job
 * document costs one atomic increment, not one allocation per element); the first write
 * through a non-const accessor gives the writer a node of its own. Empty: no node.
 * THREADING: like a shared_ptr: copies may live in different threads; one object is not
 * written by two threads at once. The count is read with acquire before writing in place,
 * so the writer sees every access made through a copy released before.
 */
template <typename T>
class CopyOnWrite {
 public:
  CopyOnWrite() noexcept = default;
  explicit CopyOnWrite(T&& value) : node_(value.empty() ? nullptr : new Node{{1}, std::move(value)}) {}
  CopyOnWrite(const CopyOnWrite& other) noexcept : node_(other.node_) {
    if (node_) node_->refs.fetch_add(1, std::memory_order_relaxed);
  }
  CopyOnWrite(CopyOnWrite&& other) noexcept : node_(other.node_) { other.node_ = nullptr; }
  CopyOnWrite& operator=(CopyOnWrite other) noexcept {
    std::swap(node_, other.node_);
    return *this;
  }
  ~CopyOnWrite() {
    if (node_ && node_->refs.fetch_sub(1, std::memory_order_acq_rel) == 1) delete node_;
  }

  /** nullptr when empty. */
  const T* get() const noexcept { return node_ ? &node_->value : nullptr; }
  /** The value, unshared first. */
  T& mutate() {
    if (!node_) {
      node_ = new Node{{1}, T{}};
    } else if (node_->refs.load(std::memory_order_acquire) != 1) {
      CopyOnWrite own(T(node_->value));
      if (!own.node_) own.node_ = new Node{{1}, T{}};
      std::swap(node_, own.node_);
    }
    return node_->value;
  }

  friend bool operator==(const CopyOnWrite& a, const CopyOnWrite& b) {
    if (a.node_ == b.node_) return true;
    const T* x = a.get();
    const T* y = b.get();
    if (!x || !y) return (x ? x->empty() : true) && (y ? y->empty() : true);
    return *x == *y;
  }

 private:
  struct Node {
    std::atomic<std::uint32_t> refs;
    T value;
  };
  Node* node_ = nullptr;
};

/**
 * Value::Map: entries sorted by key in one contiguous array — one allocation per map
 * instead of one per entry, so documents are smaller and quicker to build, copy, search
 * and free than with std::map. The std::map operations that maps of plain data need;
 * like a vector's, an insertion or erasure invalidates iterators and references into
 * the map. Lookup scans a small map (lengths compared first) and binary-searches a larger
 * one; insertion is linear (maps here are small), and keys that come in order (as
 * to_json writes them) are appended.
 */
template <typename V>
class SortedMap {
 public:
  using key_type = std::string;
  using mapped_type = V;
  using value_type = std::pair<std::string, V>;
  using iterator = typename std::vector<value_type>::iterator;
  using const_iterator = typename std::vector<value_type>::const_iterator;
  using size_type = std::size_t;

  SortedMap() = default;
  /** As std::map: of equal keys, the first is kept. */
  SortedMap(std::initializer_list<value_type> items) : entries_(items) { sort_unique(false); }
  /** Takes `entries` in any order; of equal keys, the last is kept (as a JSON object's). */
  static SortedMap from_entries(std::vector<value_type> entries) {
    SortedMap map;
    map.entries_ = std::move(entries);
    map.sort_unique(true);
    return map;
  }

  iterator begin() noexcept { return entries_.begin(); }
  iterator end() noexcept { return entries_.end(); }
  const_iterator begin() const noexcept { return entries_.begin(); }
  const_iterator end() const noexcept { return entries_.end(); }
  const_iterator cbegin() const noexcept { return entries_.cbegin(); }
  const_iterator cend() const noexcept { return entries_.cend(); }
  size_type size() const noexcept { return entries_.size(); }
  bool empty() const noexcept { return entries_.empty(); }
  void clear() noexcept { entries_.clear(); }
  void reserve(size_type n) { entries_.reserve(n); }

  iterator lower_bound(std::string_view key) { return begin() + static_cast<std::ptrdiff_t>(bound(key)); }
  const_iterator lower_bound(std::string_view key) const { return begin() + static_cast<std::ptrdiff_t>(bound(key)); }
  iterator find(std::string_view key) { return found(*this, key); }
  const_iterator find(std::string_view key) const { return found(*this, key); }
  bool contains(std::string_view key) const { return find(key) != end(); }
  size_type count(std::string_view key) const { return contains(key) ? 1 : 0; }
  V& at(std::string_view key) { return found_value(*this, key); }
  const V& at(std::string_view key) const { return found_value(*this, key); }

  /** Inserts `value` unless its key is present; as std::map::try_emplace. */
  template <typename... Args>
  std::pair<iterator, bool> try_emplace(std::string key, Args&&... args) {
    std::size_t i = bound(key);
    if (i < entries_.size() && entries_[i].first == key) return {begin() + static_cast<std::ptrdiff_t>(i), false};
    return {entries_.emplace(begin() + static_cast<std::ptrdiff_t>(i), std::piecewise_construct,
                             std::forward_as_tuple(std::move(key)), std::forward_as_tuple(std::forward<Args>(args)...)),
            true};
  }
  std::pair<iterator, bool> emplace(std::string key, V value) { return try_emplace(std::move(key), std::move(value)); }
  std::pair<iterator, bool> insert(value_type entry) {
    return try_emplace(std::move(entry.first), std::move(entry.second));
  }
  std::pair<iterator, bool> insert_or_assign(std::string key, V value) {
    auto [it, added] = try_emplace(std::move(key));
    it->second = std::move(value);
    return {it, added};
  }
  V& operator[](std::string_view key) {
    std::size_t i = bound(key);
    if (i < entries_.size() && entries_[i].first == key) return entries_[i].second;
    return entries_.emplace(begin() + static_cast<std::ptrdiff_t>(i), std::string(key), V())->second;
  }
  size_type erase(std::string_view key) {
    auto it = find(key);
    if (it == end()) return 0;
    entries_.erase(it);
    return 1;
  }
  iterator erase(const_iterator it) { return entries_.erase(it); }

  friend bool operator==(const SortedMap& a, const SortedMap& b) { return a.entries_ == b.entries_; }

 private:
  /** Index of the first entry whose key is not less than `key`; appending in order is O(1). */
  std::size_t bound(std::string_view key) const {
    if (entries_.empty() || std::string_view(entries_.back().first) < key) return entries_.size();
    auto it = std::lower_bound(entries_.begin(), entries_.end(), key,
                               [](const value_type& e, std::string_view k) { return std::string_view(e.first) < k; });
    return static_cast<std::size_t>(it - entries_.begin());
  }

  /** Entry order, by key; keys that differ in their first character (most) are told apart without memcmp. */
  static bool by_key(const value_type& x, const value_type& y) noexcept {
    const std::string& a = x.first;
    const std::string& b = y.first;
    if (!a.empty() && !b.empty() && a[0] != b[0])
      return static_cast<unsigned char>(a[0]) < static_cast<unsigned char>(b[0]);
    return a < b;
  }

  /** Sorts the entries by key (stable) and keeps one of each key: the last or the first. */
  void sort_unique(bool keep_last) {
    auto& e = entries_;
    auto not_before = [](const value_type& a, const value_type& b) { return !by_key(a, b); };
    if (std::adjacent_find(e.begin(), e.end(), not_before) == e.end()) return;  // strictly increasing: the common case
    std::stable_sort(e.begin(), e.end(), by_key);
    std::size_t kept = 0;
    for (std::size_t i = 0; i < e.size(); ++i) {
      bool same_as_next = i + 1 < e.size() && e[i + 1].first == e[i].first;
      bool same_as_previous = kept > 0 && e[kept - 1].first == e[i].first;
      if (keep_last ? same_as_next : same_as_previous) continue;
      if (kept != i) e[kept] = std::move(e[i]);
      ++kept;
    }
    e.erase(e.begin() + static_cast<std::ptrdiff_t>(kept), e.end());
  }

  template <typename Self>
  static auto found(Self& self, std::string_view key) {
    // Most maps are small (a job document has 13 keys): comparing lengths first rejects
    // nearly every other key without touching its characters.
    constexpr std::size_t kScannedUpTo = 16;
    if (self.size() <= kScannedUpTo)
      return std::find_if(self.begin(), self.end(), [key](const value_type& e) {
        return e.first.size() == key.size() && std::string_view(e.first) == key;
      });
    auto it = self.lower_bound(key);
    return it != self.end() && it->first == key ? it : self.end();
  }
  template <typename Self>
  static auto& found_value(Self& self, std::string_view key) {
    auto it = found(self, key);
    if (it == self.end()) throw std::out_of_range("no key '" + std::string(key) + "' in the map");
    return it->second;
  }

  std::vector<value_type> entries_;
};

}  // namespace detail

/**
 * Plain data: null, bool, integer, float, string, list or map. Job arguments, plugin
 * configuration and persisted trigger state are all Values, so every store can keep
 * them and every process boundary can carry them.
 *
 * THREADING: a Value is a regular value type; concurrent reads are safe, writes are not.
 * Lists and maps are shared by copies until one is written (copy on write): a reference
 * obtained from a non-const accessor must not be used to write after the Value has been
 * copied (take it again after copying).
 */
class Value {
 public:
  using List = std::vector<Value>;
  using Map = detail::SortedMap<Value>;
  enum class Type { null, boolean, integer, floating, string, list, map };

  Value() = default;
  Value(std::nullptr_t) {}
  Value(bool b) : data_(b) {}
  Value(int i) : data_(static_cast<std::int64_t>(i)) {}
  Value(long i) : data_(static_cast<std::int64_t>(i)) {}
  Value(long long i) : data_(static_cast<std::int64_t>(i)) {}
  Value(unsigned i) : data_(static_cast<std::int64_t>(i)) {}
  Value(double d) : data_(d) {}
  Value(const char* s) : data_(std::string(s)) {}
  Value(std::string s) : data_(std::move(s)) {}
  Value(std::string_view s) : data_(std::string(s)) {}
  Value(List l) : data_(std::in_place_index<5>, std::move(l)) {}
  Value(Map m) : data_(std::in_place_index<6>, std::move(m)) {}

  Type type() const noexcept { return static_cast<Type>(data_.index()); }
  bool is_null() const noexcept { return type() == Type::null; }
  bool is_bool() const noexcept { return type() == Type::boolean; }
  bool is_int() const noexcept { return type() == Type::integer; }
  bool is_float() const noexcept { return type() == Type::floating; }
  bool is_number() const noexcept { return is_int() || is_float(); }
  bool is_string() const noexcept { return type() == Type::string; }
  bool is_list() const noexcept { return type() == Type::list; }
  bool is_map() const noexcept { return type() == Type::map; }

  // The reading accessors are inline: documents, configs and the compact and JSON forms
  // are read through them on every add and every run.
  /** Typed access; throws sdk::Error "expected <type>, got <type>" on a mismatch. */
  bool as_bool() const {
    if (const bool* b = std::get_if<bool>(&data_)) return *b;
    type_mismatch(Type::boolean);
  }
  std::int64_t as_int() const {
    if (const std::int64_t* i = std::get_if<std::int64_t>(&data_)) return *i;
    type_mismatch(Type::integer);
  }
  double as_number() const;  ///< integer or float
  const std::string& as_string() const {
    if (const std::string* s = std::get_if<std::string>(&data_)) return *s;
    type_mismatch(Type::string);
  }
  const List& as_list() const {
    if (const auto* list = std::get_if<detail::CopyOnWrite<List>>(&data_))
      return list->get() ? *list->get() : empty_list();
    type_mismatch(Type::list);
  }
  List& as_list();
  const Map& as_map() const {
    if (const auto* map = std::get_if<detail::CopyOnWrite<Map>>(&data_))
      return map->get() ? *map->get() : empty_map();
    type_mismatch(Type::map);
  }
  Map& as_map();

  /** Map lookup; nullptr when this is not a map or the key is absent. */
  const Value* find(std::string_view key) const noexcept {
    const auto* map = std::get_if<detail::CopyOnWrite<Map>>(&data_);
    if (!map || !map->get()) return nullptr;
    auto it = map->get()->find(key);
    return it == map->get()->end() ? nullptr : &it->second;
  }

  /** Compact JSON (strings escaped, floats round-trip exactly). */
  std::string to_json() const;
  /** Parses JSON; throws sdk::Error naming the byte offset on bad input. */
  static Value from_json(std::string_view text);

  /** "null", "bool", "integer", "float", "string", "list", "map". */
  static const char* type_name(Type t) noexcept;

  friend bool operator==(const Value& a, const Value& b) { return a.data_ == b.data_; }

 private:
  /** Throws sdk::Error "expected <wanted>, got <this value's type>". */
  [[noreturn]] void type_mismatch(Type wanted) const;
  static const List& empty_list() noexcept;
  static const Map& empty_map() noexcept;

  std::variant<std::monostate, bool, std::int64_t, double, std::string, detail::CopyOnWrite<List>,
               detail::CopyOnWrite<Map>>
      data_;
};

}  // namespace apsched::sdk
