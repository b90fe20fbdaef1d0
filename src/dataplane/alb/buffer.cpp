#include "dataplane/alb/buffer.h"

#include <sys/socket.h>

#include <algorithm>
#include <cerrno>

#include "vocab/check.h"

namespace vpclab::dataplane::alb {

char* BufferPool::get() {
  if (!free_.empty()) {
    char* p = free_.back();
    free_.pop_back();
    return p;
  }
  char* p = static_cast<char*>(std::malloc(kBufferSize));
  VPCLAB_ASSERT(p != nullptr);  // out of memory: nothing sane to do on the data plane
  return p;
}

void Buffer::reserve(BufferPool& pool, size_t want) {
  if (!data) {
    data = pool.get();
    cap = kBufferSize;
  }
  VPCLAB_ASSERT(start <= end && end <= cap);
  if (cap - end >= want) return;
  if (start > 0) {
    std::memmove(data, data + start, end - start);
    end -= start;
    start = 0;
    if (cap - end >= want) return;
  }
  size_t ncap = std::max(cap * 2, end + want);
  char* grown = static_cast<char*>(std::realloc(data, ncap));
  VPCLAB_ASSERT(grown != nullptr);
  data = grown;
  cap = ncap;
}

ssize_t Buffer::send_to(int fd) {
  size_t sent = 0;
  while (!empty()) {
    ssize_t w = ::send(fd, data + start, size(), MSG_NOSIGNAL);
    if (w > 0) {
      consume(static_cast<size_t>(w));
      sent += static_cast<size_t>(w);
      continue;
    }
    if (w < 0 && errno == EINTR) continue;
    if (w < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) break;
    return -1;  // w == 0 or a real error: the peer is gone
  }
  return static_cast<ssize_t>(sent);
}

}  // namespace vpclab::dataplane::alb
