/*
 * Minimal stand-in for the two jQuery calls folium templates make, so
 * st_folium maps work offline without shipping jQuery (territory.ui.offline):
 *   $(html)[0]            folium.Popup content
 *   $(document).ready(fn) Map.keep_in_front
 * Anything else throws loudly instead of failing silently.
 */
(function (w) {
  "use strict";
  if (w.jQuery || w.$) return;
  function shim(arg) {
    if (typeof arg === "function") { return shim(w.document).ready(arg); }
    if (arg === w.document) {
      return {
        ready: function (fn) {
          if (w.document.readyState === "loading") w.document.addEventListener("DOMContentLoaded", fn);
          else setTimeout(fn, 0);
        },
      };
    }
    if (typeof arg === "string") {
      var t = w.document.createElement("template");
      t.innerHTML = arg.trim();
      return Array.prototype.slice.call(t.content.childNodes);
    }
    throw new Error("territory folium-shim: unsupported jQuery call");
  }
  shim.ajax = function () { throw new Error("territory folium-shim: $.ajax unsupported (use GeoJson embed=True)"); };
  w.$ = shim;
  w.jQuery = shim;
})(window);

/*
 * Map behaviour read from the folium map's options (territory.ui.offline.make_base_map):
 *   territoryViewKey  keep centre/zoom in sessionStorage under this key; the time
 *                     player reads the same key, so Play and Pause keep the view.
 *   territorySync     maps of one group pan and zoom together (BroadcastChannel
 *                     between the same-origin map frames of the page).
 *   territorySwipe    a divider the user drags: the "swipe" pane shows left of it,
 *                     the "swipe-right" pane right of it.
 *   territoryReportDrawn  once the first territory (interactive) path is painted, or 1.5 s
 *                     after the map exists (a date without territory), send one component
 *                     value {territory_drawn: true} to the Streamlit page: the map page draws
 *                     its chart after that, so a first visit gets the map on screen first.
 */
(function (w) {
  "use strict";
  var L = w.L;
  if (!L || !L.Map || L.Map.__territoryHooks) return;
  L.Map.__territoryHooks = true;

  function store() { try { return w.sessionStorage; } catch (e) { return null; } }
  function readView(key) {
    try {
      var v = JSON.parse(store().getItem(key) || "null");
      return v && isFinite(v.lat) && isFinite(v.lng) && isFinite(v.zoom) ? v : null;
    } catch (e) { return null; }
  }
  function writeView(map, key) {
    var c = map.getCenter();
    try { store().setItem(key, JSON.stringify({ lat: c.lat, lng: c.lng, zoom: map.getZoom() })); } catch (e) { /* no storage */ }
  }

  function keepView(map, key) {
    // folium (and st_folium after it) fit the bounds once the map exists: re-apply the stored view a
    // few times during the first second unless the user has touched the map, and store only after that.
    var saved = readView(key), user = false, settled = false, box = map.getContainer();
    ["mousedown", "wheel", "touchstart", "keydown", "dblclick"].forEach(function (ev) {
      box.addEventListener(ev, function () { user = true; }, { passive: true, capture: true });
    });
    function restore() {
      if (saved && !user) map.setView([saved.lat, saved.lng], saved.zoom, { animate: false });
    }
    [0, 250, 800].forEach(function (t) { setTimeout(restore, t); });
    setTimeout(function () { settled = true; }, 900);
    map.on("moveend", function () { if (settled || user) writeView(map, key); });
  }

  function syncGroup(map, group) {
    var key = "territory-view:sync:" + group;
    keepView(map, key);
    if (!w.BroadcastChannel) return;
    var ch = new w.BroadcastChannel("territory-sync:" + group), me = Math.random(), applying = false;
    map.on("move", function () {
      if (applying) return;
      var c = map.getCenter();
      ch.postMessage({ id: me, lat: c.lat, lng: c.lng, zoom: map.getZoom() });
    });
    ch.onmessage = function (ev) {
      var v = ev.data;
      if (!v || v.id === me) return;
      applying = true;
      try { map.setView([v.lat, v.lng], v.zoom, { animate: false }); } finally { applying = false; }
    };
    w.__territorySync = ch;
  }

  function swipe(map) {
    // Created here, at map creation, so the layers st_folium adds later find them.
    var pane = map.getPane("swipe") || map.createPane("swipe");
    var right = map.getPane("swipe-right") || map.createPane("swipe-right");
    pane.style.zIndex = 405;
    right.style.zIndex = 406;
    var box = L.DomUtil.create("div", "territory-swipe", map.getContainer());
    var line = L.DomUtil.create("div", "territory-swipe-line", box);
    var range = L.DomUtil.create("input", "territory-swipe-range", box);
    range.type = "range"; range.min = "0"; range.max = "1"; range.step = "any"; range.value = "0.5";
    range.setAttribute("aria-label", "Swipe between the two dates");
    range.title = "Drag: left of the line shows the earlier date";
    L.DomEvent.disableClickPropagation(range);
    L.DomEvent.on(range, "pointerdown mousedown touchstart", function (e) { L.DomEvent.stopPropagation(e); map.dragging.disable(); });
    L.DomEvent.on(w.document, "pointerup mouseup touchend", function () { map.dragging.enable(); });
    function clip() {
      var size = map.getSize(), x = size.x * Number(range.value);
      var nw = map.containerPointToLayerPoint([0, 0]), se = map.containerPointToLayerPoint(size);
      pane.style.clip = "rect(" + [nw.y, nw.x + x, se.y, nw.x].join("px,") + "px)";
      right.style.clip = "rect(" + [nw.y, se.x, se.y, nw.x + x].join("px,") + "px)";
      line.style.left = x + "px";
    }
    L.DomEvent.on(range, "input change", clip);
    map.on("move zoomend resize viewreset", clip);
    setTimeout(clip, 0);
    w.__territorySwipe = { range: range, clip: clip };
  }

  function reportDrawn(map) {
    var sent = false;
    function send() {
      if (sent || w.parent === w) return;
      sent = true;
      w.parent.postMessage({ isStreamlitMessage: true, type: "streamlit:setComponentValue",
                             value: { territory_drawn: true }, dataType: "json" }, "*");
    }
    map.on("layeradd", function (e) {
      if (!sent && e.layer instanceof L.Path && e.layer.options.interactive) {
        w.requestAnimationFrame(function () { setTimeout(send, 0); });  // after the frame that paints it
      }
    });
    setTimeout(send, 1500);
  }

  L.Map.addInitHook(function () {
    var o = this.options;
    // Labels never overlap (labels.js, loaded before this file); layeradd: the labels come after the map.
    w.TerritoryLabels.keepApart(this, this.getPane("markerPane"), ".territory-place", "zoomend moveend resize layeradd");
    // Leaflet 1.9's prefix carries a national flag: a conflict map takes no side in its credits.
    if (this.attributionControl) {
      this.attributionControl.setPrefix('<a href="https://leafletjs.com" target="_blank" rel="noopener noreferrer">Leaflet</a>');
    }
    if (o.territoryReportDrawn) reportDrawn(this);
    if (o.territoryViewKey) keepView(this, "territory-view:" + o.territoryViewKey);
    if (o.territorySync) syncGroup(this, String(o.territorySync));
    if (o.territorySwipe) swipe(this);
  });
})(window);
