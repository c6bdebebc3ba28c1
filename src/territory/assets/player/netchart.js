/*
 * Territory time player's "Net change per period" bars (SVG, no library).
 *
 * The focus actor's controlled km² gained − lost per week or month (the
 * user's choice, remembered in sessionStorage like the map's view), one bar
 * per period, green up for a net gain, red down for a net loss. chart.js
 * mounts it under the area chart and forwards every frame's date, so the
 * periods after the date shown are pale, the one holding it is outlined and a
 * date marker moves with the slider, Play and the keys, with no script run.
 * Hovering names the period and its gained / lost / net; a click moves the
 * player to the period's end (the last date on or before it: a stop).
 *
 * The figures are payload.net (territory/netbars.py: `territory change
 * --every week|month` rows, whole km²), drawn and printed as they come;
 * only axis ticks (layout) are computed here. Text goes through textContent.
 * The DOM/SVG helpers and the time axis are chart.js's (TerritoryChartKit),
 * so chart.js loads first.
 *
 * Keyboard and screen readers: Week/Month are buttons with aria-pressed; the
 * bars are a focusable group (← → step dates as anywhere in the player,
 * Page Up / Page Down jump to the previous / next period's end) whose line
 * under the title names the period shown and its figures, read aloud while
 * the bars have focus. No animation: reduced motion changes nothing here.
 *
 * API: TerritoryNetChart.mount(element, payload, {onPick(index), height})
 *      -> {setIndex(i), setEvery(e), every(), hover(k), periodAt(i), destroy()} or null.
 */
(function (root) {
  "use strict";

  // chart.js's drawing kit (loaded before this file): the same DOM/SVG helpers and time axis as the area chart.
  var K = root.TerritoryChartKit;
  if (!K) return;  // without chart.js nothing mounts the bars
  var h = K.h, s = K.s, ms = K.ms;
  var M = { left: 66, right: 14, top: 8, bottom: 22 };  // as chart.js: both time axes line up
  var DAY = 86400000;
  var STORE = "territory-net-every";
  var LABEL = { week: "Week", month: "Month" };

  function fmt(v) { return K.fmt(Math.abs(v)); }
  /* "+262", "\u22121,190", "0": the sign always printed (U+2212 for minus). */
  function signed(v) { return (v > 0 ? "+" : v < 0 ? "\u2212" : "") + fmt(v); }

  function loadEvery() {
    try { var v = root.sessionStorage.getItem(STORE); return LABEL[v] ? v : null; } catch (e) { return null; }
  }
  function saveEvery(v) {
    try { root.sessionStorage.setItem(STORE, v); } catch (e) { /* storage blocked: the choice lasts the page */ }
  }

  function mount(element, payload, options) {
    var opts = Object.assign({ onPick: null, height: 150 }, options || {});
    var net = payload.net, dates = payload.dates || [], n = dates.length;
    if (!net || n < 2) return null;
    var col = {};
    (net.cols || []).forEach(function (c, j) { col[c] = j; });
    var choices = ["week", "month"].filter(function (e) { return net[e] && net[e].length; });
    if (!choices.length) return null;
    var every = loadEvery();
    if (choices.indexOf(every) < 0) every = choices.indexOf("month") >= 0 ? "month" : choices[0];
    var t = dates.map(ms), t0 = t[0], tEnd = t[n - 1];

    element.innerHTML = "";
    element.classList.add("tp-net");
    var head = h("div", "tp-net-head");
    var title = h("span", "tp-net-title");
    head.appendChild(title);
    var seg = h("span", "tp-net-every");
    seg.setAttribute("role", "group");
    seg.setAttribute("aria-label", "Bars per");
    var buttons = {};
    choices.forEach(function (e) {
      var b = h("button", "tp-btn tp-net-btn", LABEL[e]);
      b.type = "button";
      b.setAttribute("data-every", e);
      b.addEventListener("click", function () { setEvery(e); });
      buttons[e] = b;
      seg.appendChild(b);
    });
    head.appendChild(seg);
    element.appendChild(head);
    var now = h("div", "tp-net-now");
    now.id = "tp-net-now-" + Math.random().toString(36).slice(2, 9);
    now.setAttribute("aria-live", "off");  // read aloud while the bars have focus (see onFocus)
    element.appendChild(now);
    var plot = h("div", "tp-net-plot");
    plot.tabIndex = 0;
    plot.setAttribute("role", "group");
    plot.setAttribute("aria-describedby", now.id);
    element.appendChild(plot);
    var svg = s("svg", { "class": "tp-net-svg", role: "img" });
    plot.appendChild(svg);
    var tip = h("div", "tp-net-tip");
    tip.setAttribute("role", "status");
    tip.style.display = "none";
    plot.appendChild(tip);

    var rows = [], ps = [], pe = [], index = 0, cur = -2, hoverK = -1, W = 0;
    var H = Math.max(90, Number(opts.height) - 44), yLo = -1, yHi = 1;
    var bars = [], marker = null, overlay = null;

    function x(tt) { return M.left + ((W - M.left - M.right) * (tt - t0)) / Math.max(1, tEnd - t0); }
    function y(v) { return M.top + ((H - M.top - M.bottom) * (yHi - v)) / Math.max(1e-9, yHi - yLo); }
    function val(k, c) { return rows[k][col[c]]; }

    /* The last date on or before time tt (the state in force then). */
    function indexAt(tt) { return Math.max(0, K.lastAtOrBefore(t, tt)); }
    /* The period holding time tt: the last one starting on or before it (-1 before the first). */
    function periodAtTime(tt) { return K.lastAtOrBefore(ps, tt); }

    function barClass(k) {
      var v = val(k, "net"), cls = "tp-net-bar " + (v > 0 ? "tp-net-gain" : v < 0 ? "tp-net-loss" : "tp-net-zero");
      if (k > cur) cls += " tp-net-after";  // after the date shown: pale
      else if (k === cur) cls += " tp-net-current";
      return cls;
    }

    function draw() {
      W = K.sizeSvg(svg, plot, element, H);
      var lo = 0, hi = 0;
      rows.forEach(function (r, k) { var v = val(k, "net"); if (v < lo) lo = v; if (v > hi) hi = v; });
      var step = K.niceStep(Math.max(1, hi - lo), Math.max(2, Math.floor((H - M.top - M.bottom) / 24)));  // labels 24 px apart
      yHi = Math.ceil((hi * 1.04) / step) * step;
      yLo = Math.floor((lo * 1.04) / step) * step;
      if (yHi <= yLo) yHi = yLo + step;
      var axis = s("g", { "class": "tp-net-axis" });
      for (var v = yLo; v <= yHi + step / 2; v += step) K.yRule(axis, "tp-net", M, W, y(v), signed(v), v ? null : "tp-net-zeroline");
      K.xTicks(axis, "tp-net", M, W, H, x, t0, tEnd);
      // The zero line over the grid, under the bars.
      svg.appendChild(axis);
      var g = s("g", { "class": "tp-net-bars" });
      bars = rows.map(function (r, k) {
        var x1 = x(Math.max(ps[k], t0)), x2 = x(Math.min(pe[k] + DAY, tEnd));
        var gap = x2 - x1 > 4 ? 1 : 0, v = val(k, "net");
        var b = s("rect", { x: (x1 + gap / 2).toFixed(1), width: Math.max(1, x2 - x1 - gap).toFixed(1),
                            y: y(Math.max(v, 0)).toFixed(1), height: Math.max(v ? 1 : 0, Math.abs(y(v) - y(0))).toFixed(1),
                            "data-period": r[col.period] });
        b.setAttribute("class", barClass(k));
        g.appendChild(b);
        return b;
      });
      svg.appendChild(g);
      marker = s("line", { y1: M.top, y2: H - M.bottom, "class": "tp-net-mark" });
      svg.appendChild(marker);
      overlay = s("rect", { x: M.left, y: M.top, width: Math.max(1, W - M.left - M.right), height: H - M.top - M.bottom,
                            "class": "tp-net-overlay" });
      svg.appendChild(overlay);
      setIndex(index, true);
      if (hoverK >= 0) hover(hoverK);
    }

    function describe(k) {
      if (k < 0) return "";
      return LABEL[every] + " " + val(k, "period") + ": net " + signed(val(k, "net")) + " km\u00b2 (gained "
        + fmt(val(k, "gained")) + ", lost " + fmt(val(k, "lost")) + "), state on " + val(k, "end")
        + " against " + val(k, "from");
    }

    /* Date i: the marker moves; only bars whose side of the date changed get a new class. */
    function setIndex(i, force) {
      i = Math.max(0, Math.min(n - 1, i | 0));
      if (i === index && !force) return;
      index = i;
      if (!marker) return;
      var xx = x(t[i]).toFixed(1);
      marker.setAttribute("x1", xx); marker.setAttribute("x2", xx);
      marker.setAttribute("data-date", dates[i]);
      var p = periodAtTime(t[i]), old = cur;
      if (p === cur && !force) return;
      cur = p;
      if (force) bars.forEach(function (b, k) { b.setAttribute("class", barClass(k)); });
      else for (var k = Math.max(0, Math.min(old, p)); k <= Math.max(old, p) && k < bars.length; k++) bars[k].setAttribute("class", barClass(k));
      now.textContent = p >= 0 ? describe(p) : dates[i] + ": before the first " + every;
      element.setAttribute("data-period", p >= 0 ? val(p, "period") : "");
    }

    function hover(k) {
      hoverK = k;
      if (k < 0 || k >= rows.length) { tip.style.display = "none"; return; }
      tip.innerHTML = "";
      tip.appendChild(h("div", "tp-net-tip-period", val(k, "period")));
      tip.appendChild(h("div", "tp-net-tip-span", "state on " + val(k, "end") + " against " + val(k, "from")));
      [["gained", "Gained", "+"], ["lost", "Lost", "\u2212"], ["net", "Net", null]].forEach(function (f) {
        var row = h("div", "tp-net-tip-row");
        row.appendChild(h("span", "tp-net-tip-name", f[1]));
        var v = val(k, f[0]);
        row.appendChild(h("span", "tp-net-tip-km2 tp-net-tip-" + f[0],
                          (f[2] === null ? signed(v) : (v ? f[2] : "") + fmt(v)) + " km\u00b2"));
        tip.appendChild(row);
      });
      tip.style.display = "";
      var xx = x(Math.min(pe[k] + DAY, tEnd)), left = xx + 8, w = tip.offsetWidth || 160;
      if (left + w > W - 4) left = Math.max(4, x(ps[k]) - 8 - w);
      tip.style.left = left + "px";
      tip.style.top = M.top + "px";
    }

    function pointerPeriod(ev) {
      var r = svg.getBoundingClientRect(), px = ((ev.clientX - r.left) * W) / Math.max(1, r.width);
      return periodAtTime(t0 + ((px - M.left) * (tEnd - t0)) / Math.max(1, W - M.left - M.right));
    }
    /* A period's end as a player date: the last date on or before it. */
    function endIndex(k) { return indexAt(pe[k]); }
    function pick(k) { if (k >= 0 && opts.onPick) opts.onPick(endIndex(k)); }

    function onMove(ev) { hover(pointerPeriod(ev)); }
    function onLeave() { hover(-1); }
    function onClick(ev) { pick(pointerPeriod(ev)); }
    function onKey(ev) {
      if (ev.key !== "PageUp" && ev.key !== "PageDown") return;  // ← → Home End: the player's keys
      ev.preventDefault();
      var k = cur;
      if (ev.key === "PageDown") { k = cur < 0 ? 0 : endIndex(cur) > index ? cur : cur + 1; }
      else { k = cur <= 0 ? 0 : cur - 1; }
      pick(Math.max(0, Math.min(rows.length - 1, k)));
    }
    function onFocus() { now.setAttribute("aria-live", "polite"); }
    function onBlur() { now.setAttribute("aria-live", "off"); }
    // Every listener once, so destroy removes exactly what was added.
    var listeners = [[svg, "mousemove", onMove], [svg, "mouseleave", onLeave], [svg, "click", onClick],
                     [plot, "keydown", onKey], [plot, "focus", onFocus], [plot, "blur", onBlur]];
    listeners.forEach(function (l) { l[0].addEventListener(l[1], l[2]); });

    function setEvery(e) {
      if (choices.indexOf(e) < 0) return;
      every = e;
      saveEvery(e);
      rows = net[e];
      ps = rows.map(function (r) { return ms(r[col.start]); });
      pe = rows.map(function (r) { return ms(r[col.end]); });
      choices.forEach(function (c) { buttons[c].setAttribute("aria-pressed", c === e ? "true" : "false"); });
      title.textContent = "Net change per " + e + " (km\u00b2 controlled, gained \u2212 lost): " + (net.actor || "");
      var label = "Net change per " + e + ", " + (net.actor || "") + ", " + rows.length + " " + e + "s from "
        + dates[0] + " to " + dates[n - 1] + ". Left and right arrows step dates; Page Up and Page Down jump a " + e + ".";
      plot.setAttribute("aria-label", label);
      svg.setAttribute("aria-label", "Net change per " + e + " bars");
      element.setAttribute("data-every", e);
      hoverK = -1;
      tip.style.display = "none";
      draw();
    }

    var ro = K.onResize(plot, draw);
    setEvery(every);

    return {
      element: element,
      setIndex: function (i) { setIndex(i, false); },
      setEvery: setEvery,
      every: function () { return every; },
      hover: hover,
      /* The period holding date i, as the payload has it: {period, start, end, from, gained, lost, net}. */
      periodAt: function (i) {
        var k = periodAtTime(t[Math.max(0, Math.min(n - 1, i | 0))]), out = {};
        if (k < 0) return null;
        net.cols.forEach(function (c, j) { out[c] = rows[k][j]; });
        return out;
      },
      destroy: function () {
        if (ro) ro.disconnect();
        listeners.forEach(function (l) { l[0].removeEventListener(l[1], l[2]); });
        element.innerHTML = "";
      },
    };
  }

  root.TerritoryNetChart = { mount: mount };
})(typeof window !== "undefined" ? window : this);
