/*
 * Place labels never overlap (one copy for every map: folium maps load it before
 * folium-shim.js, the player before player.js, and the HTML export inlines it).
 *
 * Labels come largest place first (territory.places; the Regions map sorts its regions
 * the same way), so after every zoom or pan a label that would touch one already shown
 * is hidden; zooming in brings it back.
 *
 *   TerritoryLabels.keepApart(map, pane, selector, events)
 *     pane: the element holding the labels; selector: one label's class (".territory-place");
 *     events: the map events after which to look again (debounced 30 ms), and once when ready.
 */
(function (w) {
  "use strict";
  var PAD = 3;  // px between two shown labels

  function declutter(pane, selector) {
    var labels = pane.querySelectorAll(selector), shown = [];
    for (var i = 0; i < labels.length; i++) {
      var el = labels[i];
      el.style.visibility = "";
      var r = (el.firstElementChild || el).getBoundingClientRect(), hit = false;
      for (var j = 0; j < shown.length && !hit; j++) {
        var s = shown[j];
        hit = !(r.right + PAD < s.left || r.left - PAD > s.right || r.bottom + PAD < s.top || r.top - PAD > s.bottom);
      }
      if (hit) el.style.visibility = "hidden"; else shown.push(r);
    }
  }

  function keepApart(map, pane, selector, events) {
    if (!pane) return;
    var timer = null;
    function later() { clearTimeout(timer); timer = setTimeout(function () { declutter(pane, selector); }, 30); }
    map.on(events, later);
    map.whenReady(later);
  }

  w.TerritoryLabels = { declutter: declutter, keepApart: keepApart };
})(window);
