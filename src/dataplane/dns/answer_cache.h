// Responses kept as wire bytes. Resolver::answer is a pure function of the
// view, the transport limit and the query's bytes after its 2-byte ID (the
// resolver's facts never change once built), so a query seen before is
// answered by copying the bytes and patching the ID: no parse, no
// allocation. The key is the whole query (flags, the question as spelled,
// EDNS), so a different spelling (0x20 case) or option is its own entry and
// the response is byte for byte what the resolver would build.
#pragma once
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace vpclab::dataplane {

class AnswerCache {
 public:
  struct Entry {
    bool send = false;              // false: the resolver sends nothing (no resolver, not a query)
    std::vector<uint8_t> response;  // with the ID of the first query; patched on use
  };

  // Queries longer than `max_query` are not kept; at `max_entries` the cache
  // starts over (bounded memory whatever the clients send).
  explicit AnswerCache(size_t max_entries = 16384, size_t max_query = 512)
      : max_entries_(max_entries), max_query_(max_query) {}

  // The entry for `query` (at least 12 bytes) asked on `slot` (a listener)
  // with `max_udp` (0: TCP), or null.
  const Entry* find(uint32_t slot, size_t max_udp, std::span<const uint8_t> query) {
    if (!make_key(slot, max_udp, query)) return nullptr;
    auto it = map_.find(key_);
    return it == map_.end() ? nullptr : &it->second;
  }

  // Keeps what the resolver answered to `query` (send false: nothing).
  void insert(uint32_t slot, size_t max_udp, std::span<const uint8_t> query, bool send,
              const std::vector<uint8_t>& response) {
    if (!make_key(slot, max_udp, query)) return;
    if (map_.size() >= max_entries_) map_.clear();
    map_.insert_or_assign(key_, Entry{send, response});
  }

  // `e`'s response for a query with this ID (the first 2 bytes of `query`).
  static void copy_with_id(const Entry& e, std::span<const uint8_t> query, std::vector<uint8_t>& out) {
    out.assign(e.response.begin(), e.response.end());
    if (out.size() >= 2) {
      out[0] = query[0];
      out[1] = query[1];
    }
  }

  size_t size() const { return map_.size(); }

 private:
  bool make_key(uint32_t slot, size_t max_udp, std::span<const uint8_t> query) {
    if (query.size() < 12 || query.size() > max_query_) return false;
    key_.clear();  // keeps its capacity: no allocation once warm
    auto u32 = [&](uint32_t v) { key_.append(reinterpret_cast<const char*>(&v), sizeof v); };
    u32(slot);
    u32(static_cast<uint32_t>(max_udp));
    key_.append(reinterpret_cast<const char*>(query.data()) + 2, query.size() - 2);
    return true;
  }

  size_t max_entries_, max_query_;
  std::string key_;
  std::unordered_map<std::string, Entry> map_;
};

}  // namespace vpclab::dataplane
