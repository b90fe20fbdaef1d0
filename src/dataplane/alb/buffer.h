// Byte buffers of the data plane: fixed 16 KiB blocks from a pool, so an
// idle connection holds no memory and a busy one rarely allocates. A head
// larger than a block grows its buffer with realloc (rare); such a block is
// then freed, not pooled.
#pragma once
#include <sys/types.h>

#include <cstddef>
#include <cstdlib>
#include <cstring>
#include <string_view>
#include <vector>

namespace vpclab::dataplane::alb {

constexpr size_t kBufferSize = 16 * 1024;
constexpr size_t kMaxBuffered = 256 * 1024;  // backpressure threshold per direction
constexpr size_t kPoolKeep = 1024;           // pooled blocks kept for reuse

class BufferPool {
 public:
  BufferPool() = default;
  BufferPool(const BufferPool&) = delete;
  BufferPool& operator=(const BufferPool&) = delete;
  ~BufferPool() {
    for (char* p : free_) std::free(p);
  }
  char* get();  // aborts when memory is exhausted
  void put(char* p, size_t cap) {
    if (cap == kBufferSize && free_.size() < kPoolKeep) free_.push_back(p);
    else std::free(p);
  }

 private:
  std::vector<char*> free_;
};

struct Buffer {
  char* data = nullptr;
  size_t cap = 0, start = 0, end = 0;

  size_t size() const { return end - start; }
  bool empty() const { return end == start; }
  std::string_view view() const { return {data + start, end - start}; }
  void consume(size_t n) {
    start += n;
    if (start == end) start = end = 0;
  }
  // Makes room for at least `want` more bytes (compacting or growing).
  void reserve(BufferPool& pool, size_t want);
  // Sends what is buffered until empty or the socket would block.
  // Returns -1 when the peer is gone, else the number of bytes sent.
  ssize_t send_to(int fd);
  void append(BufferPool& pool, const char* p, size_t n) {
    reserve(pool, n);
    std::memcpy(data + end, p, n);
    end += n;
  }
  void release(BufferPool& pool) {
    if (data) pool.put(data, cap);
    data = nullptr;
    cap = start = end = 0;
  }
  // Returns the block to the pool when nothing is buffered.
  void release_if_empty(BufferPool& pool) {
    if (data && empty()) release(pool);
  }
};

}  // namespace vpclab::dataplane::alb
