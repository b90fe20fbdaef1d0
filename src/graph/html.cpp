// html_page(): the drawn SVG inline, the details of every element as JSON,
// and a small script (no libraries, no network): drag to pan, wheel to
// zoom, click an element for its details. The live variant follows
// /events (server-sent events) and asks /trace for a new picture.
#include "graph/html.h"

#include <nlohmann/json.hpp>

#include "vocab/markup.h"

namespace vpclab::graph {
namespace {

using nlohmann::json;

// JSON inside <script>: "</" would end the element.
std::string script_json(const json& j) {
  std::string s = j.dump(-1, ' ', false, json::error_handler_t::replace), out;
  for (size_t i = 0; i < s.size(); ++i) {
    out += s[i];
    if (s[i] == '<' && i + 1 < s.size() && s[i + 1] == '/') out += "\\";
  }
  return out;
}

json details_of(const std::string& kind, const std::string& aws_id, const Details& d,
                const std::vector<std::string>& classes) {
  json rows = json::array();
  for (const auto& [k, v] : d.rows) rows.push_back({k, v});
  return {{"kind", kind}, {"aws_id", aws_id}, {"title", d.title}, {"rows", rows}, {"classes", classes}};
}

void add_frames(json& out, const std::vector<Frame>& frames) {
  for (const auto& f : frames) {
    out[f.id] = details_of(f.kind, f.aws_id, f.details, f.classes);
    add_frames(out, f.frames);
  }
}

const char* kStyle = R"CSS(
* { box-sizing: border-box; }
body { margin: 0; font: 13px "DejaVu Sans", sans-serif; color: #232f3e; display: flex; height: 100vh; }
main { flex: 1; display: flex; flex-direction: column; min-width: 0; }
header { padding: 6px 12px; background: #232f3e; color: #fff; display: flex; gap: 12px; align-items: center; }
header h1 { font-size: 15px; margin: 0; font-weight: normal; }
header form { display: flex; gap: 6px; margin-left: auto; }
header input { width: 12em; }
#canvas { flex: 1; overflow: hidden; cursor: grab; background: #fafafa; }
#canvas svg { width: 100%; height: 100%; }
aside { width: 340px; border-left: 1px solid #d5dbdb; overflow: auto; padding: 8px 12px; }
aside h2 { font-size: 14px; margin: 8px 0 4px; }
table { border-collapse: collapse; width: 100%; }
td { border-bottom: 1px solid #eaeded; padding: 2px 4px; vertical-align: top; word-break: break-all; }
td:first-child { color: #545b64; white-space: nowrap; word-break: normal; }
/* Graphviz wraps a node's shapes in <g><a> (its tooltip): descendants, not children. */
g.node.selected path, g.node.selected polygon, g.node.selected ellipse,
g.cluster.selected > g > a > path, g.cluster.selected > g > a > polygon { stroke: #ff9900; stroke-width: 4; }
g.health-unhealthy path, g.health-unhealthy polygon { stroke: #d13212; stroke-width: 4; }
g.health-healthy path, g.health-healthy polygon { stroke: #1d8102; stroke-width: 3; }
g.health-other path, g.health-other polygon { stroke: #ff9900; stroke-width: 3; }
g.state-stopped path, g.state-stopped polygon { fill: #eaeded; }
#targets td { white-space: normal; word-break: normal; color: inherit; font-size: 12px; }
.healthy { color: #1d8102; } .unhealthy { color: #d13212; } .other { color: #b56d00; }
#log, #verdict { font: 11px monospace; white-space: pre-wrap; }
#error { color: #d13212; }
)CSS";

const char* kScript = R"JS(
(function () {
  const canvas = document.getElementById('canvas');
  let DETAILS = JSON.parse(document.getElementById('details-json').textContent);
  let view = null, drag = null;
  function svg() { return canvas.querySelector('svg'); }
  function initView() {
    const s = svg(); if (!s) return;
    s.removeAttribute('width'); s.removeAttribute('height');
    const b = s.viewBox.baseVal; view = {x: b.x, y: b.y, w: b.width, h: b.height};
  }
  function apply() { if (view) svg().setAttribute('viewBox', view.x + ' ' + view.y + ' ' + view.w + ' ' + view.h); }
  canvas.addEventListener('wheel', function (e) {
    if (!view) return; e.preventDefault();
    const r = canvas.getBoundingClientRect(), k = e.deltaY < 0 ? 0.8 : 1.25;
    const fx = (e.clientX - r.left) / r.width, fy = (e.clientY - r.top) / r.height;
    const nw = view.w * k, nh = view.h * k;
    view = {x: view.x + (view.w - nw) * fx, y: view.y + (view.h - nh) * fy, w: nw, h: nh}; apply();
  }, {passive: false});
  canvas.addEventListener('mousedown', function (e) { drag = {x: e.clientX, y: e.clientY, moved: false}; });
  window.addEventListener('mouseup', function () { setTimeout(function () { drag = null; }, 0); });
  canvas.addEventListener('mousemove', function (e) {
    if (!drag || !view || !(e.buttons & 1)) return;
    const r = canvas.getBoundingClientRect();
    view.x -= (e.clientX - drag.x) * view.w / r.width; view.y -= (e.clientY - drag.y) * view.h / r.height;
    drag.x = e.clientX; drag.y = e.clientY; drag.moved = true; apply();
  });
  function cell(tr, text) { const td = document.createElement('td'); td.textContent = text; tr.appendChild(td); }
  function show(id) {
    const d = DETAILS[id]; if (!d) return;
    document.querySelectorAll('g.selected').forEach(function (g) { g.classList.remove('selected'); });
    const g = document.getElementById(id); if (g) g.classList.add('selected');
    document.getElementById('details-title').textContent = d.title;
    const t = document.getElementById('details-rows'); t.textContent = '';
    [['Kind', d.kind], ['AWS id', d.aws_id]].concat(d.rows).forEach(function (row) {
      if (!row[1]) return; const tr = document.createElement('tr'); cell(tr, row[0]); cell(tr, row[1]); t.appendChild(tr);
    });
  }
  canvas.addEventListener('click', function (e) {
    if (drag && drag.moved) return;
    for (let n = e.target; n && n !== canvas; n = n.parentNode)
      if (n.id && DETAILS[n.id]) { show(n.id); return; }
  });
  window.vpclabShow = show;
  initView();
  if (!document.body.dataset.live) return;

  // Live: the lab's state from /events; a trace form asking /trace.
  function healthClass(states) {
    if (states.indexOf('unhealthy') >= 0) return 'health-unhealthy';
    if (states.length && states.every(function (s) { return s === 'healthy'; })) return 'health-healthy';
    return states.length ? 'health-other' : '';
  }
  // graph::element_id(): AWS ids with characters outside [A-Za-z0-9_.-] as '_'.
  function elementId(awsId) { return String(awsId).replace(/[^A-Za-z0-9_.-]/g, '_'); }
  function update(st) {
    window.vpclabState = st;
    Object.keys(st.instances || {}).forEach(function (id) {
      const g = document.getElementById(elementId(id)); if (!g) return;
      g.classList.toggle('state-stopped', st.instances[id] !== 'running');
      g.dataset.state = st.instances[id];
    });
    const per = {}, t = document.getElementById('targets'); t.textContent = '';
    (st.targets || []).forEach(function (x) {
      const el = elementId(x.instance);
      (per[el] = per[el] || []).push(x.state);
      const tr = document.createElement('tr');
      tr.className = x.state === 'healthy' || x.state === 'unhealthy' ? x.state : 'other';
      tr.dataset.element = el; tr.dataset.state = x.state; tr.dataset.node = x.node;
      cell(tr, x.target_group + ' ' + x.target + ' from node ' + x.node);
      cell(tr, x.state + (x.reason ? ' (' + x.reason + ')' : '') + ' · requests: ' + x.requests +
               '; target group: ' + x.group_4xx + ' 4xx, ' + x.group_5xx + ' 5xx');
      t.appendChild(tr);
    });
    document.querySelectorAll('g[data-health]').forEach(function (g) {
      g.classList.remove('health-unhealthy', 'health-healthy', 'health-other'); delete g.dataset.health;
    });
    Object.keys(per).forEach(function (id) {
      const g = document.getElementById(id); if (!g) return;
      const c = healthClass(per[id]); if (c) g.classList.add(c);
      g.dataset.health = c.replace('health-', '');
    });
    document.getElementById('log').textContent = (st.access_log || []).join('\n');
    document.getElementById('updated').textContent = st.time || '';
  }
  new EventSource('events').onmessage = function (e) { update(JSON.parse(e.data)); };
  document.getElementById('trace-form').addEventListener('submit', function (e) {
    e.preventDefault();
    const q = new URLSearchParams(new FormData(e.target));
    document.getElementById('error').textContent = '';
    fetch('trace?' + q).then(function (r) { return r.json(); }).then(function (j) {
      if (j.error) { document.getElementById('error').textContent = j.error; return; }
      canvas.innerHTML = j.svg; DETAILS = j.details; initView();
      document.getElementById('verdict').textContent = j.verdict;
      document.body.dataset.traced = j.verdict;
      if (window.vpclabState) update(window.vpclabState);
    }).catch(function (err) { document.getElementById('error').textContent = String(err); });
  });
})();
)JS";

json details_object(const Diagram& d) {
  json out = json::object();
  add_frames(out, d.frames);
  for (const auto& n : d.nodes)
    if (n.kind != "anchor") out[n.id] = details_of(n.kind, n.aws_id, n.details, n.classes);
  for (const auto& e : d.edges)
    if (!e.details.title.empty()) out[e.id] = details_of(e.kind, e.aws_id, e.details, e.classes);
  return out;
}

}  // namespace

std::string svg_element(const std::string& svg) {
  auto at = svg.find("<svg");
  return at == std::string::npos ? std::string() : svg.substr(at);
}

std::string details_json(const Diagram& d) {
  return details_object(d).dump(-1, ' ', false, json::error_handler_t::replace);
}

std::string html_page(const Diagram& d, const std::string& svg, const PageOptions& opts) {
  std::string legend;
  for (const auto& l : d.legend) legend += (legend.empty() ? "" : "\n") + l;
  std::string out = "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n<title>" +
                    escape_markup(opts.title) + "</title>\n<style>" + kStyle + "</style></head>\n<body" +
                    (opts.live ? " data-live=\"1\"" : "") + ">\n<main><header><h1>" + escape_markup(opts.title) +
                    "</h1>";
  if (opts.live)
    out += "<form id=\"trace-form\">from <input name=\"from\" required> to <input name=\"to\" required> "
           "port <input name=\"port\" size=\"5\" style=\"width:5em\"><button>trace</button></form>";
  out += "</header>\n<div id=\"canvas\">" + svg_element(svg) + "</div></main>\n<aside>\n<h2 id=\"details-title\">" +
         "Click a component</h2><table id=\"details-rows\"></table>\n<h2>Path</h2><pre id=\"verdict\">" +
         escape_markup(legend) + "</pre><div id=\"error\"></div>\n";
  if (opts.live)
    out += "<h2>Targets <small id=\"updated\"></small></h2><table id=\"targets\"></table>\n"
           "<h2>Access log</h2><div id=\"log\"></div>\n";
  out += "</aside>\n<script type=\"application/json\" id=\"details-json\">" +
         script_json(details_object(d)) + "</script>\n<script>" + kScript + "</script>\n</body></html>\n";
  return out;
}

}  // namespace vpclab::graph
