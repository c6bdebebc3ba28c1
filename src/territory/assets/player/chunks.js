/*
 * Territory player: geometry fetched in chunks of dates (territory/playerchunks.py).
 *
 * A payload over the inline budget carries payload.chunks = {v, list, bytes, ahead, keep} and
 * features without "g". list[c] = {from, to, file, bytes, needs}: chunk c covers the dates
 * [from, to); drawing one of them needs the chunks in `needs` (its own and those whose
 * polygons are still in force). A chunk file is {v, c, k: [feature index], g: [geometry]}.
 *
 * want(i, dir) on every frame: fetches the chunks date i needs first, then those of the
 * `ahead` chunks in the direction of the scrub or play (dir +1 / -1), and drops chunks over
 * `keep`, farthest from the playhead first (never one date i needs): memory stays bounded
 * whatever the archive's length. A loaded chunk sets feats[k].g; a dropped one deletes it
 * and calls onEvict(ks) so the player drops those layers. No Streamlit rerun is involved:
 * the files are static, content-hashed and immutable, fetched by relative URL from `base`
 * (the chunk component's route). A file name that is not our hash is never fetched.
 *
 * API: TerritoryChunks.create(spec, feats, {base, onLoad(c), onEvict(ks), onError(c, err)})
 *      -> {want(i, dir), ready(i), failed(i), chunkOf(i), stats(), destroy()}
 */
(function (root) {
  "use strict";

  var NAME = /^[0-9a-f]{24}\.json$/;
  var RETRY_MS = 3000;

  function create(spec, feats, options) {
    var opts = options || {};
    var list = (spec && spec.list) || [], C = list.length;
    var base = opts.base || "";
    var ahead = spec.ahead > 0 ? spec.ahead : 2, keep = spec.keep > 0 ? spec.keep : 8;
    var state = new Array(C), members = new Array(C), ctrls = new Array(C), failedAt = new Array(C);
    var cur = 0, destroyed = false;
    var st = { fetches: 0, bytes: 0, ms: [], failed: 0, evicted: 0, maxHeld: 0 };

    function chunkOf(i) {
      var lo = 0, hi = C - 1;
      while (lo <= hi) {
        var mid = (lo + hi) >> 1, e = list[mid];
        if (i < e.from) hi = mid - 1; else if (i >= e.to) lo = mid + 1; else return mid;
      }
      return -1;
    }

    function held() {
      var n = 0;
      for (var c = 0; c < C; c++) if (state[c] === "loaded" || state[c] === "loading") n++;
      return n;
    }

    function load(c) {
      if (destroyed || c < 0 || c >= C) return;
      if (state[c] === "failed" && performance.now() - failedAt[c] > RETRY_MS) state[c] = undefined;
      if (state[c]) return;
      var e = list[c];
      if (!NAME.test(String(e.file))) { state[c] = "failed"; failedAt[c] = Infinity; return; }
      state[c] = "loading";
      st.maxHeld = Math.max(st.maxHeld, held());
      var t0 = performance.now();
      var ac = typeof AbortController !== "undefined" ? new AbortController() : null;
      ctrls[c] = ac;
      fetch(base + e.file, { signal: ac ? ac.signal : undefined, credentials: "same-origin" })
        .then(function (r) {
          if (!r.ok) throw new Error("HTTP " + r.status);
          return r.json();
        })
        .then(function (data) {
          if (destroyed || state[c] !== "loading") return;  // dropped while on its way
          if (!data || data.v !== spec.v || !data.k || !data.g || data.k.length !== data.g.length) {
            throw new Error("not a chunk of this payload");
          }
          for (var j = 0; j < data.k.length; j++) {
            var f = feats[data.k[j]];
            if (f) f.g = data.g[j];
          }
          members[c] = data.k;
          state[c] = "loaded";
          ctrls[c] = null;
          st.fetches++;
          st.bytes += e.bytes || 0;
          st.ms.push(performance.now() - t0);
          if (opts.onLoad) opts.onLoad(c);
        })
        .catch(function (err) {
          if (destroyed || (err && err.name === "AbortError") || state[c] !== "loading") return;
          state[c] = "failed";
          failedAt[c] = performance.now();
          ctrls[c] = null;
          st.failed++;
          if (opts.onError) opts.onError(c, err);
        });
    }

    function evict(c) {
      if (state[c] === "loading" && ctrls[c]) ctrls[c].abort();
      if (state[c] === "loaded" && members[c]) {
        var ks = members[c];
        for (var j = 0; j < ks.length; j++) if (feats[ks[j]]) delete feats[ks[j]].g;
        if (opts.onEvict) opts.onEvict(ks);
      }
      state[c] = undefined;
      members[c] = null;
      ctrls[c] = null;
      st.evicted++;
    }

    function want(i, dir) {
      var c = chunkOf(i);
      if (c < 0 || destroyed) return;
      cur = c;
      dir = dir < 0 ? -1 : 1;
      var must = {}, soon = {}, order = [];
      list[c].needs.forEach(function (x) { if (!must[x]) order.push(x); must[x] = true; });
      for (var s = 1; s <= ahead; s++) {
        var x = c + dir * s;
        if (x >= 0 && x < C) list[x].needs.forEach(function (y) { if (!must[y] && !soon[y]) order.push(y); soon[y] = true; });
      }
      // Over the budget: drop the farthest chunks no near date needs (behind the motion first).
      var over = held() + order.filter(function (y) { return !state[y]; }).length - keep;
      if (over > 0) {
        var drop = [];
        for (var y = 0; y < C; y++) {
          if ((state[y] === "loaded" || state[y] === "loading") && !must[y] && !soon[y]) drop.push(y);
        }
        drop.sort(function (a, b) {
          var da = Math.abs(a - c) + ((a - c) * dir < 0 ? 0.5 : 0), db = Math.abs(b - c) + ((b - c) * dir < 0 ? 0.5 : 0);
          return db - da;
        });
        for (var k = 0; k < drop.length && over > 0; k++, over--) evict(drop[k]);
      }
      order.forEach(function (y) { if (must[y] || held() < keep) load(y); });
    }

    function ready(i) {
      var c = chunkOf(i);
      if (c < 0) return true;
      return list[c].needs.every(function (x) { return state[x] === "loaded"; });
    }

    function failed(i) {
      var c = chunkOf(i);
      return c >= 0 && list[c].needs.some(function (x) { return state[x] === "failed"; });
    }

    function stats() {
      var ms = st.ms.slice().sort(function (a, b) { return a - b; });
      var loaded = 0, bytes = 0;
      for (var c = 0; c < C; c++) if (state[c] === "loaded") { loaded++; bytes += list[c].bytes || 0; }
      return {
        chunks: C, loaded: loaded, heldBytes: bytes, maxHeld: st.maxHeld, keep: keep, fetches: st.fetches,
        fetchedBytes: st.bytes, failed: st.failed, evicted: st.evicted, current: cur,
        fetchMsP50: ms.length ? ms[Math.floor(ms.length / 2)] : null,
        fetchMsMax: ms.length ? ms[ms.length - 1] : null,
      };
    }

    function destroy() {
      destroyed = true;
      for (var c = 0; c < C; c++) if (ctrls[c]) ctrls[c].abort();
    }

    return { want: want, ready: ready, failed: failed, chunkOf: chunkOf, stats: stats, destroy: destroy };
  }

  root.TerritoryChunks = { create: create };
})(typeof window !== "undefined" ? window : this);
