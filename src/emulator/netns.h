// Running a piece of the supervisor inside one of the lab's network
// namespaces. setns() changes only the calling thread, so the other threads
// (resolver, ALB engines) are not affected.
#pragma once
#include <functional>
#include <string>

namespace vpclab::emulator {

// Runs `fn` with the calling thread in the lab's namespace `netns`
// (/run/netns/<netns>), then puts the thread back. Returns false with errno
// set, without running `fn`, when the namespace cannot be entered. Aborts
// when the thread cannot return: it would act in the wrong namespace.
bool in_netns(const std::string& netns, const std::function<void()>& fn);

}  // namespace vpclab::emulator
