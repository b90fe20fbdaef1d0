#!/usr/bin/env python3
"""Open N keep-alive connections to HOST:PORT, send one request on each, read
the response, then hold them idle for HOLD seconds. Prints 'ready N' when all
are established (the caller samples the proxy's RSS then) and exits after."""
import selectors
import socket
import sys
import time

host, port, n, hold = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4])
req = b"GET / HTTP/1.1\r\nHost: bench\r\n\r\n"
socks = []
sel = selectors.DefaultSelector()
deadline = time.time() + 60
for i in range(n):
    s = socket.create_connection((host, port))
    s.setblocking(False)
    s.send(req)
    socks.append(s)
    sel.register(s, selectors.EVENT_READ, bytearray())
pending = n
while pending and time.time() < deadline:
    for key, _ in sel.select(timeout=1):
        try:
            data = key.fileobj.recv(65536)
        except BlockingIOError:
            continue
        buf = key.data
        buf += data
        # a 1 KiB body: done once headers + Content-Length bytes arrived
        if b"\r\n\r\n" in buf:
            head, _, body = bytes(buf).partition(b"\r\n\r\n")
            cl = 0
            for line in head.split(b"\r\n"):
                if line.lower().startswith(b"content-length:"):
                    cl = int(line.split(b":")[1])
            if len(body) >= cl:
                sel.unregister(key.fileobj)
                pending -= 1
        if not data:
            sel.unregister(key.fileobj)
            pending -= 1
print("ready", n - pending, flush=True)
time.sleep(hold)
for s in socks:
    s.close()
