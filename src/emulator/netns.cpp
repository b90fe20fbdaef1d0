#include "emulator/netns.h"

#include <fcntl.h>
#include <sched.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace vpclab::emulator {

bool in_netns(const std::string& netns, const std::function<void()>& fn) {
  int home = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
  if (home < 0) return false;
  int target = open(("/run/netns/" + netns).c_str(), O_RDONLY | O_CLOEXEC);
  if (target < 0 || setns(target, CLONE_NEWNET) != 0) {
    int e = errno;
    if (target >= 0) close(target);
    close(home);
    errno = e;
    return false;
  }
  close(target);
  fn();
  if (setns(home, CLONE_NEWNET) != 0) {
    std::fprintf(stderr, "vpclab: cannot return to the supervisor's namespace: %s\n", std::strerror(errno));
    std::abort();
  }
  close(home);
  return true;
}

}  // namespace vpclab::emulator
