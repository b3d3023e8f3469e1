// Value: the plain-data type crossing every boundary, and its JSON form.
#include <apsched/sdk/status.h>
#include <apsched/sdk/value.h>

#include <atomic>
#include <catch2/catch.hpp>
#include <cmath>
#include <cstdint>
#include <limits>
#include <string>
#include <thread>
#include <vector>

using apsched::sdk::Error;
using apsched::sdk::Value;

namespace Catch {
template <>
struct StringMaker<Value> {
  static std::string convert(const Value& v) {
    try {
      return v.to_json();
    } catch (const Error&) {
      return "<" + std::string(Value::type_name(v.type())) + ">";
    }
  }
};
}  // namespace Catch

namespace {

// The message of the sdk::Error thrown by `fn` ("" when nothing is thrown).
template <typename Fn>
std::string error_of(Fn&& fn) {
  try {
    fn();
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

}  // namespace

TEST_CASE("Value: each constructor gives its type", "[value]") {
  CHECK(Value().type() == Value::Type::null);
  CHECK(Value(nullptr).is_null());
  CHECK(Value(true).type() == Value::Type::boolean);
  CHECK(Value(7).type() == Value::Type::integer);
  CHECK(Value(7L).type() == Value::Type::integer);
  CHECK(Value(7LL).type() == Value::Type::integer);
  CHECK(Value(7U).type() == Value::Type::integer);
  CHECK(Value(7.5).type() == Value::Type::floating);
  CHECK(Value("text").type() == Value::Type::string);
  CHECK(Value(std::string("text")).is_string());
  CHECK(Value(std::string_view("text")).is_string());
  CHECK(Value(Value::List{1, 2}).type() == Value::Type::list);
  CHECK(Value(Value::Map{{"a", 1}}).type() == Value::Type::map);

  CHECK(Value(7).is_number());
  CHECK(Value(7.5).is_number());
  CHECK_FALSE(Value("7").is_number());
  CHECK_FALSE(Value(true).is_number());
}

TEST_CASE("Value: accessors return the content", "[value]") {
  CHECK(Value(true).as_bool());
  CHECK(Value(-42).as_int() == -42);
  CHECK(Value(4'000'000'000U).as_int() == 4'000'000'000LL);
  CHECK(Value(std::numeric_limits<long long>::min()).as_int() == std::numeric_limits<std::int64_t>::min());
  CHECK(Value(2.5).as_number() == 2.5);
  CHECK(Value(3).as_number() == 3.0);
  CHECK(Value("abc").as_string() == "abc");
  CHECK(Value(Value::List{1, "x"}).as_list().size() == 2);

  Value map = Value::Map{{"a", 1}, {"b", "two"}};
  REQUIRE(map.find("b") != nullptr);
  CHECK(map.find("b")->as_string() == "two");
  CHECK(map.find("c") == nullptr);
  CHECK(Value(1).find("a") == nullptr);  // not a map: no lookup, no throw

  Value list = Value::List{1};
  list.as_list().emplace_back("two");
  CHECK(list == Value(Value::List{1, "two"}));
  map.as_map().emplace("c", true);
  CHECK(map.as_map().size() == 3);
}

TEST_CASE("Value: accessor of the wrong type throws sdk::Error naming both types", "[value]") {
  CHECK(error_of([] { (void)Value("7").as_int(); }) == "expected integer, got string");
  CHECK(error_of([] { (void)Value(7.0).as_int(); }) == "expected integer, got float");
  CHECK(error_of([] { (void)Value(1).as_bool(); }) == "expected bool, got integer");
  CHECK(error_of([] { (void)Value().as_string(); }) == "expected string, got null");
  CHECK(error_of([] { (void)Value(Value::Map{}).as_list(); }) == "expected list, got map");
  CHECK(error_of([] { (void)Value(Value::List{}).as_map(); }) == "expected map, got list");
  CHECK(error_of([] { (void)Value("x").as_number(); }) == "expected a number, got string");
  CHECK(error_of([] { (void)Value(true).as_number(); }) == "expected a number, got bool");
  Value mutable_value = 3;
  CHECK(error_of([&] { mutable_value.as_list(); }) == "expected list, got integer");
  CHECK(error_of([&] { mutable_value.as_map(); }) == "expected map, got integer");
}

TEST_CASE("Value: copies share lists and maps until one is written (copy on write)", "[value]") {
  Value original = Value::Map{{"args", Value::List{1, 2}}, {"name", "tick"}};
  Value copy = original;
  CHECK(&copy.find("args")->as_list() == &original.find("args")->as_list());  // shared, not copied

  copy.as_map().insert_or_assign("name", Value("tock"));
  copy.as_map().at("args").as_list().emplace_back(3);
  CHECK(original == Value(Value::Map{{"args", Value::List{1, 2}}, {"name", "tick"}}));
  CHECK(copy == Value(Value::Map{{"args", Value::List{1, 2, 3}}, {"name", "tock"}}));

  // A sole owner writes in place.
  Value::Map* before = &copy.as_map();
  copy.as_map().insert_or_assign("more", Value(true));
  CHECK(&copy.as_map() == before);
}

TEST_CASE("Value::Map: sorted by key, with std::map's operations", "[value]") {
  Value::Map m{{"m", 1}, {"c", 2}, {"x", 3}, {"c", 99}};  // as std::map: the first of equal keys stays
  CHECK(m.size() == 3);
  CHECK(m.at("c") == Value(2));
  CHECK(m["a"].is_null());  // operator[] inserts a null in its place
  m["k"] = "middle";
  CHECK(m.insert_or_assign("x", 30).second == false);
  CHECK(m.emplace("c", 5).second == false);
  CHECK(m.try_emplace("z", 26).second);
  std::vector<std::string> keys;
  for (const auto& [key, value] : m) keys.push_back(key);
  CHECK(keys == std::vector<std::string>{"a", "c", "k", "m", "x", "z"});
  CHECK(m.at("x") == Value(30));
  CHECK(m.erase("m") == 1);
  CHECK(m.erase("m") == 0);
  CHECK(m.count("m") == 0);
  CHECK(m.contains("k"));
  CHECK(m.find("b") == m.end());
  CHECK(m.lower_bound("b")->first == "c");
  CHECK_THROWS_AS(m.at("nope"), std::out_of_range);
  CHECK(m == Value::Map{{"z", 26}, {"x", 30}, {"k", "middle"}, {"c", 2}, {"a", nullptr}});
}

TEST_CASE("Value: empty lists and maps", "[value]") {
  Value list = Value::List{};
  Value map = Value::Map{};
  CHECK(list.is_list());
  CHECK(map.is_map());
  CHECK(list.as_list().empty());
  CHECK(map.find("x") == nullptr);
  CHECK(list == Value(Value::List{}));
  CHECK(list != Value(Value::Map{}));
  Value grown = list;
  grown.as_list().emplace_back(1);
  CHECK(list.as_list().empty());
  CHECK(grown == Value(Value::List{1}));
  CHECK(Value::from_json("[]") == list);
  CHECK(map.to_json() == "{}");
}

TEST_CASE("Value: copies in different threads, written and read at once", "[value][concurrency]") {
  const Value shared = Value::Map{{"list", Value::List{1, 2, 3}}, {"text", "x"}};
  std::atomic<int> wrong{0};  // Catch's assertions are not thread-safe
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&shared, &wrong, t] {
      for (int i = 0; i < 2000; ++i) {
        Value mine = shared;
        if (t % 2 == 0) mine.as_map().at("list").as_list().emplace_back(i);
        if (shared.find("list")->as_list().size() != 3) ++wrong;
        if (t % 2 == 0 && mine.find("list")->as_list().size() != 4) ++wrong;
      }
    });
  }
  for (auto& thread : threads) thread.join();
  CHECK(wrong == 0);
  CHECK(shared.find("list")->as_list().size() == 3);
}

TEST_CASE("Value: type names", "[value]") {
  CHECK(std::string(Value::type_name(Value::Type::null)) == "null");
  CHECK(std::string(Value::type_name(Value::Type::boolean)) == "bool");
  CHECK(std::string(Value::type_name(Value::Type::integer)) == "integer");
  CHECK(std::string(Value::type_name(Value::Type::floating)) == "float");
  CHECK(std::string(Value::type_name(Value::Type::string)) == "string");
  CHECK(std::string(Value::type_name(Value::Type::list)) == "list");
  CHECK(std::string(Value::type_name(Value::Type::map)) == "map");
}

TEST_CASE("Value: equality distinguishes types", "[value]") {
  CHECK(Value(1) == Value(1LL));
  CHECK_FALSE(Value(1) == Value(1.0));
  CHECK_FALSE(Value(0) == Value(false));
  CHECK_FALSE(Value() == Value(0));
  CHECK(Value(Value::Map{{"a", Value::List{1, 2}}}) == Value(Value::Map{{"a", Value::List{1, 2}}}));
  CHECK_FALSE(Value(Value::Map{{"a", 1}}) == Value(Value::Map{{"b", 1}}));
}

TEST_CASE("JSON: scalars encode compactly", "[value][json]") {
  CHECK(Value().to_json() == "null");
  CHECK(Value(true).to_json() == "true");
  CHECK(Value(false).to_json() == "false");
  CHECK(Value(-12).to_json() == "-12");
  CHECK(Value(std::numeric_limits<long long>::max()).to_json() == "9223372036854775807");
  CHECK(Value(std::numeric_limits<long long>::min()).to_json() == "-9223372036854775808");
  CHECK(Value(0.1).to_json() == "0.1");
  CHECK(Value(1.0).to_json() == "1.0");  // stays a float when read back
  CHECK(Value(-0.0).to_json() == "-0.0");
  CHECK(Value(1e21).to_json() == "1e+21");
  CHECK(Value("a").to_json() == "\"a\"");
}

TEST_CASE("JSON: nested lists and maps, keys in order", "[value][json]") {
  Value v = Value::Map{{"b", Value::List{1, 2.5, "x", nullptr, Value::List{}, Value::Map{}}},
                       {"a", Value::Map{{"z", true}, {"y", Value::List{Value::List{Value::List{0}}}}}}};
  CHECK(v.to_json() == R"({"a":{"y":[[[0]]],"z":true},"b":[1,2.5,"x",null,[],{}]})");
  CHECK(Value::from_json(v.to_json()) == v);
}

TEST_CASE("JSON: strings are escaped and read back", "[value][json]") {
  Value s = std::string("quote\" backslash\\ nl\n cr\r tab\t bell\x07 nul") + std::string(1, '\0') + "end";
  CHECK(s.to_json() == R"("quote\" backslash\\ nl\n cr\r tab\t bell\u0007 nul\u0000end")");
  CHECK(Value::from_json(s.to_json()) == s);
  // Other escapes JSON allows.
  CHECK(Value::from_json(R"("\/\b\f")").as_string() == "/\b\f");
}

// Strings are scanned eight bytes at a time: a quote or backslash must be found at any
// position of a block and in the bytes after the last whole block, next to any byte value.
TEST_CASE("JSON: a quote or backslash is found at every position of strings of any length", "[value][json]") {
  for (std::size_t length = 0; length <= 40; ++length) {
    for (std::size_t at = 0; at < length; ++at) {
      for (char special : {'"', '\\'}) {
        std::string text(length, 'a');
        for (std::size_t i = 0; i < length; ++i) text[i] = static_cast<char>(i % 2 ? 0x80 + i : 0x21 + i);
        text[at] = special;
        INFO("length " << length << ", special at " << at);
        Value original = text;
        CHECK(Value::from_json(original.to_json()) == original);
        Value in_map = Value::Map{{text, Value::List{text, 1}}};
        CHECK(Value::from_json(in_map.to_json()) == in_map);
      }
    }
  }
}

TEST_CASE("JSON: escaped keys of nested maps are each kept", "[value][json]") {
  Value v = Value::from_json(R"({"a\"b": {"c\nd": {"e\\f": 1}, "g\th": 2}, "i\"": 3})");
  CHECK(v == Value(Value::Map{{"a\"b", Value::Map{{"c\nd", Value::Map{{"e\\f", 1}}}, {"g\th", 2}}}, {"i\"", 3}}));
}

TEST_CASE("JSON: unicode passes through as UTF-8 and u-escapes decode to UTF-8", "[value][json]") {
  Value s = "Grüße, 東京, 😀";
  CHECK(s.to_json() == "\"Grüße, 東京, 😀\"");
  CHECK(Value::from_json(s.to_json()) == s);
  CHECK(Value::from_json(R"("\u00fc")").as_string() == "ü");
  CHECK(Value::from_json(R"("\u6771\u4EAC")").as_string() == "東京");
  CHECK(Value::from_json(R"("\ud83d\ude00")").as_string() == "😀");  // surrogate pair
  CHECK(Value::from_json(R"("\u0041")").as_string() == "A");
}

// An unpaired or malformed surrogate would otherwise become invalid UTF-8.
TEST_CASE("JSON: unpaired surrogates are refused", "[value][json]") {
  CHECK_THROWS_AS(Value::from_json(R"("\ud800")"), Error);
  CHECK_THROWS_AS(Value::from_json(R"("\udc00")"), Error);
  CHECK_THROWS_AS(Value::from_json(R"("\ud800\u0041")"), Error);
}

TEST_CASE("JSON: floats round-trip exactly", "[value][json]") {
  for (double d : {0.1, 1.0 / 3.0, 2.5, -1e-300, 1.7976931348623157e308, 4.9e-324, 123456789.125, 1e21, -0.0}) {
    Value back = Value::from_json(Value(d).to_json());
    REQUIRE(back.is_float());
    CHECK(back.as_number() == d);
    CHECK(std::signbit(back.as_number()) == std::signbit(d));
  }
  CHECK(Value::from_json("1e3").is_float());
  CHECK(Value::from_json("1E3").as_number() == 1000.0);
  CHECK(Value::from_json("-2.5e-3").as_number() == -0.0025);
  CHECK(Value::from_json("10").is_int());
}

TEST_CASE("JSON: non-finite floats cannot be encoded", "[value][json]") {
  CHECK_THROWS_AS(Value(std::numeric_limits<double>::infinity()).to_json(), Error);
  CHECK_THROWS_AS(Value(std::nan("")).to_json(), Error);
  CHECK_THROWS_AS(Value(Value::List{1, std::numeric_limits<double>::infinity()}).to_json(), Error);
}

TEST_CASE("JSON: whitespace is allowed between tokens", "[value][json]") {
  Value v = Value::from_json(" \n\t{ \"a\" : [ 1 , 2 ] ,\r\n \"b\" : null } \n");
  CHECK(v == Value(Value::Map{{"a", Value::List{1, 2}}, {"b", nullptr}}));
}

TEST_CASE("JSON: integers keep 64 bits, and out-of-range ones are refused", "[value][json]") {
  CHECK(Value::from_json("9223372036854775807").as_int() == std::numeric_limits<std::int64_t>::max());
  CHECK(Value::from_json("-9223372036854775808").as_int() == std::numeric_limits<std::int64_t>::min());
  CHECK_THROWS_AS(Value::from_json("9223372036854775808"), Error);
}

TEST_CASE("JSON: bad input is refused with the byte offset", "[value][json]") {
  CHECK(error_of([] { Value::from_json(""); }) == "invalid JSON at byte 0: unexpected end");
  CHECK(error_of([] { Value::from_json("[1,"); }) == "invalid JSON at byte 3: unexpected end");
  CHECK(error_of([] { Value::from_json("[1 2]"); }) == "invalid JSON at byte 3: expected ',' or ']'");
  CHECK(error_of([] { Value::from_json(R"({"a" 1})"); }) == "invalid JSON at byte 5: expected ':'");
  CHECK(error_of([] { Value::from_json("{1:2}"); }) == "invalid JSON at byte 1: expected a string key");
  CHECK(error_of([] { Value::from_json("tru"); }) == "invalid JSON at byte 0: unexpected character 't'");
  CHECK(error_of([] { Value::from_json("1 2"); }) == "invalid JSON at byte 2: unexpected text after the value");
  CHECK(error_of([] { Value::from_json(R"("abc)"); }) == "invalid JSON at byte 4: unterminated string");
  CHECK(error_of([] { Value::from_json(R"("\x")"); }) == "invalid JSON at byte 3: bad escape '\\x'");
  CHECK(error_of([] { Value::from_json(R"("\u12")"); }).find("\\u escape") != std::string::npos);
  CHECK(error_of([] { Value::from_json(R"("\u12G4")"); }).find("bad \\u escape") != std::string::npos);
  CHECK(error_of([] { Value::from_json("1.5e"); }) == "invalid JSON at byte 4: bad number");
  CHECK(error_of([] { Value::from_json("-"); }).find("integer") != std::string::npos);
  CHECK_THROWS_AS(Value::from_json("[1,]"), Error);
  CHECK_THROWS_AS(Value::from_json(R"({"a":1,})"), Error);
  CHECK_THROWS_AS(Value::from_json("NaN"), Error);
  CHECK_THROWS_AS(Value::from_json("'single'"), Error);
}

TEST_CASE("JSON: nesting deeper than the limit is refused, not a stack overflow", "[value][json]") {
  std::string ok = std::string(150, '[') + std::string(150, ']');
  CHECK(Value::from_json(ok).is_list());
  std::string deep = std::string(100000, '[') + std::string(100000, ']');
  CHECK(error_of([&] { Value::from_json(deep); }).find("nesting too deep") != std::string::npos);
}

TEST_CASE("JSON: a later duplicate key wins", "[value][json]") {
  CHECK(Value::from_json(R"({"a":1,"a":2})") == Value(Value::Map{{"a", 2}}));
  CHECK(Value::from_json(R"({"b":1,"a":2,"b":3,"a":4,"c":5})") == Value(Value::Map{{"a", 4}, {"b", 3}, {"c", 5}}));
}

TEST_CASE("JSON: keys in any order are read into a map in key order", "[value][json]") {
  Value v = Value::from_json(R"({"zeta":1,"alpha":{"y":2,"x":3},"mid":[],"beta":null})");
  CHECK(v.to_json() == R"({"alpha":{"x":3,"y":2},"beta":null,"mid":[],"zeta":1})");
  REQUIRE(v.find("mid") != nullptr);
  CHECK(v.find("mid")->is_list());
  CHECK(v.find("gamma") == nullptr);
}

TEST_CASE("Value::Map: small maps are scanned, large ones searched, with the same answers", "[value]") {
  for (int size : {0, 1, 5, 16, 17, 40}) {
    Value::Map m;
    for (int i = 0; i < size; ++i) m.emplace("key" + std::to_string(i), i);
    Value v = m;
    for (int i = 0; i < size; ++i) {
      const Value* found = v.find("key" + std::to_string(i));
      REQUIRE(found != nullptr);
      CHECK(*found == Value(i));
    }
    // Absent: same length as present keys, shorter, longer, before and after all of them.
    for (std::string absent : {"key", "kez0", "key99", "aaa", "zzz", ""}) CHECK(v.find(absent) == nullptr);
  }
}

TEST_CASE("JSON: a document read after one that failed half-way is read whole", "[value][json]") {
  CHECK_THROWS_AS(Value::from_json(R"({"a": [1, 2, {"b": [3, {"c": )"), Error);
  CHECK(Value::from_json(R"({"x": [4, {"y": 5}], "z": {}})") ==
        Value(Value::Map{{"x", Value::List{4, Value::Map{{"y", 5}}}}, {"z", Value::Map{}}}));
}

TEST_CASE("JSON: documents of changing shapes are each read whole, without room to spare", "[value][json]") {
  // Each document's lists and maps get the room the last document's had at the same place:
  // documents whose shapes differ must still be read exactly.
  const std::string wide = R"({"a": [1, 2, 3, 4, 5], "b": {"x": 1, "y": [6, 7]}, "c": []})";
  const std::string narrow = R"({"a": [1], "b": {"x": [], "y": 2, "z": {"w": 8}}})";
  const Value wide_value = Value::Map{{"a", Value::List{1, 2, 3, 4, 5}},
                                      {"b", Value::Map{{"x", 1}, {"y", Value::List{6, 7}}}},
                                      {"c", Value::List{}}};
  const Value narrow_value =
      Value::Map{{"a", Value::List{1}}, {"b", Value::Map{{"x", Value::List{}}, {"y", 2}, {"z", Value::Map{{"w", 8}}}}}};
  for (int round = 0; round < 3; ++round) {
    Value read_wide = Value::from_json(wide);
    CHECK(read_wide == wide_value);
    Value read_narrow = Value::from_json(narrow);
    CHECK(read_narrow == narrow_value);
    // The narrow list was given room for five: none of it is left behind.
    CHECK(read_narrow.find("a")->as_list().capacity() == 1);
    CHECK(read_wide.find("a")->as_list().capacity() == 5);
  }
  // A list longer than the largest guess: it grows past its room, and keeps no slack.
  std::string long_list = "[0";
  for (int i = 1; i < 300; ++i) long_list += "," + std::to_string(i);
  long_list += "]";
  for (int round = 0; round < 2; ++round) {
    Value read_long = Value::from_json(long_list);
    REQUIRE(read_long.as_list().size() == 300);
    CHECK(read_long.as_list()[299] == Value(299));
    CHECK(read_long.as_list().capacity() == 300);
  }
  // More lists than are remembered: read whole all the same.
  std::string many = "[";
  Value::List expected;
  for (int i = 0; i < 200; ++i) {
    many += (i ? ",[" : "[") + std::to_string(i) + "]";
    expected.push_back(Value::List{i});
  }
  many += "]";
  CHECK(Value::from_json(many) == Value(expected));
  CHECK(Value::from_json(many) == Value(expected));
}
