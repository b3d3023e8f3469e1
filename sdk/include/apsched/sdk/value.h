#pragma once
#include <atomic>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
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
  bool shared() const noexcept { return node_ && node_->refs.load(std::memory_order_relaxed) > 1; }
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
  using Map = std::map<std::string, Value, std::less<>>;
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

  /** Typed access; throws sdk::Error "expected <type>, got <type>" on a mismatch. */
  bool as_bool() const;
  std::int64_t as_int() const;
  double as_number() const;  ///< integer or float
  const std::string& as_string() const;
  const List& as_list() const;
  List& as_list();
  const Map& as_map() const;
  Map& as_map();

  /**
   * True when both are non-empty lists (or maps) sharing one storage: one is a copy of
   * the other and neither was written since. A cheap "unchanged" test for caches.
   */
  bool shares_storage_with(const Value& other) const noexcept;
  /** True when this is a non-empty list or map whose storage another Value shares. */
  bool storage_is_shared() const noexcept;

  /** Map lookup; nullptr when this is not a map or the key is absent. */
  const Value* find(std::string_view key) const noexcept;

  /** Compact JSON (strings escaped, floats round-trip exactly). */
  std::string to_json() const;
  /** Parses JSON; throws sdk::Error naming the byte offset on bad input. */
  static Value from_json(std::string_view text);

  /** "null", "bool", "integer", "float", "string", "list", "map". */
  static const char* type_name(Type t) noexcept;

  friend bool operator==(const Value& a, const Value& b) { return a.data_ == b.data_; }

 private:
  std::variant<std::monostate, bool, std::int64_t, double, std::string, detail::CopyOnWrite<List>,
               detail::CopyOnWrite<Map>>
      data_;
};

}  // namespace apsched::sdk
