#!/usr/bin/env python3
"""`vpclab up --ui` in a real browser: the canonical scenario run as a lab,
its page loaded in headless Chromium. The targets the page shows and their
states are compared with `vpclab health --per-node` (the lab's own answer,
not the page's); then `vpclab instance stop foo-web1` and the page must show
that target leave `healthy` within the health-check time; the trace form
draws the path; bad requests get 4xx and the lab keeps serving.

usage: lab_page_test.py VPCLAB SOURCE_DIR ARTIFACT_DIR   (exit 77: skipped)"""
import json
import os
import socket
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import cdp  # noqa: E402

VPCLAB, SRC, ART = sys.argv[1], sys.argv[2], sys.argv[3]
LAB = "uipage%d" % os.getpid()
FAILURES = []


def check(cond, what):
    print(("ok   " if cond else "FAIL ") + what)
    if not cond:
        FAILURES.append(what)


def vpclab(*args, timeout=120):
    return subprocess.run([VPCLAB] + list(args), cwd=SRC, capture_output=True, text=True, timeout=timeout)


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def raw(port, data):
    """The status line the page's server answers to raw bytes."""
    s = socket.create_connection(("127.0.0.1", port), timeout=5)
    s.sendall(data)
    got = b""
    try:
        while b"\r\n" not in got:
            chunk = s.recv(4096)
            if not chunk:
                break
            got += chunk
    finally:
        s.close()
    return got.split(b"\r\n", 1)[0].decode(errors="replace")


def page_rows(page):
    return page.eval("Array.from(document.querySelectorAll('#targets tr')).map(r => "
                     "({element: r.dataset.element, state: r.dataset.state, node: r.dataset.node}))")


def lab_health():
    """(instance, node) -> state, from `vpclab health --per-node`."""
    r = vpclab("health", "--lab", LAB, "foo-web", "--per-node")
    out = {}
    doc = json.loads(r.stdout)
    for node in doc.get("Nodes", []):
        for d in node["TargetHealthDescriptions"]:
            out[(d["Target"]["Id"], node["Address"])] = d["TargetHealth"]["State"]
    return out


def main():
    if os.geteuid() != 0:
        print("SKIP: vpclab up needs root here")
        return 77
    if not cdp.find_chromium():
        print("SKIP: chromium is not installed (Debian package chromium)")
        return 77
    os.makedirs(ART, exist_ok=True)
    port = free_port()
    r = vpclab("up", "examples/scenario/same-account.yaml", "--name", LAB, "--ui", "127.0.0.1:%d" % port)
    if r.returncode != 0:
        print(r.stdout + r.stderr)
        return 1
    browser = None
    try:
        url = "http://127.0.0.1:%d/" % port
        check(url in r.stdout, "up prints the page's URL")
        st = vpclab("status", LAB, "--json")
        status = json.loads(st.stdout)
        check(status.get("ui") == url, "vpclab status --json names the page (%s)" % status.get("ui"))
        web1 = [i["id"] for i in status["instances"] if i.get("name") == "foo-web1"]
        check(len(web1) == 1, "the lab has foo-web1")
        web1 = web1[0]

        browser = cdp.Browser(1400, 900)
        page = browser.open(url)
        page.wait_for("document.querySelectorAll('#targets tr').length > 0", timeout=15)
        rows = page_rows(page)
        health = lab_health()
        shown = {(row["element"], row["node"]): row["state"] for row in rows}
        check(len(health) >= 4 and shown == health,
              "the page shows every target from every node as vpclab health does (%s vs %s)" % (shown, health))
        check(page.eval("document.getElementById(%s).classList.contains('health-healthy')" % json.dumps(web1)),
              "foo-web1 is drawn healthy")
        r = vpclab("exec", "--lab", LAB, "bar-app", "--", "curl", "-s", "-o", "/dev/null", "-w", "%{http_code}",
                   "http://alb.home/")
        check(r.stdout == "200", "bar-app gets 200 from http://alb.home/ (%s)" % r.stdout)
        page.wait_for("document.getElementById('log').textContent.indexOf('GET http://alb.home:80/') >= 0", timeout=10)
        requests = page.eval("Array.from(document.querySelectorAll('#targets tr')).map(r => r.textContent).join(' ')")
        check("requests: 1" in requests, "the page counts the request at its target (%s)" % requests[:200])
        page.screenshot(os.path.join(ART, "lab-healthy.png"))

        r = vpclab("instance", "stop", "--lab", LAB, "foo-web1")
        check(r.returncode == 0, "vpclab instance stop foo-web1")
        t0 = time.time()
        page.wait_for("Array.from(document.querySelectorAll('#targets tr')).filter(r => r.dataset.element === %s)"
                      ".every(r => r.dataset.state !== 'healthy')" % json.dumps(web1), timeout=40)
        took = time.time() - t0
        health = lab_health()
        rows = page_rows(page)
        check(all(row["state"] == health.get((row["element"], row["node"])) for row in rows if row["element"] == web1),
              "foo-web1's state on the page is the lab's (%s)" % sorted(set(v for (i, _), v in health.items() if i == web1)))
        check(page.eval("document.getElementById(%s).dataset.state" % json.dumps(web1)) == "stopped",
              "foo-web1 is drawn stopped")
        check(not page.eval("document.getElementById(%s).classList.contains('health-healthy')" % json.dumps(web1)),
              "foo-web1 is no longer drawn healthy (%.1f s after the stop)" % took)
        page.screenshot(os.path.join(ART, "lab-web1-stopped.png"))

        page.eval("(function(){const f=document.getElementById('trace-form');f.from.value='BarApp';"
                  "f.to.value='http://alb.home/';f.requestSubmit();})()")
        page.wait_for("document.body.dataset.traced", timeout=20)
        verdict = page.eval("document.body.dataset.traced")
        check("BarApp" in verdict and "reachable" in verdict, "the trace form draws the path (%s)" % verdict)
        check(page.eval("document.querySelectorAll('g.path-request').length") >= 1, "the traced path is on the picture")
        page.screenshot(os.path.join(ART, "lab-trace.png"))

        check(raw(port, b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n").split(" ")[1] == "405",
              "POST gets 405")
        check(raw(port, b"GET /nothing HTTP/1.1\r\nHost: x\r\n\r\n").split(" ")[1] == "404", "an unknown path gets 404")
        check(raw(port, b"\x00\x01garbage\r\n\r\n").split(" ")[1] == "400", "garbage gets 400")
        big = raw(port, b"GET / HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * 20000 + b"\r\n\r\n")
        check(big.split(" ")[1] in ("431", "400"), "an oversized head gets 431 (%s)" % big)
        check(raw(port, b"GET /trace?from=%zz HTTP/1.1\r\nHost: x\r\n\r\n").split(" ")[1] == "400",
              "a malformed query gets 400")
        check(vpclab("status", LAB).returncode == 0, "the lab still answers after bad requests")
        check(raw(port, b"GET / HTTP/1.1\r\nHost: x\r\n\r\n").split(" ")[1] == "200", "and the page still loads")
    finally:
        if browser:
            browser.close()
        vpclab("down", LAB)
    try:
        socket.create_connection(("127.0.0.1", port), timeout=2).close()
        check(False, "after down, nothing listens on the page's port")
    except OSError:
        check(True, "after down, nothing listens on the page's port")
    if FAILURES:
        print("%d check(s) failed" % len(FAILURES))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
