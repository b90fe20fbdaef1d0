// Test support for labs: listeners started with the lab and batched
// connection probes run inside a namespace, so one exec tests many
// (destination, protocol, port) at once and a blocked flow costs one
// timeout for the whole batch, not one each.
//
// A target is "tcp:10.2.1.10:8080" or "udp:10.2.1.10:9999". Probe results:
// "ok" (TCP connected / UDP echo came back), "timeout" (nothing came back:
// a filter dropped it), "filtered" (the sender's own output filter refused
// the packet: EPERM), "refused" (RST / ICMP port unreachable), "unreachable"
// (ICMP host/net unreachable: no route), "error".
#pragma once
#include <fcntl.h>
#include <unistd.h>

#include <chrono>
#include <map>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "emulator/lab.h"
#include "emulator/plan.h"

namespace vpclab::testing {

// argv[1]: a file to create once every socket is bound; then targets to
// serve. TCP: accept and close. UDP: echo each datagram to its sender.
inline const char* kListenerPy = R"PY(
import selectors, socket, sys
sel = selectors.DefaultSelector()
for t in sys.argv[2:]:
    proto, addr, port = t.split(':')
    if proto == 'tcp':
        s = socket.socket()
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.bind((addr, int(port)))
        s.listen(256)
    else:
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        s.bind((addr, int(port)))
    s.setblocking(False)
    sel.register(s, selectors.EVENT_READ, proto)
open(sys.argv[1], 'w').close()
while True:
    for key, _ in sel.select():
        try:
            if key.data == 'tcp':
                c, _ = key.fileobj.accept()
                c.close()
            else:
                d, a = key.fileobj.recvfrom(2048)
                key.fileobj.sendto(d, a)
        except OSError:
            pass
)PY";

// argv[1]: seconds to wait; then targets. Prints "TARGET RESULT" per target.
inline const char* kProbePy = R"PY(
import errno, selectors, socket, sys, time
wait = float(sys.argv[1]); targets = sys.argv[2:]
sel = selectors.DefaultSelector(); res = {}; udp = {}
def verdict(e):
    if e == 0: return 'ok'
    if e == errno.ECONNREFUSED: return 'refused'
    if e in (errno.EHOSTUNREACH, errno.ENETUNREACH): return 'unreachable'
    if e in (errno.EPERM, errno.EACCES): return 'filtered'  # dropped by the sender's own output filter
    return 'error'
for i, t in enumerate(targets):
    proto, addr, port = t.split(':')
    try:
        if proto == 'tcp':
            s = socket.socket(); s.setblocking(False)
            e = s.connect_ex((addr, int(port)))
            if e not in (0, errno.EINPROGRESS):
                res[i] = verdict(e); s.close(); continue
            sel.register(s, selectors.EVENT_WRITE, i)
        else:
            s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.setblocking(False)
            s.connect((addr, int(port))); s.send(b'probe')
            sel.register(s, selectors.EVENT_READ, i); udp[i] = s
    except OSError as ex:
        res[i] = verdict(ex.errno)
end = time.time() + wait; resend = time.time() + 0.25
while len(sel.get_map()) and time.time() < end:
    for key, _ in sel.select(max(0.0, min(end, resend) - time.time())):
        i = key.data; s = key.fileobj
        if targets[i].startswith('tcp'):
            res[i] = verdict(s.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR))
        else:
            try:
                s.recv(2048); res[i] = 'ok'
            except OSError as ex:
                res[i] = verdict(ex.errno)
            udp.pop(i, None)
        sel.unregister(s); s.close()
    if time.time() >= resend:
        for s in udp.values():
            try: s.send(b'probe')
            except OSError: pass
        resend = time.time() + 0.25
import os
tag = os.environ.get('VPCLAB_PROBE_TAG', '')
out = ''.join((tag + ' ' if tag else '') + t + ' ' + res.get(i, 'timeout') + '\n' for i, t in enumerate(targets))
sys.stdout.write(out); sys.stdout.flush()
)PY";

// A plan process running the listener in `netns`; it creates
// <lab dir>/<cwd>/ready once bound.
inline emulator::ProcessPlan listener_process(const std::string& netns, const std::vector<std::string>& targets) {
  emulator::ProcessPlan p;
  p.name = netns + "/test-listener";
  p.netns = netns;
  p.argv = {"python3", "-c", kListenerPy, "ready"};
  p.argv.insert(p.argv.end(), targets.begin(), targets.end());
  p.cwd = "listeners/" + netns;
  p.log_file = "logs/" + netns + ".listener.log";
  return p;
}

// Waits until every listener of `namespaces` is bound (false after `seconds`).
// `file`: the name the listener creates in its directory.
inline bool wait_for_listeners(const std::string& lab_dir, const std::vector<std::string>& namespaces,
                               double seconds = 10, const std::string& file = "ready") {
  auto end = std::chrono::steady_clock::now() + std::chrono::milliseconds(static_cast<int>(seconds * 1000));
  for (const auto& ns : namespaces) {
    std::string f = lab_dir + "/listeners/" + ns + "/" + file;
    while (access(f.c_str(), F_OK) != 0) {
      if (std::chrono::steady_clock::now() > end) return false;
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
  }
  return true;
}

// Runs argv in `netns` of `lab`; stdout and stderr into *output. Returns the
// exit code (-1 when exec itself failed).
inline int lab_capture(const std::string& lab, const std::string& netns, const std::vector<std::string>& argv,
                       std::string* output) {
  int p[2];
  if (pipe(p) != 0) return -1;
  int devnull = open("/dev/null", O_RDONLY);
  std::string err;
  int rc = -1;
  std::string out;
  // Read while the command runs (a full pipe would block it).
  std::thread reader([&] {
    char buf[4096];
    ssize_t n;
    while ((n = read(p[0], buf, sizeof buf)) > 0) out.append(buf, static_cast<size_t>(n));
  });
  rc = emulator::lab_exec(lab, netns, argv, devnull, p[1], p[1], &err);
  close(p[1]);
  reader.join();
  close(p[0]);
  close(devnull);
  if (rc < 0) out += "[lab_exec: " + err + "]";
  *output = out;
  return rc;
}

// Probes every target from `netns` at once; target -> result.
inline std::map<std::string, std::string> probe(const std::string& lab, const std::string& netns,
                                                const std::vector<std::string>& targets, double wait_seconds = 1.5,
                                                std::string* raw = nullptr) {
  std::vector<std::string> argv = {"python3", "-c", kProbePy, std::to_string(wait_seconds)};
  argv.insert(argv.end(), targets.begin(), targets.end());
  std::string out;
  lab_capture(lab, netns, argv, &out);
  if (raw) *raw = out;
  std::map<std::string, std::string> r;
  std::istringstream in(out);
  std::string t, v;
  while (in >> t >> v) r[t] = v;
  return r;
}

// Probes from many namespaces at once, in one exec: `ip netns exec` from the
// lab's own mount namespace (where its /run/netns lives), all in parallel.
// Returns source netns -> target -> result.
inline std::map<std::string, std::map<std::string, std::string>> probe_many(
    const std::string& lab, const std::string& exec_netns,
    const std::map<std::string, std::vector<std::string>>& targets_by_source, double wait_seconds = 1.5,
    std::string* raw = nullptr) {
  std::string script;
  for (const auto& [ns, targets] : targets_by_source) {
    if (targets.empty()) continue;
    script += "VPCLAB_PROBE_TAG='" + ns + "' ip netns exec '" + ns + "' python3 -c \"$1\" " + std::to_string(wait_seconds);
    for (const auto& t : targets) script += " " + t;
    script += " &\n";
  }
  script += "wait\n";
  std::string out;
  lab_capture(lab, exec_netns, {"bash", "-c", script, "probe", kProbePy}, &out);
  if (raw) *raw = out;
  std::map<std::string, std::map<std::string, std::string>> r;
  std::istringstream in(out);
  std::string line;
  while (std::getline(in, line)) {
    std::istringstream l(line);
    std::string ns, t, v;
    if (l >> ns >> t >> v) r[ns][t] = v;
  }
  return r;
}

}  // namespace vpclab::testing
