// The memory store's compact values: every Value comes back exactly, keys are kept
// once, and bytes that are not a compact value are refused with the reason.
#include <stores/memory/compact_value.h>

#include <catch2/catch.hpp>

#include <cmath>
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

using apsched::sdk::Value;
using apsched::stores::decode_compact;
using apsched::stores::encode_compact;
using apsched::stores::KeyTable;
using Catch::Matchers::Contains;

namespace {

std::string encoded(const Value& value, KeyTable& keys) {
  std::string out;
  encode_compact(value, keys, out);
  return out;
}

Value round_trip(const Value& value) {
  KeyTable keys;
  return decode_compact(encoded(value, keys), keys);
}

}  // namespace

TEST_CASE("compact value: every kind of value comes back equal", "[compact]") {
  constexpr auto kMin = std::numeric_limits<std::int64_t>::min();
  constexpr auto kMax = std::numeric_limits<std::int64_t>::max();
  for (const Value& v : {Value(), Value(true), Value(false), Value(0), Value(-1), Value(63), Value(-64), Value(64),
                         Value(static_cast<long long>(kMin)), Value(static_cast<long long>(kMax)), Value(0.5),
                         Value(-1e300), Value(std::numeric_limits<double>::infinity()), Value(""),
                         Value(std::string("nul\0inside", 10)), Value("grüße ✓"), Value(std::string(300, 'x')),
                         Value(Value::List{}), Value(Value::Map{})}) {
    Value back = round_trip(v);
    CHECK(back == v);
    CHECK(back.type() == v.type());
  }
  Value negative_zero = round_trip(Value(-0.0));
  CHECK(std::signbit(negative_zero.as_number()));
  CHECK(std::isnan(round_trip(Value(std::nan(""))).as_number()));
}

TEST_CASE("compact value: nested lists and maps come back equal, maps still sorted", "[compact]") {
  Value doc = Value::Map{
      {"id", "w3-0000001"},
      {"args", Value::List{1, "two", Value::List{3.5, Value()}, Value::Map{{"k", false}}}},
      {"kwargs", Value::Map{{"zeta", 1}, {"alpha", Value::Map{{"", "empty key"}}}}},
      {"trigger", Value::Map{{"type", "cron"}, {"minute", "*/5"}, {"timezone", "UTC"}}},
  };
  Value back = round_trip(doc);
  CHECK(back == doc);
  CHECK(back.to_json() == doc.to_json());
  REQUIRE(back.find("kwargs") != nullptr);
  CHECK(back.find("kwargs")->as_map().begin()->first == "alpha");
  CHECK(back.find("trigger")->find("minute")->as_string() == "*/5");
}

TEST_CASE("compact value: a key is kept once however many values use it", "[compact]") {
  KeyTable keys;
  Value a = Value::Map{{"func", "lib:one"}, {"trigger", Value::Map{{"type", "date"}}}};
  Value b = Value::Map{{"func", "lib:two"}, {"trigger", Value::Map{{"type", "interval"}, {"hours", 1}}}};
  std::string first = encoded(a, keys);
  CHECK(keys.size() == 3);
  std::string second = encoded(b, keys);
  CHECK(keys.size() == 4);  // only "hours" is new
  CHECK(decode_compact(first, keys) == a);
  CHECK(decode_compact(second, keys) == b);
  CHECK(keys.intern("func") == 0);
  CHECK(keys.key(3) == "hours");
  // The job document of a cron job, about 290 bytes as JSON.
  Value job = Value::Map{{"args", Value::List{}},  {"coalesce", true},         {"executor", "default"},
                         {"func", "bench_jobs:noop"}, {"id", "w3-0000001"},      {"kwargs", Value::Map{}},
                         {"max_instances", 1},       {"misfire_grace_time", Value()}, {"name", "noop"},
                         {"timeout", Value()},
                         {"trigger", Value::Map{{"minute", "*/5"}, {"timezone", "UTC"}, {"type", "cron"}}},
                         {"trigger_source", Value::Map{{"minute", "*/5"}, {"type", "cron"}}},
                         {"v", 1}};
  encoded(job, keys);
  CHECK(encoded(job, keys).size() < job.to_json().size() / 2);
}

TEST_CASE("compact value: documents of different layouts, one after the other, keep their own keys", "[compact]") {
  // intern() tries the key the previous document had at the same position first: a
  // document that differs (other keys, a key more or less, deeper maps) must not take
  // its neighbour's keys.
  KeyTable keys;
  std::vector<Value> documents = {
      Value::Map{{"a", 1}, {"b", Value::Map{{"c", 2}, {"d", 3}}}, {"e", 4}},
      Value::Map{{"a", 1}, {"b", Value::Map{{"x", 2}, {"d", 3}}}, {"e", 4}},
      Value::Map{{"a", 1}, {"e", 4}},
      Value::Map{{"b", Value::Map{{"c", Value::Map{{"e", 5}}}}}, {"z", Value::List{Value::Map{{"a", 0}}}}},
      Value::Map{{"a", 1}, {"b", Value::Map{{"c", 2}, {"d", 3}}}, {"e", 4}},
      Value::Map{},
      Value::Map{{"e", 1}, {"d", 2}, {"c", 3}, {"b", 4}, {"a", 5}},
  };
  for (int round = 0; round < 2; ++round) {
    std::vector<std::string> bytes;
    for (const Value& document : documents) bytes.push_back(encoded(document, keys));
    for (std::size_t i = 0; i < documents.size(); ++i) CHECK(decode_compact(bytes[i], keys) == documents[i]);
  }
  CHECK(keys.size() == 7);  // a b c d e x z, each once
}

TEST_CASE("compact value: a nested map shared by documents is written once, then copied as bytes", "[compact]") {
  KeyTable keys;
  const Value trigger = Value::Map{{"minute", "*/5"}, {"timezone", "UTC"}, {"type", "cron"}};
  auto job = [](const char* id, const Value& trigger) {
    return Value::Map{{"id", id}, {"trigger", trigger}, {"z", Value::Map{{"after", true}}}};
  };
  const Value first = job("a", trigger);
  const std::string first_bytes = encoded(first, keys);
  REQUIRE(keys.written_before(trigger.as_map()));  // the very map: remembered

  const Value equal_copy = Value::Map{{"minute", "*/5"}, {"timezone", "UTC"}, {"type", "cron"}};
  CHECK_FALSE(keys.written_before(equal_copy.as_map()));  // equal is not enough: the same storage is
  const Value small = Value::Map{{"type", "date"}, {"run_date", "2030-01-01"}};
  encoded(job("b", small), keys);
  CHECK_FALSE(keys.written_before(small.as_map()));  // too small to be worth remembering

  // Documents sharing the map, and others in between, all come back exactly; a document
  // that shares it writes the same bytes as one that does not.
  Value changed = trigger;
  changed.as_map()["minute"] = "*/7";  // unshared first: another map
  std::vector<Value> documents = {job("c", trigger), job("d", changed), job("e", trigger), job("f", equal_copy),
                                  Value::Map{{"trigger", trigger}}, job("g", trigger)};
  for (const Value& document : documents) {
    const std::string bytes = encoded(document, keys);
    CHECK(decode_compact(bytes, keys) == document);
    CHECK(bytes == encoded(Value::from_json(document.to_json()), keys));
  }
  CHECK(decode_compact(first_bytes, keys) == first);
  CHECK(decode_compact(encoded(job("h", trigger), keys), keys).find("trigger")->find("minute")->as_string() == "*/5");
}

TEST_CASE("compact value: bytes that are not a compact value are refused with the reason", "[compact]") {
  KeyTable keys;
  std::string good = encoded(Value::Map{{"name", "tick"}, {"args", Value::List{1, 2}}}, keys);
  for (std::size_t cut = 0; cut < good.size(); ++cut)
    CHECK_THROWS_WITH(decode_compact(std::string_view(good).substr(0, cut), keys), Contains("truncated"));
  CHECK_THROWS_WITH(decode_compact(good + '\0', keys), Contains("bytes left after the value"));
  CHECK_THROWS_WITH(decode_compact("\x09", keys), Contains("unknown tag"));
  CHECK_THROWS_WITH(decode_compact(std::string("\x07\x01\x05\x00", 4), keys), Contains("unknown key number"));
  // A list claiming a billion items in three bytes is refused before anything is allocated.
  CHECK_THROWS_WITH(decode_compact("\x06\x80\x94\xeb\x03", keys), Contains("count larger than the bytes left"));
  CHECK_THROWS_WITH(decode_compact("\x03\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff", keys), Contains("varint too long"));
}
