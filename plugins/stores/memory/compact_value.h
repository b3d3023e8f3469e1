#pragma once
#include <apsched/sdk/value.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "string_hash.h"

namespace apsched::stores {

/**
 * The map keys of every document a store holds, each kept once: a compact value names a
 * key by its number here. Jobs repeat the same few dozen keys, so this is where most of
 * a document's bytes would otherwise go. Keys are only added, never removed (a key no
 * document uses any more costs its string once). It also remembers what the documents
 * written so far looked like (the keys at each position, the last nested map shared), so
 * that the next one of the same shape is written with less work.
 *
 * THREADING: none; its owner serialises use.
 */
class KeyTable {
 public:
  /**
   * The key's number, added if new. Within a document (see start_document) it first tries
   * the number the previous document had at the same position: a store's documents share
   * one layout, so most keys are found by one comparison instead of a hash lookup.
   */
  std::uint32_t intern(std::string_view key);
  /** The keys interned next belong to a new document, in the order they come. */
  void start_document() noexcept { position_ = 0; }
  /** Throws std::out_of_range for a number intern() never gave. */
  const std::string& key(std::uint32_t number) const;
  std::size_t size() const noexcept { return keys_.size(); }

  /**
   * The bytes written for `map` when it is the very map (same storage, not an equal one)
   * remembered last, else nullopt. Documents of triggers of one configuration share
   * their trigger's map (a cron plugin keeps one state per configuration, and the kernel
   * one spec per state): it is then copied as bytes, not written entry by entry. A hit
   * moves the document's position past the keys the map holds.
   */
  std::optional<std::string_view> written_before(const sdk::Value::Map& map) noexcept;
  /** Remembers the bytes just written for `map`, which took the keys since `position`. */
  void remember(const sdk::Value& map, std::string_view bytes, std::size_t position);
  std::size_t position() const noexcept { return position_; }

 private:
  std::uint32_t find_or_add(std::string_view key);

  std::vector<std::string> keys_;
  std::unordered_map<std::string, std::uint32_t, StringHash, std::equal_to<>> numbers_;
  // The numbers of the keys interned at each position of the documents so far (the
  // latest per position, the first kRememberedPositions positions), and the next position.
  static constexpr std::size_t kRememberedPositions = 256;
  std::vector<std::uint32_t> layout_;
  std::size_t position_ = 0;
  // The last map remembered (held: its storage, and so its address, stays its own), its
  // bytes, and how many keys it holds (nested maps' included).
  sdk::Value last_map_;
  std::string last_map_bytes_;
  std::size_t last_map_keys_ = 0;
};

/**
 * A Value as a byte string (about a third of its JSON, a tenth of its tree): a tag byte
 * per value, integers and lengths as varints, map keys as KeyTable numbers. Maps are
 * written in key order, so decoding needs no sorting.
 */
void encode_compact(const sdk::Value& value, KeyTable& keys, std::string& out);
/** Throws sdk::Error when `bytes` is not what encode_compact wrote with `keys`. */
sdk::Value decode_compact(std::string_view bytes, const KeyTable& keys);

}  // namespace apsched::stores
