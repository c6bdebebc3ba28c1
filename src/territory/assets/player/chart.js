/*
 * Territory time player's "Area over time" chart (SVG, no library).
 *
 * Every shown actor's controlled km² on every date, drawn as steps (a
 * snapshot holds until the next one), with a date marker that player.js
 * moves with every frame: the chart follows the slider, Play and the keys in
 * the browser, no script run. Hovering names each actor's km² on the date
 * under the pointer; a click there moves the player to that date (a stop).
 *
 * The figures are payload.legend.rows (territory/player.py legend_rows: the
 * area table `territory stats` prints, whole km², rows[i][3 * a + s]); they
 * are plotted and printed as they come, never recomputed. Only the axis ticks
 * (layout, not figures) are computed here. All payload text goes through
 * textContent.
 *
 * API: TerritoryChart.mount(element, payload, {actors, onPick(index), height})
 *      -> {setIndex(i), setActors(names | null), hover(i), valuesAt(i), net, destroy()}
 *      (net: the net-change bars under the lines, netchart.js's object, or null)
 *      or null when the payload has no per-date areas.
 *      TerritoryChartKit: the helpers netchart.js draws with (h, s, fmt, ms, niceStep, timeTicks,
 *      lastAtOrBefore, sizeSvg, yRule, xTicks, onResize).
 */
(function (root) {
  "use strict";

  var NS = "http://www.w3.org/2000/svg";
  var MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
  var NUM = typeof Intl !== "undefined" ? new Intl.NumberFormat("en", { maximumFractionDigits: 0 }) : null;
  var M = { left: 66, right: 14, top: 10, bottom: 24 };

  function h(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined && text !== null) e.textContent = String(text);
    return e;
  }

  function s(tag, attrs) {
    var e = document.createElementNS(NS, tag);
    for (var k in attrs) if (Object.prototype.hasOwnProperty.call(attrs, k)) e.setAttribute(k, String(attrs[k]));
    return e;
  }

  function fmt(v) { return NUM ? NUM.format(v) : String(Math.round(v)); }

  /* "2015-01-04" -> ms since 1970 (UTC): the x axis is time, so irregular dates sit where they fall. */
  function ms(d) {
    var p = String(d).split("-");
    return Date.UTC(Number(p[0]), Number(p[1] || 1) - 1, Number(p[2] || 1));
  }

  /* A round step giving about `count` ticks up to `top` (1, 2, 2.5 or 5 times a power of ten). */
  function niceStep(top, count) {
    var raw = top / Math.max(1, count), p = Math.pow(10, Math.floor(Math.log10(raw))), f = raw / p;
    return p * (f <= 1 ? 1 : f <= 2 ? 2 : f <= 2.5 ? 2.5 : f <= 5 ? 5 : 10);
  }

  /* The index of the last of the sorted times `ts` on or before `tt` (-1 before the first). */
  function lastAtOrBefore(ts, tt) {
    if (!ts.length || tt < ts[0]) return -1;
    var lo = 0, hi = ts.length - 1;
    while (lo < hi) { var mid = (lo + hi + 1) >> 1; if (ts[mid] <= tt) lo = mid; else hi = mid - 1; }
    return lo;
  }

  /* Size the svg to its plot's width (at least 240 px) and height H, emptied for a redraw; returns the width. */
  function sizeSvg(svg, plot, element, H) {
    var W = Math.max(240, plot.clientWidth || element.clientWidth || 600);
    svg.setAttribute("viewBox", "0 0 " + W + " " + H);
    svg.setAttribute("width", String(W));
    svg.setAttribute("height", String(H));
    while (svg.firstChild) svg.removeChild(svg.firstChild);
    return W;
  }

  /* A y grid line at height yy with its label at the left margin M (class prefix `pre`: tp-chart, tp-net). */
  function yRule(axis, pre, M, W, yy, label, zeroCls) {
    axis.appendChild(s("line", { x1: M.left, x2: W - M.right, y1: yy, y2: yy, "class": zeroCls || pre + "-grid" }));
    var lab = s("text", { x: M.left - 6, y: yy + 4, "text-anchor": "end", "class": pre + "-ylab" });
    lab.textContent = label;
    axis.appendChild(lab);
  }

  /* The time axis's ticks and labels (timeTicks) under a plot of height H, x(t) giving each one's place. */
  function xTicks(axis, pre, M, W, H, x, t0, t1) {
    timeTicks(t0, t1, W - M.left - M.right).forEach(function (tk) {
      var xx = x(tk[0]);
      axis.appendChild(s("line", { x1: xx, x2: xx, y1: H - M.bottom, y2: H - M.bottom + 4, "class": pre + "-tick" }));
      var lab = s("text", { x: xx, y: H - M.bottom + 16, "text-anchor": "middle", "class": pre + "-xlab" });
      lab.textContent = tk[1];
      axis.appendChild(lab);
    });
  }

  /* Redraw when the plot's width changes by more than a pixel; returns the observer (or null) to disconnect. */
  function onResize(plot, draw) {
    if (!root.ResizeObserver) return null;
    var lastW = 0, ro = new root.ResizeObserver(function () {
      var w = plot.clientWidth;
      if (w && Math.abs(w - lastW) > 1) { lastW = w; draw(); }
    });
    ro.observe(plot);
    return ro;
  }

  /* Time ticks that always carry their year: "2015" on each January 1st over long spans, else "Mar 2015". */
  function timeTicks(t0, t1, width) {
    var a = new Date(t0), b = new Date(t1), out = [];
    var years = b.getUTCFullYear() - a.getUTCFullYear();
    var maxTicks = Math.max(2, Math.floor(width / 70));
    if (years >= 2) {
      var every = Math.max(1, Math.ceil((years + 1) / maxTicks));
      for (var y = a.getUTCFullYear() + 1; y <= b.getUTCFullYear(); y += every) out.push([Date.UTC(y, 0, 1), String(y)]);
      return out;
    }
    var months = years * 12 + b.getUTCMonth() - a.getUTCMonth();
    var step = [1, 2, 3, 6, 12].find(function (k) { return months / k <= maxTicks; }) || 12;
    for (var m = a.getUTCMonth() + 1, yy = a.getUTCFullYear(); ; m++) {
      if (m > 11) { m = 0; yy++; }
      var t = Date.UTC(yy, m, 1);
      if (t > t1) break;
      if (m % step === 0) out.push([t, MONTHS[m] + " " + yy]);
    }
    if (!out.length) out.push([t0, MONTHS[a.getUTCMonth()] + " " + a.getUTCFullYear()]);
    return out;
  }

  function mount(element, payload, options) {
    var opts = Object.assign({ actors: null, onPick: null, height: 230 }, options || {});
    var dates = payload.dates || [], n = dates.length, leg = payload.legend;
    if (n < 2 || !leg || !leg.rows || leg.rows.length !== n) return null;
    var cs = (leg.statuses || ["controlled"]).indexOf("controlled");
    if (cs < 0) return null;
    var ns = (leg.statuses || []).length || 3;
    var colors = {};
    (payload.actors || []).forEach(function (a) { colors[a.name] = a.color; });
    var t = dates.map(ms), tEnd = t[n - 1];
    // One series per actor: its controlled km² on every date; null before it first holds ground, 0 after.
    var series = (leg.actors || []).map(function (name, li) {
      var vals = new Array(n), seen = false, top = 0;
      for (var i = 0; i < n; i++) {
        var v = leg.rows[i][ns * li + cs];
        if (v !== null && v !== undefined) seen = true;
        vals[i] = v !== null && v !== undefined ? v : seen ? 0 : null;
        if (vals[i] !== null && vals[i] > top) top = vals[i];
      }
      return { name: name, color: colors[name] || "#777", vals: vals, top: top, path: null, dot: null };
    }).filter(function (sr) { return sr.top > 0; });
    if (!series.length) return null;

    element.innerHTML = "";
    element.classList.add("tp-chart");
    var head = h("div", "tp-chart-head");
    head.appendChild(h("span", "tp-chart-title", "Area over time (km\u00b2 controlled)"));
    var keys = h("span", "tp-chart-keys");
    head.appendChild(keys);
    element.appendChild(head);
    var plot = h("div", "tp-chart-plot");
    element.appendChild(plot);
    var tip = h("div", "tp-chart-tip");
    tip.setAttribute("role", "status");
    tip.style.display = "none";
    plot.appendChild(tip);
    var svg = s("svg", { "class": "tp-chart-svg", role: "img" });
    plot.insertBefore(svg, tip);

    var shown = series.map(function () { return true; });
    var index = 0, hoverI = -1, W = 0, H = Math.max(120, Number(opts.height) - 28), yTop = 1, yStep = 1;
    var g = { grid: null, lines: null, marker: null, hover: null, dots: null, overlay: null };

    function x(tt) { return M.left + ((W - M.left - M.right) * (tt - t[0])) / Math.max(1, tEnd - t[0]); }
    function y(v) { return H - M.bottom - ((H - M.top - M.bottom) * v) / yTop; }

    /* The step in force at time tt: the last date on or before it. */
    function indexAt(tt) { return Math.max(0, lastAtOrBefore(t, tt)); }

    function draw() {
      W = sizeSvg(svg, plot, element, H);
      var top = 0;
      series.forEach(function (sr, k) { if (shown[k] && sr.top > top) top = sr.top; });
      if (!(top > 0)) top = 1;
      yStep = niceStep(top, 4);
      yTop = Math.ceil((top * 1.04) / yStep) * yStep;
      g.grid = s("g", { "class": "tp-chart-axis" });
      for (var v = 0; v <= yTop + yStep / 2; v += yStep) yRule(g.grid, "tp-chart", M, W, y(v), fmt(v), v ? null : "tp-chart-zero");
      xTicks(g.grid, "tp-chart", M, W, H, x, t[0], tEnd);
      svg.appendChild(g.grid);
      g.lines = s("g", { "class": "tp-chart-lines" });
      g.dots = s("g", { "class": "tp-chart-dots" });
      series.forEach(function (sr, k) {
        var d = "", prev = null;
        for (var i = 0; i < n; i++) {
          var v = sr.vals[i];
          if (v === null) { prev = null; continue; }
          var xx = x(t[i]).toFixed(1), yy = y(v).toFixed(1);
          d += prev === null ? "M" + xx + " " + yy : "H" + xx + "V" + yy;
          prev = v;
        }
        if (prev !== null) d += "H" + x(tEnd).toFixed(1);
        sr.path = s("path", { d: d, stroke: sr.color, "class": "tp-chart-line", "data-actor": sr.name });
        sr.dot = s("circle", { r: 3.5, fill: sr.color, "class": "tp-chart-dot" });
        sr.path.style.display = sr.dot.style.display = shown[k] ? "" : "none";
        g.lines.appendChild(sr.path);
        g.dots.appendChild(sr.dot);
      });
      svg.appendChild(g.lines);
      g.hover = s("line", { y1: M.top, y2: H - M.bottom, "class": "tp-chart-hover" });
      g.hover.style.display = "none";
      svg.appendChild(g.hover);
      g.marker = s("line", { y1: M.top, y2: H - M.bottom, "class": "tp-chart-mark" });
      svg.appendChild(g.marker);
      svg.appendChild(g.dots);
      g.overlay = s("rect", { x: M.left, y: M.top, width: Math.max(1, W - M.left - M.right), height: H - M.top - M.bottom,
                              "class": "tp-chart-overlay" });
      svg.appendChild(g.overlay);
      svg.setAttribute("aria-label", "Area over time, km\u00b2 controlled, " + dates[0] + " to " + dates[n - 1]);
      keys.innerHTML = "";
      series.forEach(function (sr, k) {
        if (!shown[k]) return;
        var key = h("span", "tp-chart-key");
        var sw = h("span", "tp-chart-swatch");
        sw.style.background = sr.color;
        key.appendChild(sw);
        key.appendChild(h("span", null, sr.name));
        keys.appendChild(key);
      });
      setIndex(index, true);
      if (hoverI >= 0) hover(hoverI);
    }

    /* Move the date marker (and each line's dot) to date i: a few attributes, every frame. */
    function setIndex(i, force) {
      i = Math.max(0, Math.min(n - 1, i | 0));
      if (i === index && !force) return;
      index = i;
      if (!g.marker) return;
      var xx = x(t[i]).toFixed(1);
      g.marker.setAttribute("x1", xx); g.marker.setAttribute("x2", xx);
      g.marker.setAttribute("data-date", dates[i]);
      series.forEach(function (sr, k) {
        var v = sr.vals[i];
        sr.dot.style.display = shown[k] && v !== null ? "" : "none";
        if (v !== null) { sr.dot.setAttribute("cx", xx); sr.dot.setAttribute("cy", y(v).toFixed(1)); }
      });
    }

    /* Each shown actor's km² on date i, as the payload holds them (largest first). */
    function valuesAt(i) {
      var out = [];
      series.forEach(function (sr, k) { if (shown[k] && sr.vals[i] !== null) out.push({ actor: sr.name, km2: sr.vals[i], color: sr.color }); });
      return out.sort(function (a, b) { return b.km2 - a.km2; });
    }

    function hover(i) {
      hoverI = i;
      if (i < 0) { tip.style.display = "none"; g.hover.style.display = "none"; return; }
      var xx = x(t[i]);
      g.hover.setAttribute("x1", xx.toFixed(1)); g.hover.setAttribute("x2", xx.toFixed(1));
      g.hover.style.display = "";
      tip.innerHTML = "";
      tip.appendChild(h("div", "tp-chart-tip-date", dates[i]));
      valuesAt(i).forEach(function (r) {
        var row = h("div", "tp-chart-tip-row");
        var sw = h("span", "tp-chart-swatch");
        sw.style.background = r.color;
        row.appendChild(sw);
        row.appendChild(h("span", "tp-chart-tip-name", r.actor));
        row.appendChild(h("span", "tp-chart-tip-km2", fmt(r.km2) + " km\u00b2"));
        tip.appendChild(row);
      });
      tip.style.display = "";
      var left = xx + 12, w = tip.offsetWidth || 160;
      if (left + w > W - 4) left = Math.max(4, xx - 12 - w);
      tip.style.left = left + "px";
      tip.style.top = M.top + "px";
    }

    function pointerIndex(ev) {
      var r = svg.getBoundingClientRect(), px = ((ev.clientX - r.left) * W) / Math.max(1, r.width);
      return indexAt(t[0] + ((px - M.left) * (tEnd - t[0])) / Math.max(1, W - M.left - M.right));
    }

    function onMove(ev) { hover(pointerIndex(ev)); }
    function onLeave() { hover(-1); }
    function onClick(ev) { if (opts.onPick) opts.onPick(pointerIndex(ev)); }
    svg.addEventListener("mousemove", onMove);
    svg.addEventListener("mouseleave", onLeave);
    svg.addEventListener("click", onClick);

    function setActors(names) {
      series.forEach(function (sr, k) { shown[k] = !names || names.indexOf(sr.name) >= 0; });
      draw();
    }

    var ro = onResize(plot, draw);
    setActors(opts.actors);

    // The focus actor's net change per week/month under the lines (netchart.js, when loaded): same time axis,
    // same frames (setIndex below), same click (a stop).
    var net = null;
    if (root.TerritoryNetChart && opts.net !== false) {
      var netBox = h("div", "tp-net");
      element.appendChild(netBox);
      net = root.TerritoryNetChart.mount(netBox, payload, { onPick: opts.onPick });
      if (!net) element.removeChild(netBox);
    }

    return {
      element: element,
      net: net,
      setIndex: function (i) { setIndex(i, false); if (net) net.setIndex(i); },
      setActors: setActors,
      hover: hover,
      valuesAt: valuesAt,
      destroy: function () {
        if (net) net.destroy();
        if (ro) ro.disconnect();
        svg.removeEventListener("mousemove", onMove);
        svg.removeEventListener("mouseleave", onLeave);
        svg.removeEventListener("click", onClick);
        element.innerHTML = "";
      },
    };
  }

  root.TerritoryChart = { mount: mount, timeTicks: timeTicks, niceStep: niceStep };
  // The drawing kit netchart.js (loaded after this file) shares, so the two charts' axes are one code.
  root.TerritoryChartKit = {
    h: h, s: s, fmt: fmt, ms: ms, niceStep: niceStep, timeTicks: timeTicks, lastAtOrBefore: lastAtOrBefore,
    sizeSvg: sizeSvg, yRule: yRule, xTicks: xTicks, onResize: onResize,
  };
})(typeof window !== "undefined" ? window : this);
