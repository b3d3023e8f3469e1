// sdk::PointerIndex: a non-owning index of objects by string key (open addressing).
#include <catch2/catch.hpp>

#include <apsched/sdk/pointer_index.h>

#include <deque>
#include <functional>
#include <string>

namespace {

struct Item {
  std::string key;
  std::size_t hash;
  int value;
};

struct ItemTraits {
  static std::string_view key(const Item& item) { return item.key; }
  static std::size_t hash(const Item& item) { return item.hash; }
};

using Index = apsched::sdk::PointerIndex<Item, ItemTraits>;

std::size_t hash_of(std::string_view key) { return std::hash<std::string_view>{}(key); }

/** Items that all hash alike when `colliding`: one long probe path through every slot. */
Item make_item(int i, bool colliding = false) {
  std::string key = "item-" + std::to_string(i);
  return Item{key, colliding ? 42 : hash_of(key), i};
}

Item* find(const Index& index, const Item& like) { return index.find(like.key, like.hash); }

}  // namespace

TEST_CASE("pointer index: finds what was inserted, forgets what was erased, frees nothing", "[sdk][pointer-index]") {
  for (bool colliding : {false, true}) {
    std::deque<Item> items;  // a deque: the items stay where they are
    Index index;
    CHECK(index.find("item-0", hash_of("item-0")) == nullptr);
    for (int i = 0; i < 2000; ++i) index.insert(items.emplace_back(make_item(i, colliding)));
    CHECK(index.size() == 2000);
    for (const Item& item : items) CHECK(find(index, item) == &item);
    CHECK(index.find("item-2000", colliding ? 42 : hash_of("item-2000")) == nullptr);

    for (int i = 0; i < 2000; i += 3) index.erase(items[i]);
    for (int i = 0; i < 2000; ++i) CHECK((find(index, items[i]) == nullptr) == (i % 3 == 0));
    for (int i = 0; i < 2000; i += 3) index.insert(items[i]);  // back, through tombstones and rebuilds
    for (const Item& item : items) CHECK(find(index, item) == &item);
    CHECK(index.size() == 2000);

    int visited = 0;
    index.clear_and_dispose([&](Item& item) { visited += item.value == std::stoi(item.key.substr(5)) ? 1 : 0; });
    CHECK(visited == 2000);
    CHECK(index.size() == 0);
    CHECK(find(index, items[7]) == nullptr);
    CHECK(items[7].value == 7);  // the index owned nothing
  }
}

TEST_CASE("pointer index: replace puts a new object in an old one's slot, and a moved-from index is empty",
          "[sdk][pointer-index]") {
  std::deque<Item> items;
  Index index;
  for (int i = 0; i < 100; ++i) index.insert(items.emplace_back(make_item(i)));
  Item& fresh = items.emplace_back(make_item(5));
  fresh.value = 500;
  index.replace(items[5], fresh);
  CHECK(find(index, fresh) == &fresh);
  CHECK(find(index, fresh)->value == 500);
  CHECK(index.size() == 100);

  Index moved = std::move(index);
  CHECK(moved.size() == 100);
  CHECK(index.size() == 0);  // NOLINT(bugprone-use-after-move): a moved-from index is empty
  CHECK(find(index, items[1]) == nullptr);
  CHECK(find(moved, items[1]) == &items[1]);
  index.insert(items[1]);
  CHECK(find(index, items[1]) == &items[1]);
}
