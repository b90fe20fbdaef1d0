#!/usr/bin/env python3
"""`vpclab graph` pages in a real browser (headless Chromium): the canonical
scenario's html and svg, traced and broken, rendered to PNG screenshots and
checked in the DOM. What must be on the page comes from the template itself
(its VPCs, subnets, instances and load balancers by logical id) and from
`vpclab trace --json` (the blocking codes), not from the picture code.

usage: graph_page_test.py VPCLAB SOURCE_DIR ARTIFACT_DIR   (exit 77: skipped)"""
import json
import os
import subprocess
import sys

import yaml

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import cdp  # noqa: E402

VPCLAB, SRC, ART = sys.argv[1], sys.argv[2], sys.argv[3]
FAILURES = []


def check(cond, what):
    print(("ok   " if cond else "FAIL ") + what)
    if not cond:
        FAILURES.append(what)


def cfn_load(path):
    class Loader(yaml.SafeLoader):
        pass
    Loader.add_multi_constructor("!", lambda loader, suffix, node: None)
    with open(path) as f:
        return yaml.load(f, Loader=Loader)


def logical_ids(template, types):
    return sorted(k for k, v in template["Resources"].items() if v.get("Type") in types)


def graph(args, out):
    r = subprocess.run([VPCLAB, "graph"] + args + ["--out", out], capture_output=True, text=True, cwd=SRC)
    if r.returncode != 0:
        raise SystemExit("vpclab graph %s failed (%d): %s" % (" ".join(args), r.returncode, r.stderr))
    return r.stderr


def example_inputs():
    """Every example as a user opens it: a folder's lab manifest, else each template; Terraform plans."""
    out = []
    for root, _, files in os.walk(os.path.join(SRC, "examples")):
        rel = os.path.relpath(root, SRC)
        if rel.startswith("examples/ci"):
            continue
        manifest_here = "vpclab.yaml" in files
        for f in files:
            if f.endswith(".yaml") and f != "policy.yaml" and (not manifest_here or f == "vpclab.yaml"):
                out.append(os.path.join(rel, f))
            elif f == "plan.json":
                out.append(os.path.join(rel, f))
    return sorted(out)


# Elements whose details title names LOGICAL (as "Stack.LOGICAL"), with their classes.
FIND = """(function (logical) {
  const d = JSON.parse(document.getElementById('details-json').textContent), out = [];
  for (const id in d) {
    if (!(d[id].title.indexOf('.' + logical + ' ') >= 0)) continue;
    const g = document.getElementById(id);
    if (!g) continue;
    const b = g.getBBox();
    out.push({id: id, kind: d[id].kind, classes: g.getAttribute('class'), text: g.textContent.trim(),
              w: b.width, h: b.height, stroke: (g.querySelector('polygon,path') || {getAttribute: () => ''}).getAttribute('stroke')});
  }
  return out;
})(%s)"""

# Pairs of text labels whose boxes overlap by more than 2 px both ways.
OVERLAPS = """(function () {
  const t = Array.from(document.querySelectorAll('#canvas svg text')).map(function (e) {
    const r = e.getBoundingClientRect(); return {s: e.textContent, l: r.left, r: r.right, t: r.top, b: r.bottom};
  }), out = [];
  for (let i = 0; i < t.length; ++i) for (let j = i + 1; j < t.length; ++j) {
    const a = t[i], b = t[j];
    const x = Math.min(a.r, b.r) - Math.max(a.l, b.l), y = Math.min(a.b, b.b) - Math.max(a.t, b.t);
    if (x > 2 && y > 2) out.push(a.s + ' / ' + b.s);
  }
  return out;
})()"""


def main():
    if not cdp.find_chromium():
        print("SKIP: chromium is not installed (Debian package chromium)")
        return 77
    r = subprocess.run([VPCLAB, "graph", "examples/scenario/vpclab.yaml", "--format", "dot"], cwd=SRC,
                       capture_output=True)
    probe = subprocess.run([VPCLAB, "graph", "examples/scenario/vpclab.yaml", "--format", "svg"], cwd=SRC,
                           capture_output=True, text=True)
    if probe.returncode == 2 and "libgvc6" in probe.stderr:
        print("SKIP: " + probe.stderr.strip())
        return 77
    os.makedirs(ART, exist_ok=True)
    scenario = cfn_load(os.path.join(SRC, "examples/scenario/same-account.yaml"))
    components = logical_ids(scenario, {"AWS::EC2::VPC", "AWS::EC2::Subnet", "AWS::EC2::Instance",
                                        "AWS::ElasticLoadBalancingV2::LoadBalancer"})
    check(len(components) >= 8, "the scenario template has its VPCs, subnets, instances and ALB (%d)" % len(components))
    trace_args = ["--trace", "--from", "BarApp", "--to", "http://alb.home/"]
    page_path = os.path.join(ART, "scenario-trace.html")
    graph(["examples/scenario/same-account.yaml", "--format", "html"] + trace_args, page_path)
    broken_path = os.path.join(ART, "broken-target-sg.html")
    graph(["examples/broken/target-sg-missing-port.yaml", "--format", "html"] + trace_args, broken_path)
    svg_path = os.path.join(ART, "scenario.svg")
    graph(["examples/scenario/vpclab.yaml", "--format", "svg"], svg_path)
    broken_trace = json.loads(subprocess.run(
        [VPCLAB, "trace", "examples/broken/target-sg-missing-port.yaml", "--from", "BarApp", "--to",
         "http://alb.home/", "--json"], cwd=SRC, capture_output=True, text=True).stdout)
    codes = sorted({e["code"] for p in broken_trace["paths"] for e in p.get("explanations", [])})
    check(codes != [], "vpclab trace --json names the broken copy's blocking codes %s" % codes)

    browser = cdp.Browser(1400, 900)
    try:
        page = browser.open("file://" + page_path)
        check(page.eval("document.querySelectorAll('#canvas svg').length") == 1, "scenario page: one inline svg")
        for logical in components:
            found = page.eval(FIND % json.dumps(logical))
            check(len(found) >= 1 and all(f["w"] > 0 and f["h"] > 0 and f["text"] for f in found),
                  "scenario page: %s drawn with a label (%s)" % (logical, [f["id"] for f in found]))
        app = page.eval(FIND % json.dumps("BarApp"))
        check(any("on-path" in (f["classes"] or "") for f in app), "scenario page: the source BarApp is on the path")
        for web in ("FooWeb1", "FooWeb2"):
            if web in components:
                check(any("on-path" in (f["classes"] or "") for f in page.eval(FIND % json.dumps(web))),
                      "scenario page: target %s is on the path" % web)
        check(page.eval("document.querySelectorAll('g.path-request').length") >= 2,
              "scenario page: the request leg is drawn, to each load balancer node")
        check(page.eval("document.querySelectorAll('g.path-target').length") >= 2,
              "scenario page: the legs from the load balancer's nodes to its targets are drawn")
        check(page.eval("document.querySelectorAll('g.path-reply').length") >= 1, "scenario page: the reply leg")
        check(page.eval("document.querySelectorAll('g.blocked').length") == 0, "scenario page: nothing blocked")
        check(": reachable" in page.eval("document.getElementById('verdict').textContent"),
              "scenario page: the verdict says reachable")
        overlaps = page.eval(OVERLAPS)
        check(overlaps == [], "scenario page: no two labels overlap %s" % overlaps[:5])
        width = page.eval("document.querySelector('#canvas svg').viewBox.baseVal.width")
        check(width > 0, "scenario page: the svg has a viewBox (%s)" % width)
        # Click BarApp: its details; wheel: the view zooms.
        bar_id = app[0]["id"]
        page.eval("(function(){const g=document.getElementById(%s);const r=g.getBoundingClientRect();"
                  "g.dispatchEvent(new MouseEvent('click',{bubbles:true,clientX:r.x+r.width/2,clientY:r.y+r.height/2}));})()"
                  % json.dumps(bar_id))
        title = page.eval("document.getElementById('details-title').textContent")
        rows = page.eval("document.getElementById('details-rows').textContent")
        check("BarApp" in title and "Private IP" in rows, "scenario page: clicking BarApp shows its details (%s)" % title)
        before = page.eval("document.querySelector('#canvas svg').getAttribute('viewBox')")
        page.eval("document.getElementById('canvas').dispatchEvent(new WheelEvent('wheel',{deltaY:-100,clientX:400,"
                  "clientY:300,bubbles:true,cancelable:true}))")
        after = page.eval("document.querySelector('#canvas svg').getAttribute('viewBox')")
        check(before != after, "scenario page: the wheel zooms (%s -> %s)" % (before, after))
        page.eval("document.getElementById('canvas').dispatchEvent(new WheelEvent('wheel',{deltaY:100,clientX:400,"
                  "clientY:300,bubbles:true,cancelable:true}))")
        page.screenshot(os.path.join(ART, "scenario-trace.png"))
        foreign = [u for u in page.requests() if not u.startswith(("file:", "data:", "about:"))]
        check(foreign == [], "scenario page: no network request %s" % foreign)

        broken = browser.open("file://" + broken_path)
        notes = broken.eval("Array.from(document.querySelectorAll('g.note')).map(g => g.textContent).join(' ')")
        for code in codes:
            check(code in notes, "broken page: a note beside the blocker says %s" % code)
        blocked = broken.eval("Array.from(document.querySelectorAll('g.blocked')).map(g => g.id)")
        check(len(blocked) >= 1, "broken page: blocking components are marked (%s)" % blocked)
        for web in ("FooWeb1", "FooWeb2"):
            found = broken.eval(FIND % json.dumps(web))
            check(any("blocked" in (f["classes"] or "") and (f["stroke"] or "").lower() == "#d13212" for f in found),
                  "broken page: target %s outlined red" % web)
        check("NOT reachable" in broken.eval("document.getElementById('verdict').textContent"),
              "broken page: the verdict says NOT reachable")
        broken.screenshot(os.path.join(ART, "broken-target-sg.png"))

        svg = browser.open("file://" + svg_path)
        vpcs = logical_ids(scenario, {"AWS::EC2::VPC"})
        labels = svg.eval("Array.from(document.querySelectorAll('g.vpc')).map(g => Array.from(g.querySelectorAll('text'))"
                          ".filter(t => t.closest('g.cluster') === g).map(t => t.textContent).join(' ')).join(' | ')")
        for v in vpcs:
            name = [t for t in (scenario["Resources"][v]["Properties"].get("Tags") or []) if t.get("Key") == "Name"]
            want = name[0]["Value"] if name else v
            check(want in labels, "scenario svg: VPC %s labelled %s" % (v, want))
        check(svg.eval("document.querySelectorAll('g.subnet').length") ==
              len(logical_ids(scenario, {"AWS::EC2::Subnet"})), "scenario svg: every subnet drawn")
        svg.screenshot(os.path.join(ART, "scenario-svg.png"))

        # Every example, and the scenario's broken copies traced: no two labels overlap, and
        # a path that is not reachable has its blocker marked.
        shots = os.path.join(ART, "examples")
        os.makedirs(shots, exist_ok=True)
        for path in example_inputs():
            name = path.replace("/", "_")
            out = os.path.join(shots, name + ".svg")
            graph([path, "--format", "svg"], out)
            page = browser.open("file://" + out)
            overlaps = page.eval(OVERLAPS)
            check(overlaps == [], "%s: no two labels overlap %s" % (path, overlaps[:3]))
            page.screenshot(os.path.join(shots, name + ".png"))
        for broken in sorted(os.listdir(os.path.join(SRC, "examples/broken"))):
            path = "examples/broken/" + broken
            out = os.path.join(shots, "trace_" + broken + ".html")
            verdict = graph([path, "--format", "html"] + trace_args, out)
            page = browser.open("file://" + out)
            overlaps = page.eval(OVERLAPS)
            check(overlaps == [], "%s traced: no two labels overlap %s" % (path, overlaps[:3]))
            if "NOT reachable" in verdict:
                check(page.eval("document.querySelectorAll('g.blocked').length") >= 1,
                      "%s traced: NOT reachable, its blocker marked" % path)
            page.screenshot(os.path.join(shots, "trace_" + broken + ".png"))
    finally:
        browser.close()
    print("screenshots in " + ART)
    if FAILURES:
        print("%d check(s) failed" % len(FAILURES))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
