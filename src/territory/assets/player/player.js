/*
 * Territory time player: plays a control history in the browser.
 *
 * Input is the payload of territory/player.py (build_payload): every history
 * row once, with its validity as date indices [f, t). Each row becomes one
 * Leaflet polygon, built once; a frame only adds/removes the layers whose
 * validity changes, so playback needs no server and no re-projection of the
 * whole map. No network access: no tiles, the basemap comes in the payload.
 *
 * All payload text (actor names, sources, titles) goes through textContent
 * or an HTML escaper: it is data, never markup.
 *
 * Colours, opacities and dashes come from payload.style (territory/style.py,
 * the table every map uses); legend swatches paint the same fill over the same
 * land colour, so the legend shows what the map shows. The legend and the key
 * numbers (payload.metrics) sit in a side panel beside the map, never over it.
 *
 * Figures are never computed here: the key numbers (payload.metrics.rows, one
 * row per date, columns named in metrics.cols) and the legend's km²
 * (payload.legend.rows) come from the core already rounded to what is printed
 * (territory stats prints the same). Only a payload without them (a bare
 * build_payload) falls back to summing the features' areas for the legend.
 *
 * API: TerritoryPlayer.mount(element, payload, {index, playing, fps, loop,
 *      controls: "full" | "page" (no title: the host page has one) |
 *                "dashboard" (no title, no speed selector: the host has one),
 *      viewKey (keep the map's
 *      centre/zoom in sessionStorage under this key, shared with the host's map),
 *      actors (names to show, in legend order; null: all), statuses (null: all),
 *      tiles ({url, attribution}: online tiles under the territory; null: offline),
 *      note (a line of text under the controls),
 *      onChange(index, date, cause), onStop({index, date, playing}, cause)})
 *      -> controller {map, setIndex, play, pause, toggle, setFps, update,
 *                     getIndex, isPlaying, stats, resetStats, destroy}
 *
 * Reduced motion (prefers-reduced-motion: reduce): no zoom/pan animation, and
 * Play steps at most one date a second.
 */
(function (root) {
  "use strict";

  var SPEEDS = [2, 4, 10, 20];
  // Fallback only: payloads carry territory/style.py's table in payload.style.
  var DEFAULT_STYLE = {
    land: "#ececea", sea: "#dde8ee", border: "#8c8c8c",
    statuses: {
      controlled: { fill_opacity: 0.8, line_opacity: 1, weight: 1, dash: null },
      contested: { fill_opacity: 0.25, line_opacity: 0.95, weight: 1.5, dash: "5 4" },
      claimed: { fill_opacity: 0, line_opacity: 1, weight: 2, dash: "2 5" },
    },
  };
  var PANE_Z = { controlled: 410, contested: 420, claimed: 430 };
  var NUM = typeof Intl !== "undefined" ? new Intl.NumberFormat("en", { maximumFractionDigits: 0 }) : null;

  function h(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined && text !== null) e.textContent = String(text);
    return e;
  }

  function escapeHtml(s) {
    return String(s).replace(/[&<>"']/g, function (c) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c];
    });
  }

  function fmtKm2(v) {
    return (NUM ? NUM.format(v) : String(Math.round(v))) + " km\u00b2";
  }

  function fmtSigned(v) {
    return (v > 0 ? "+" : v < 0 ? "\u2212" : "\u00b1") + fmtKm2(Math.abs(v));
  }

  function rgba(hex, a) {
    var m = /^#?([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/i.exec(String(hex || ""));
    if (!m) return hex;
    return "rgba(" + parseInt(m[1], 16) + "," + parseInt(m[2], 16) + "," + parseInt(m[3], 16) + "," + a + ")";
  }

  function statusTable(style, sname) {
    var t = (style && style.statuses) || DEFAULT_STYLE.statuses;
    return t[sname] || t.controlled || DEFAULT_STYLE.statuses.controlled;
  }

  /* Leaflet path options for a status, from the style table. */
  function pathStyle(style, sname) {
    var s = statusTable(style, sname);
    return { fill: s.fill_opacity > 0, fillOpacity: s.fill_opacity, opacity: s.line_opacity,
             weight: s.weight, dashArray: s.dash || null };
  }

  /* A legend swatch: the map's fill over the map's land, with the map's outline. */
  function paintSwatch(el, style, color, sname) {
    var s = statusTable(style, sname), fill = rgba(color, s.fill_opacity);
    el.style.background = "linear-gradient(" + fill + "," + fill + ")," + ((style && style.land) || DEFAULT_STYLE.land);
    el.style.border = Math.max(1, s.weight) + "px " + (s.dash ? "dashed " : "solid ") + rgba(color, s.line_opacity);
  }

  function safeUrl(u) {
    return typeof u === "string" && /^https?:\/\//i.test(u) ? u : null;
  }

  /* Flat delta-encoded integer ring -> [[lat, lng], ...] */
  function decodeRing(ring, sx, sy, x0, y0) {
    var n = ring.length >> 1, out = new Array(n), x = 0, y = 0;
    for (var i = 0; i < n; i++) {
      x += ring[2 * i];
      y += ring[2 * i + 1];
      out[i] = [y0 + y * sy, x0 + x * sx];
    }
    return out;
  }

  function decodeGeom(g, tr) {
    var sx = tr.scale[0], sy = tr.scale[1], x0 = tr.translate[0], y0 = tr.translate[1];
    return g.map(function (poly) {
      return poly.map(function (ring) { return decodeRing(ring, sx, sy, x0, y0); });
    });
  }

  function mount(element, payload, options) {
    var L = root.L;
    if (!L) throw new Error("TerritoryPlayer needs Leaflet (window.L)");
    var opts = Object.assign({ index: 0, playing: false, fps: 4, loop: false, controls: "full", viewKey: null,
                               actors: null, statuses: null, tiles: null }, options || {});
    var reduced = !!(root.matchMedia && root.matchMedia("(prefers-reduced-motion: reduce)").matches);
    var style = payload.style || DEFAULT_STYLE;
    var metrics = payload.metrics || null;
    var places = payload.places || [];
    var dates = payload.dates || [];
    var actors = payload.actors || [];
    var statuses = payload.statuses || ["controlled", "contested", "claimed"];
    var feats = payload.features || [];
    var N = feats.length, n = dates.length;
    var F = new Int32Array(N), T = new Int32Array(N), on = new Uint8Array(N);
    var layers = new Array(N), vis = new Uint8Array(N).fill(1);
    var legendData = payload.legend && payload.legend.rows && payload.legend.rows.length === n ? payload.legend : null;
    var hasKm2 = feats.some(function (f) { return f.km2 !== null && f.km2 !== undefined; });

    element.innerHTML = "";
    element.classList.add("tp-root");
    element.tabIndex = 0;

    // ---- layout: header (title, big date), map beside a panel (key numbers, legend), controls
    // (DOM built with textContent only)
    var header = h("div", "tp-header");
    var dateBox = h("div", "tp-date");
    dateBox.setAttribute("aria-live", "polite");
    header.appendChild(dateBox);
    var titles = h("div", "tp-titles");
    if (payload.title && opts.controls === "full") titles.appendChild(h("div", "tp-title", payload.title));
    if (payload.label) titles.appendChild(h("div", "tp-label", payload.label));
    header.appendChild(titles);
    var body = h("div", "tp-body");
    var mapDiv = h("div", "tp-map");
    var panel = h("div", "tp-panel");
    body.appendChild(mapDiv);
    body.appendChild(panel);
    var bar = h("div", "tp-controls");
    var prevBtn = h("button", "tp-btn tp-prev", "\u2039");
    prevBtn.type = "button"; prevBtn.title = "Previous date (\u2190)"; prevBtn.setAttribute("aria-label", "Previous date");
    var playBtn = h("button", "tp-btn tp-play", "\u25b6");
    playBtn.type = "button"; playBtn.title = "Play / pause (space)"; playBtn.setAttribute("aria-label", "Play");
    var nextBtn = h("button", "tp-btn tp-next", "\u203a");
    nextBtn.type = "button"; nextBtn.title = "Next date (\u2192)"; nextBtn.setAttribute("aria-label", "Next date");
    var slider = h("input", "tp-slider");
    slider.type = "range"; slider.min = "0"; slider.max = String(Math.max(0, n - 1)); slider.step = "1";
    slider.setAttribute("aria-label", "Date");
    slider.title = "Date: drag, or focus and press \u2190 \u2192 (Home / End: first / last date)";
    var dateText = h("span", "tp-date-small", "");
    var speed = h("select", "tp-speed");
    speed.setAttribute("aria-label", "Speed (dates per second)");
    var speeds = SPEEDS.slice();
    if (speeds.indexOf(Number(opts.fps)) < 0 && Number(opts.fps) > 0) speeds.push(Number(opts.fps));
    speeds.sort(function (a, b) { return a - b; });
    speeds.forEach(function (s) {
      var o = h("option", null, s + " dates/s");
      o.value = String(s);
      speed.appendChild(o);
    });
    [prevBtn, playBtn, nextBtn, slider, dateText].forEach(function (c) { bar.appendChild(c); });
    if (opts.controls !== "dashboard") bar.appendChild(speed);  // the dashboard has its own speed selector
    if (reduced) speed.title = "Reduced motion: Play steps one date a second";
    element.appendChild(header);
    element.appendChild(body);
    element.appendChild(bar);
    // The full "Area over time" chart under the controls (chart.js, when loaded): every shown actor's line,
    // its date marker moved with every frame, a click on it is a stop there. Without it: the panel's sparkline.
    var chart = null;
    if (root.TerritoryChart && opts.chart !== false && n > 1) {
      var chartBox = h("div", "tp-chart");
      element.appendChild(chartBox);
      chart = root.TerritoryChart.mount(chartBox, payload, {
        actors: opts.actors, onPick: function (i) { userStep(i - index, "chart"); } });
      if (!chart) element.removeChild(chartBox);
    }
    if (opts.note) element.appendChild(h("div", "tp-note", opts.note));  // e.g. what the page holds

    // ---- map
    var map = L.map(mapDiv, {
      zoomSnap: 0.25, keyboard: false, attributionControl: true, worldCopyJump: false,
      preferCanvas: false, fadeAnimation: false,
      zoomAnimation: !reduced, markerZoomAnimation: !reduced, inertia: !reduced,
    });
    map.attributionControl.setPrefix('<a href="https://leafletjs.com" target="_blank" rel="noopener noreferrer">Leaflet</a>');
    if (payload.attribution) map.attributionControl.addAttribution(escapeHtml(payload.attribution));
    map.createPane("tp-base").style.zIndex = 350;
    statuses.forEach(function (s) { map.createPane("tp-" + s).style.zIndex = PANE_Z[s] || 440; });
    var b = payload.bounds;
    if (b && b.length === 2) map.fitBounds(b, { padding: [8, 8], animate: false });
    else map.setView([0, 0], 2);
    mapDiv.style.background = style.sea || DEFAULT_STYLE.sea;
    // The view survives Play/Pause: the host's map and this player share it through sessionStorage.
    var viewStore = "territory-view:" + (opts.viewKey || "");
    function loadView() {
      if (!opts.viewKey) return null;
      try {
        var v = JSON.parse(root.sessionStorage.getItem(viewStore) || "null");
        return v && isFinite(v.lat) && isFinite(v.lng) && isFinite(v.zoom) ? v : null;
      } catch (e) { return null; }
    }
    function saveView() {
      if (!opts.viewKey) return;
      var c = map.getCenter();
      try { root.sessionStorage.setItem(viewStore, JSON.stringify({ lat: c.lat, lng: c.lng, zoom: map.getZoom() })); }
      catch (e) { /* storage refused (private mode): the view is simply not kept */ }
    }
    var saved = loadView();
    if (saved) map.setView([saved.lat, saved.lng], saved.zoom, { animate: false });
    map.on("moveend", saveView);

    var tiles = opts.tiles && typeof opts.tiles.url === "string" && /^https:\/\//.test(opts.tiles.url) ? opts.tiles : null;
    if (tiles) L.tileLayer(tiles.url, { attribution: escapeHtml(tiles.attribution || ""), maxZoom: 19 }).addTo(map);
    if (payload.basemap && payload.basemap.length) {
      var polys = [];
      payload.basemap.forEach(function (g) { decodeGeom(g, payload.transform).forEach(function (p) { polys.push(p); }); });
      L.polygon(polys, {
        pane: "tp-base", interactive: false, color: style.border || DEFAULT_STYLE.border, weight: 0.8, opacity: 1,
        fillColor: style.land || DEFAULT_STYLE.land, fillOpacity: tiles ? 0 : 1, className: "tp-basemap",
      }).addTo(map);
    }

    // ---- place labels (major cities), above the territory, never interactive
    if (places.length) {
      map.createPane("tp-labels").style.zIndex = 450;
      places.forEach(function (p) {
        var lab = h("span", "tp-place-name", p[0]);
        L.marker([p[1], p[2]], {
          pane: "tp-labels", interactive: false, keyboard: false,
          icon: L.divIcon({ className: "tp-place" + (p[3] ? " tp-place-major" : ""), html: lab, iconSize: null }),
        }).addTo(map);
      });
      // Labels never overlap (labels.js); not on layeradd: playing adds layers every frame.
      TerritoryLabels.keepApart(map, map.getPane("tp-labels"), ".tp-place", "zoomend moveend resize");
    }

    // ---- side panel: key numbers of the focus actor, then the legend
    var metricCells = null, mcol = {};
    if (metrics && metrics.rows && metrics.rows.length === n) {
      (metrics.cols || ["held", "change", "inside"]).forEach(function (c, j) { mcol[c] = j; });
      var mbox = h("div", "tp-metrics");
      mbox.setAttribute("aria-live", "off");  // the date is announced; the numbers are read on demand
      metricCells = {};
      [["held", (metrics.actor || "") + ": area held"], ["peak", "% of peak"], ["region", ""], ["change", ""],
       ["settlements", "Settlements held (listed)"]]
        .forEach(function (m) {
          var cell = h("div", "tp-metric tp-metric-" + m[0]);
          var lab = h("div", "tp-metric-label", m[1]);
          var val = h("div", "tp-metric-value", "");
          var sub = h("div", "tp-metric-sub", "");
          cell.appendChild(lab); cell.appendChild(val); cell.appendChild(sub);
          mbox.appendChild(cell);
          metricCells[m[0]] = { cell: cell, label: lab, value: val, sub: sub };
        });
      if (metrics.partial) {  // the model leaves the focus actor's territory incomplete: say so by its numbers
        var pn = h("div", "tp-metric-partial", "\u26a0\ufe0f Partial model: " + metrics.partial);
        mbox.insertBefore(pn, metricCells.peak.cell);
      }
      metricCells.eq = h("div", "tp-metric-eq", "");
      mbox.appendChild(metricCells.eq);
      panel.appendChild(mbox);
    }
    function mget(r, name) {
      var j = mcol[name];
      return j === undefined ? null : r[j];
    }

    // ---- the focus actor's area over time, its date marker moved with every frame (SVG, no library)
    var spark = null;
    if (metricCells && n > 1 && !chart) spark = buildSpark();
    function buildSpark() {
      var NS = "http://www.w3.org/2000/svg", W = 300, H = 70, vals = [], top = 0;
      metrics.rows.forEach(function (r) { var v = mget(r, "held"); vals.push(v); if (v !== null && v > top) top = v; });
      if (!(top > 0)) return null;
      var box = h("div", "tp-spark");
      box.appendChild(h("div", "tp-spark-title", (metrics.actor || "") + ": area held over time"));
      var svg = document.createElementNS(NS, "svg");
      svg.setAttribute("viewBox", "0 0 " + W + " " + H);
      svg.setAttribute("preserveAspectRatio", "none");
      svg.setAttribute("class", "tp-spark-svg");
      svg.setAttribute("role", "img");
      svg.setAttribute("aria-label", (metrics.actor || "") + ": area held, " + dates[0] + " to " + dates[n - 1]
                       + "; peak " + fmtKm2(top));
      var x = function (i) { return (W * i) / (n - 1); };
      var y = function (v) { return H - 2 - ((H - 4) * v) / top; };
      var d = "";
      vals.forEach(function (v, i) { if (v !== null) d += (d ? "L" : "M") + x(i).toFixed(1) + " " + y(v).toFixed(1); });
      var line = document.createElementNS(NS, "path");
      line.setAttribute("d", d);
      line.setAttribute("class", "tp-spark-line");
      line.setAttribute("vector-effect", "non-scaling-stroke");
      var mark = document.createElementNS(NS, "line");
      mark.setAttribute("class", "tp-spark-mark");
      mark.setAttribute("y1", "0"); mark.setAttribute("y2", String(H));
      mark.setAttribute("vector-effect", "non-scaling-stroke");
      svg.appendChild(line); svg.appendChild(mark);
      box.appendChild(svg);
      var axis = h("div", "tp-spark-axis");
      axis.appendChild(h("span", null, dates[0]));
      axis.appendChild(h("span", null, "max " + fmtKm2(top)));
      axis.appendChild(h("span", null, dates[n - 1]));
      box.appendChild(axis);
      panel.appendChild(box);
      return { mark: mark, x: x };
    }

    var legendRows = [];
    var legend = h("div", "tp-legend");
    if (payload.label && opts.controls === "dashboard") legend.appendChild(h("div", "tp-legend-title", "Legend"));
    actors.forEach(function (a, i) {
      var row = h("div", "tp-legend-row");
      var sw = h("span", "tp-swatch");
      paintSwatch(sw, style, a.color, "controlled");
      sw.setAttribute("data-actor", a.name);
      row.appendChild(sw);
      var txt = h("span", "tp-legend-text");
      txt.appendChild(h("span", "tp-legend-name", a.name));
      if (a.partial) {  // the data models this actor only in part: say so, the reason on hover
        var pm = h("span", "tp-legend-partial", " (partial)");
        pm.title = a.partial;
        txt.appendChild(pm);
      }
      var val = h("span", "tp-legend-km2", "");
      txt.appendChild(val);
      row.appendChild(txt);
      legend.appendChild(row);
      legendRows[i] = { row: row, val: val, li: legendData ? legendData.actors.indexOf(a.name) : -1 };
    });
    var key = h("div", "tp-legend-key");
    statuses.forEach(function (s) {
      var k = h("span", "tp-key tp-key-" + s);
      var kb = h("span", "tp-key-box");
      paintSwatch(kb, style, "#555555", s);
      k.appendChild(kb);
      k.appendChild(h("span", null, s));
      key.appendChild(k);
    });
    legend.appendChild(key);
    // Why the legend's km² can exceed the headline's (whole area vs land inside the region), from the core.
    if (legendData && legendData.note) legend.appendChild(h("div", "tp-legend-note", legendData.note));
    panel.appendChild(legend);

    /* Show only these actors (legend in this order) and statuses; null: all. */
    function setFilter(actorNames, statusNames) {
      var showA = actors.map(function (a) { return !actorNames || actorNames.indexOf(a.name) >= 0; });
      var showS = statuses.map(function (s) { return !statusNames || statusNames.indexOf(s) >= 0; });
      for (var k = 0; k < N; k++) vis[k] = showA[feats[k].a] && showS[feats[k].s] ? 1 : 0;
      var order = actors.map(function (a, i) { return i; });
      if (actorNames) order.sort(function (x, y) {
        var px = actorNames.indexOf(actors[x].name), py = actorNames.indexOf(actors[y].name);
        return (px < 0 ? 1e9 : px) - (py < 0 ? 1e9 : py) || x - y;
      });
      order.forEach(function (i) {
        legendRows[i].row.style.display = showA[i] ? "" : "none";
        legend.insertBefore(legendRows[i].row, key);
      });
      statuses.forEach(function (s, j) {
        var kk = key.querySelector(".tp-key-" + s);
        if (kk) kk.style.display = showS[j] ? "" : "none";
      });
      if (chart && actorNames !== opts.actors) chart.setActors(actorNames);  // the chart shows the same actors
    }
    setFilter(opts.actors, opts.statuses);

    // ---- features: one layer each, built once
    function info(k, full) {
      var f = feats[k], a = actors[f.a] || { name: "?", color: "#777" };
      var box = h("div", "tp-info");
      var head = h("div", "tp-info-head");
      var sw = h("span", "tp-swatch");
      paintSwatch(sw, style, a.color, statuses[f.s]);
      head.appendChild(sw);
      head.appendChild(h("strong", null, a.name));
      box.appendChild(head);
      box.appendChild(h("div", "tp-info-status", statuses[f.s]));
      if (f.km2 !== null && f.km2 !== undefined) box.appendChild(h("div", "tp-info-area", fmtKm2(f.km2)));
      var range = "from " + dates[f.f] + (f.t === null || f.t === undefined ? " (latest)" : " until " + dates[f.t]);
      box.appendChild(h("div", "tp-info-dates", range));
      if (f.src) box.appendChild(h("div", "tp-info-src", "Source: " + f.src));
      var url = safeUrl(f.url);
      if (full && url) {
        var link = h("a", "tp-info-link", "open source");
        link.href = url; link.target = "_blank"; link.rel = "noopener noreferrer";
        box.appendChild(link);
      }
      return box;
    }

    // Layers are built the first time they are shown: a daily archive's 800 snapshots cost the
    // first map one decode, not 800 (the rest as the user gets to them).
    for (var k = 0; k < N; k++) {
      F[k] = feats[k].f;
      T[k] = feats[k].t === null || feats[k].t === undefined ? 2147483647 : feats[k].t;
    }
    // ---- geometry in chunks of dates (payload.chunks: territory/playerchunks.py, chunks.js): the numbers
    // are inline and move at once; a date's polygons are drawn when the chunks it needs have arrived,
    // and the map says so until then. Chunks far from the playhead are dropped with their layers.
    var chunks = null, moveDir = 1, chunkNote = null, chunkRetry = 0;
    if (payload.chunks) {
      if (!root.TerritoryChunks) throw new Error("this payload's geometry comes in chunks: load chunks.js");
      chunks = root.TerritoryChunks.create(payload.chunks, feats, {
        base: opts.chunkBase || "", onLoad: onChunk, onEvict: onEvict,
        onError: function () {  // say so, and try again while the user stays on that date
          onChunk();
          if (!chunkRetry) chunkRetry = setTimeout(function () { chunkRetry = 0; onChunk(); }, 3100);
        },
      });
      chunkNote = h("div", "tp-chunk-note");
      chunkNote.setAttribute("role", "status");
      chunkNote.style.cssText = "position:absolute;top:8px;left:50%;transform:translateX(-50%);z-index:1000;" +
        "background:rgba(255,255,255,.92);color:#222;padding:3px 10px;border-radius:4px;font-size:13px;pointer-events:none;display:none";
      mapDiv.appendChild(chunkNote);
    }
    function onChunk() { if (!destroyed && index >= 0) apply(index); }
    function onEvict(ks) {
      for (var j = 0; j < ks.length; j++) {
        var k = ks[j];
        if (on[k] && layers[k]) { map.removeLayer(layers[k]); on[k] = 0; }
        layers[k] = null;
      }
    }
    function showChunkState(i) {
      var ready = chunks.ready(i);
      chunkNote.textContent = ready ? "" : chunks.failed(i) ? "The map for " + dates[i] + " could not be loaded; retrying\u2026"
        : "Loading the map for " + dates[i] + "\u2026";
      chunkNote.style.display = ready ? "none" : "";
      mapDiv.classList.toggle("tp-map-loading", !ready);
    }

    function layerOf(k) {
      if (layers[k]) return layers[k];
      var f = feats[k], sname = statuses[f.s], a = actors[f.a] || { color: "#777" };
      var pstyle = Object.assign(pathStyle(style, sname), {
        color: a.color, fillColor: a.color, pane: "tp-" + sname,
        className: "tp-feature tp-s-" + sname + " tp-a-" + f.a,
      });
      var layer = L.polygon(decodeGeom(f.g, payload.transform), pstyle);
      layer.bindTooltip(function () { return info(k, false); }, { sticky: true, className: "tp-tooltip" });
      layer.bindPopup(function () { return info(k, true); }, { maxWidth: 320 });
      layers[k] = layer;
      return layer;
    }

    // ---- state
    var index = -1, playing = false, fps = Number(opts.fps) > 0 ? Number(opts.fps) : 4;
    var raf = 0, lastStep = 0, destroyed = false;
    var st = { frames: 0, t0: 0, t1: 0, applyMs: 0, applyMax: 0, added: 0, removed: 0 };

    function apply(i) {
      var t0 = performance.now();
      var sumC = new Float64Array(actors.length), sumX = new Float64Array(actors.length);
      if (chunks) chunks.want(i, moveDir);
      for (var k = 0; k < N; k++) {
        var want = vis[k] && F[k] <= i && i < T[k] && (!chunks || feats[k].g !== undefined) ? 1 : 0;
        if (want !== on[k]) {
          if (want) { map.addLayer(layerOf(k)); st.added++; } else { map.removeLayer(layers[k]); st.removed++; }
          on[k] = want;
        }
        if (want && hasKm2 && !legendData) {
          var f = feats[k];
          // lk: the feature's share of its snapshot's union area (overlaps counted once).
          var v = f.lk !== undefined && f.lk !== null ? f.lk : f.km2;
          if (v !== null && v !== undefined) {
            if (f.s === 0) sumC[f.a] += v; else if (f.s === 1) sumX[f.a] += v;
          }
        }
      }
      var d = dates[i] || "";
      dateBox.textContent = d;
      dateText.textContent = n ? (i + 1) + " / " + n : "no dates";
      if (String(slider.value) !== String(i)) slider.value = String(i);
      slider.setAttribute("aria-valuetext", d || "no dates");  // screen readers hear the date, not an index
      var lrow = legendData ? legendData.rows[i] : null;
      legendRows.forEach(function (r, a) {
        var txt = "";
        if (lrow) {  // the core's km² per status, as territory stats prints them
          if (r.li >= 0) statuses.forEach(function (s, j) {
            var v = lrow[3 * r.li + j];
            if (v !== null && v !== undefined) txt += (txt ? " \u00b7 " : "") + s + " " + fmtKm2(v);
          });
          if (!txt) txt = "none";
        } else {
          if (hasKm2 && sumC[a] > 0) txt = fmtKm2(sumC[a]);
          if (hasKm2 && sumX[a] > 0) txt += (txt ? " + " : "") + fmtKm2(sumX[a]) + " contested";
        }
        r.val.textContent = txt;
      });
      if (chunks) showChunkState(i);
      if (metricCells) showMetrics(i);
      if (chart) chart.setIndex(i);
      if (spark) { var sx = spark.x(i).toFixed(1); spark.mark.setAttribute("x1", sx); spark.mark.setAttribute("x2", sx); }
      var dt = performance.now() - t0;
      st.applyMs += dt;
      if (dt > st.applyMax) st.applyMax = dt;
    }

    /* The focus actor's key numbers on date i, as the core computed and rounded them (payload.metrics). */
    function showMetrics(i) {
      var r = metrics.rows[i], c = metricCells, den = metrics.den;
      var held = mget(r, "held"), inside = mget(r, "inside");
      function show(cell, on) { cell.cell.style.display = on ? "" : "none"; }
      if (metrics.headline === "region" && den && inside !== null) {
        // As the map page: the headline is the area inside the region's outline.
        c.held.label.textContent = (metrics.actor || "") + ": area held in " + den.region;
        c.held.value.textContent = held !== null ? fmtKm2(inside) : "\u2014";
        c.held.sub.textContent = held !== null && held !== inside
          ? "whole area, including outside it: " + fmtKm2(held) : "";
      } else c.held.value.textContent = held !== null ? fmtKm2(held) : "\u2014";
      var pct = mget(r, "pct_peak"), peak = mget(r, "peak_km2");
      c.peak.value.textContent = pct !== null ? pct.toFixed(1) + "%" : "\u2014";
      c.peak.sub.textContent = peak !== null ? "\u00f7 its peak to date, " + fmtKm2(peak) + " on " + (mget(r, "peak_date") || "\u2014") : "";
      var pr = mget(r, "pct_region");
      if (den && pr !== null && inside !== null) {
        c.region.label.textContent = "% of " + den.region;
        c.region.value.textContent = pr.toFixed(2) + "%";
        c.region.sub.textContent = fmtKm2(inside) + " inside " + den.region + " \u00f7 " + den.label;
        show(c.region, true);
      } else show(c.region, false);
      var ch = mget(r, "change"), g = mget(r, "gained"), lo = mget(r, "lost");
      if (i > 0 && ch !== null) {
        c.change.label.textContent = "Change since " + dates[i - 1];
        c.change.value.textContent = fmtSigned(ch);
        c.change.sub.textContent = g !== null && lo !== null ? "gained " + fmtKm2(g) + " \u00b7 lost " + fmtKm2(lo) : "";
        show(c.change, true);
      } else show(c.change, false);
      var sn = mget(r, "settlements");
      if (sn !== null) {
        c.settlements.value.textContent = NUM ? NUM.format(sn) : String(sn);
        var pop = mget(r, "population");
        c.settlements.sub.textContent = pop !== null ? "population \u2248 " + (NUM ? NUM.format(pop) : pop) + " (" + (metrics.population_source || "the dataset's settlement table") + ")" : "";
        show(c.settlements, true);
      } else show(c.settlements, false);
      var eq = mget(r, "equivalent");
      c.eq.textContent = eq && held !== null ? fmtKm2(held) + " is " + eq + "." : "";
    }

    function setIndex(i, cause) {
      if (!n) return;
      i = Math.max(0, Math.min(n - 1, Math.round(Number(i)) || 0));
      if (i === index) return;
      if (index >= 0) moveDir = i < index ? -1 : 1;  // chunks are fetched ahead in this direction
      index = i;
      apply(i);
      st.frames++;
      st.t1 = performance.now();
      if (opts.onChange) opts.onChange(i, dates[i], cause || "api");
    }

    function notifyStop(cause) {
      if (opts.onStop && n) opts.onStop({ index: index, date: dates[index], playing: false }, cause);
    }

    function showPlaying() {
      playBtn.textContent = playing ? "| |" : "\u25b6";
      playBtn.setAttribute("aria-label", playing ? "Pause" : "Play");
      element.classList.toggle("tp-playing", playing);
    }

    function tick(now) {
      raf = 0;
      if (!playing || destroyed) return;
      var interval = 1000 / (reduced ? Math.min(fps, 1) : fps);
      if (now - lastStep >= interval - 1) {
        lastStep = now - lastStep > 2 * interval ? now : lastStep + interval;
        if (index >= n - 1) {
          if (opts.loop) setIndex(0, "play");
          else { pause(); notifyStop("end"); return; }
        } else {
          setIndex(index + 1, "play");
        }
      }
      raf = root.requestAnimationFrame(tick);
    }

    function play() {
      if (playing || n < 2) return;
      if (index >= n - 1) setIndex(0, "play");
      playing = true;
      lastStep = performance.now();
      resetStats();
      showPlaying();
      raf = root.requestAnimationFrame(tick);
    }

    function pause() {
      if (!playing) return;
      playing = false;
      if (raf) root.cancelAnimationFrame(raf);
      raf = 0;
      showPlaying();
    }

    function toggle(cause) {
      if (playing) { pause(); notifyStop(cause || "pause"); } else play();
    }

    function userStep(delta, cause) {
      pause();
      setIndex(index + delta, cause);
      notifyStop(cause);
    }

    function setFps(v) {
      v = Number(v);
      if (!(v > 0)) return;
      fps = v;
      if (!Array.prototype.some.call(speed.options, function (o) { return Number(o.value) === v; })) {
        var o = h("option", null, v + " dates/s");
        o.value = String(v);
        speed.appendChild(o);
      }
      speed.value = String(v);
    }

    function resetStats() {
      st.frames = 0; st.applyMs = 0; st.applyMax = 0; st.added = 0; st.removed = 0;
      st.t0 = st.t1 = performance.now();
    }

    function stats() {
      var secs = (st.t1 - st.t0) / 1000;
      return {
        frames: st.frames, seconds: secs, fps: secs > 0 ? st.frames / secs : 0,
        applyMsMean: st.frames ? st.applyMs / st.frames : 0, applyMsMax: st.applyMax,
        layersOn: on.reduce(function (s, v) { return s + v; }, 0), features: N, dates: n,
        added: st.added, removed: st.removed,
      };
    }

    // ---- events
    playBtn.addEventListener("click", function () { toggle("pause"); });
    prevBtn.addEventListener("click", function () { userStep(-1, "prev"); });
    nextBtn.addEventListener("click", function () { userStep(1, "next"); });
    slider.addEventListener("input", function () { pause(); setIndex(slider.value, "scrub"); });
    slider.addEventListener("change", function () { notifyStop("scrub"); });
    speed.addEventListener("change", function () { setFps(speed.value); });
    function onKey(ev) {
      var tag = ev.target && ev.target.tagName;
      if (tag === "SELECT" || (tag === "INPUT" && ev.key !== " ")) return;
      if (ev.key === " " || ev.key === "Spacebar") { ev.preventDefault(); toggle("pause"); }
      else if (ev.key === "ArrowRight" || ev.key === "ArrowUp") { ev.preventDefault(); userStep(1, "next"); }
      else if (ev.key === "ArrowLeft" || ev.key === "ArrowDown") { ev.preventDefault(); userStep(-1, "prev"); }
      else if (ev.key === "Home") { ev.preventDefault(); userStep(-n, "first"); }
      else if (ev.key === "End") { ev.preventDefault(); userStep(n, "last"); }
    }
    function onKeyUp(ev) {
      // a focused <button> would "click" on space keyup and toggle twice
      if ((ev.key === " " || ev.key === "Spacebar") && ev.target && ev.target.tagName === "BUTTON") ev.preventDefault();
    }
    element.addEventListener("keydown", onKey);
    element.addEventListener("keyup", onKeyUp);

    // ---- start
    if (!n) {
      dateBox.textContent = "no data";
      dateText.textContent = "no dates";
      [prevBtn, playBtn, nextBtn, slider, speed].forEach(function (c) { c.disabled = true; });
    }
    setFps(fps);
    setIndex(opts.index || 0, "init");
    if (opts.playing) play();

    var controller = {
      map: map, chart: chart, payloadId: payload.id || null,
      setIndex: function (i) { setIndex(i, "api"); },
      play: play, pause: pause, toggle: function () { toggle("api"); }, setFps: setFps,
      getIndex: function () { return index; }, isPlaying: function () { return playing; },
      getDate: function () { return dates[index]; },
      stats: stats, resetStats: resetStats,
      chunkStats: function () { return chunks ? chunks.stats() : null; },
      update: function (o) {
        if (!o) return;
        if (o.fps !== undefined && o.fps !== null) setFps(o.fps);
        if (o.filter) { setFilter(o.filter.actors, o.filter.statuses); var j = index; index = -1; setIndex(j, "filter"); }
        if (o.index !== undefined && o.index !== null) setIndex(o.index, "api");
        if (o.playing === true) play();
        // A stop asked for by the host (its own Pause button): report where we are.
        else if (o.playing === false) { pause(); notifyStop("api"); }
      },
      destroy: function () {
        destroyed = true;
        pause();
        element.removeEventListener("keydown", onKey);
        element.removeEventListener("keyup", onKeyUp);
        if (chunks) chunks.destroy();
        if (chunkRetry) clearTimeout(chunkRetry);
        if (chart) chart.destroy();  // its ResizeObserver and listeners go with the map
        map.remove();
        element.innerHTML = "";
      },
    };
    return controller;
  }

  root.TerritoryPlayer = { mount: mount, decodeGeom: decodeGeom, version: 2 };
})(typeof window !== "undefined" ? window : this);
