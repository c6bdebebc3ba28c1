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
