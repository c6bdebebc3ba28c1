/*
 * Streamlit component protocol by hand (no npm build), as implemented by
 * Streamlit's ComponentInstance (componentUtils) and streamlit-component-lib:
 *
 *   iframe -> host  {isStreamlitMessage: true, type: "streamlit:componentReady", apiVersion: 1}
 *   host -> iframe  {type: "streamlit:render", args: {...}, dfs: [], disabled, theme}
 *   iframe -> host  {isStreamlitMessage: true, type: "streamlit:setFrameHeight", height}
 *   iframe -> host  {isStreamlitMessage: true, type: "streamlit:setComponentValue",
 *                    value: {...}, dataType: "json"}
 *
 * args: head (the payload's file name: our hash, territory.playerchunks.Chunked.head),
 * head_bytes, payload_id, index, playing,
 * fps, height, controls, view_key (the map view kept in sessionStorage),
 * actors / statuses (what to show: changing them re-filters, never rebuilds),
 * tiles, url_param (the page's query parameter that holds the date), chunk_base (the
 * URL of the payload's files, relative to this frame: the head, and a split payload's
 * chunk files that chunks.js fetches).
 * The payload is never in args: Streamlit re-sends args on every rerun, and the main
 * frame would parse and post it here at every stop. It is fetched once per head name
 * (static, immutable, cached by the browser), with a loading state; a failed fetch is
 * said in the frame with a Retry button (and retried by itself after a few seconds).
 * The map is built once per payload_id; later renders only apply
 * index/playing/fps/filters when they differ from the previous render's args,
 * so a rerun that repeats stale args does not yank the playhead back.
 *
 * Time lives here: the slider, arrow keys, Prev/Next and Play move the map
 * without asking the server. The server hears the date once, when the user
 * stops (slider let go, key released, Prev/Next, Pause, end of playback), after
 * a 300 ms quiet spell: ONE setComponentValue {index, date, playing: false, seq}
 * (never per frame). Just before it, the page's URL gets ?<url_param>=<date>
 * by history.replaceState, so Streamlit's own sync of the same query string
 * adds no history entry: Back does not replay the steps.
 * Once the first territory is painted, one {drawn: true, ...} value tells the
 * page it may draw what sits below the map.
 */
(function () {
  "use strict";
  var root = document.getElementById("tp-root");
  var ctl = null, currentId = null, last = null, seq = Date.now(), timer = 0, pending = null, urlParam = null;
  var DEBOUNCE_MS = 300, RETRY_MS = 4000;
  var NAME = /^[0-9a-f]{24}\.json$/;  // our hash names only (player_component.HEAD_NAME)
  // The payload fetched for head name `loaded.name`; `want` = the latest args waiting for their payload.
  var loaded = null, loading = null, want = null, retryTimer = 0, status = null;
  window.__territorySent = [];  // every value sent (tests and bench/bench_scrub.py count them)

  function send(type, data) {
    var msg = { isStreamlitMessage: true, type: type };
    for (var k in data) if (Object.prototype.hasOwnProperty.call(data, k)) msg[k] = data[k];
    window.parent.postMessage(msg, "*");
  }

  function sendValue(v) {
    seq += 1;
    v.seq = seq;
    window.__territoryLastValue = v;
    window.__territorySent.push(v);
    send("streamlit:setComponentValue", { value: v, dataType: "json" });
  }

  /* Put the date in the page's URL in place (no new history entry); same origin, else a no-op. */
  function replaceUrlDate(date) {
    if (!urlParam || !date) return;
    try {
      var loc = window.parent.location, q = new URLSearchParams(loc.search);
      if (q.get(urlParam) === date) return;
      q.set(urlParam, date);
      window.parent.history.replaceState(window.parent.history.state, "",
                                         loc.pathname + "?" + q.toString().replace(/%20/g, "+") + loc.hash);
    } catch (e) { /* another origin: Streamlit's own sync sets the URL */ }
  }

  function report(value) {
    // trailing debounce: a drag, a held arrow key or rapid Prev/Next clicks cause one rerun, not one per date
    pending = value;
    if (timer) clearTimeout(timer);
    timer = setTimeout(function () {
      timer = 0;
      replaceUrlDate(pending.date);
      sendValue({ index: pending.index, date: pending.date, playing: false });
    }, DEBOUNCE_MS);
  }

  function reportDrawn() {
    var tries = 0;
    (function check() {
      var painted = root.querySelector("path.tp-feature");
      if (painted || ++tries > 30) {  // a date with no territory: say so after ~1.5 s anyway
        if (!ctl) return;
        sendValue({ index: ctl.getIndex(), date: ctl.getDate(), playing: ctl.isPlaying(), drawn: true });
      } else setTimeout(check, 50);
    })();
  }

  function applyTheme(theme) {
    if (!theme) return;
    if (theme.textColor) root.style.setProperty("--tp-fg", theme.textColor);
    if (theme.backgroundColor) root.style.setProperty("--tp-bg", theme.backgroundColor);
    if (theme.primaryColor) root.style.setProperty("--tp-accent", theme.primaryColor);
  }

  function same(a, b) { return JSON.stringify(a || null) === JSON.stringify(b || null); }

  function guarded(fn) {
    try {
      fn();
    } catch (err) {
      root.textContent = "Player error: " + (err && err.message ? err.message : String(err));
      throw err;
    }
  }

  function showStatus(text, retry) {
    if (!status) {
      status = document.createElement("div");
      status.className = "tp-load-status";
      status.setAttribute("role", "status");
      status.style.cssText = "padding:1em;font:14px system-ui,sans-serif;color:var(--tp-fg,#333)";
    }
    status.textContent = text;
    if (retry) {
      var b = document.createElement("button");
      b.type = "button";
      b.className = "tp-load-retry";
      b.textContent = "Retry";
      b.style.marginLeft = "0.75em";
      b.addEventListener("click", function () { fetchHead(); });
      status.appendChild(b);
    }
    if (status.parentNode !== root) root.appendChild(status);
  }

  function hideStatus() { if (status && status.parentNode) status.parentNode.removeChild(status); }

  /* Fetch the payload file `want` names (once per name), then mount with the latest args. */
  function fetchHead() {
    if (!want) return;
    var name = String(want.args.head || ""), base = want.args.chunk_base || "";
    if (retryTimer) { clearTimeout(retryTimer); retryTimer = 0; }
    if (!NAME.test(name)) { showStatus("Player error: no map data was named."); return; }
    if (loading === name) return;
    loading = name;
    var mb = Number(want.args.head_bytes) > 0 ? " (" + (want.args.head_bytes / 1e6).toFixed(1) + " MB)" : "";
    if (!ctl) showStatus("Loading the map" + mb + "\u2026");
    window.__territoryHeadFetches = (window.__territoryHeadFetches || 0) + 1;
    fetch(base + name, { credentials: "same-origin" })
      .then(function (r) {
        if (!r.ok) throw new Error("HTTP " + r.status);
        return r.json();
      })
      .then(function (payload) {
        if (loading !== name) return;
        loading = null;
        if (!payload || !payload.dates) throw new Error("not a player payload");
        loaded = { name: name, payload: payload };
        if (want && String(want.args.head) === name) {
          var w = want;
          want = null;
          hideStatus();
          guarded(function () { mountOrUpdate(w.args); });
        }
      })
      .catch(function (err) {
        if (loading !== name) return;
        loading = null;
        showStatus("The map could not be loaded (" + (err && err.message ? err.message : String(err)) +
                   "); retrying\u2026", true);
        retryTimer = setTimeout(fetchHead, RETRY_MS);
      });
  }

  function onRender(args, theme) {
    var height = Number(args.height) || 560;
    root.style.height = height + "px";
    applyTheme(theme);
    send("streamlit:setFrameHeight", { height: height });
    urlParam = args.url_param || null;
    if (loaded && loaded.name === String(args.head)) {
      want = null;
      mountOrUpdate(args);
    } else {
      want = { args: args, theme: theme };  // mounted (or rebuilt) once its payload has arrived
      fetchHead();
    }
  }

  function mountOrUpdate(args) {
    var payload = loaded.payload;
    var id = (args.payload_id || payload.id || "") + (args.tiles ? "+tiles" : "");
    if (!ctl || id !== currentId) {
      // A rebuild in place (another focus actor or denominator, tiles on/off) keeps the date on screen:
      // the server's index may predate the user's last steps.
      var index = args.index || 0, dates = payload.dates || [];
      if (ctl) {
        var kept = dates.indexOf(ctl.getDate());
        if (kept >= 0) index = kept;
        ctl.destroy();
      }
      ctl = window.TerritoryPlayer.mount(root, payload, {
        index: index, playing: !!args.playing, fps: args.fps || 4,
        controls: args.controls || "full", viewKey: args.view_key || null,
        actors: args.actors || null, statuses: args.statuses || null, tiles: args.tiles || null,
        note: args.note || null,
        chunkBase: args.chunk_base || "",  // where a split payload's chunk files are (player_component.CHUNK_BASE)
        onStop: function (value) { report(value); },
      });
      window.__territoryPlayer = ctl;
      window.map = ctl.map;  // as inside a folium frame: the Leaflet map (tests, bench)
      window.__territoryPayload = payload;  // bench/bench_scrub.py measures what the browser holds
      currentId = id;
      window.__territoryMounts = (window.__territoryMounts || 0) + 1;
      if (args.report_drawn) reportDrawn();
    } else {
      var upd = {};
      if (args.fps !== last.fps) upd.fps = args.fps;
      if (args.index !== last.index) upd.index = args.index;
      if (args.playing !== last.playing) upd.playing = !!args.playing;
      if (!same(args.actors, last.actors) || !same(args.statuses, last.statuses)) {
        upd.filter = { actors: args.actors || null, statuses: args.statuses || null };
      }
      ctl.update(upd);
    }
    last = { index: args.index, playing: args.playing, fps: args.fps, actors: args.actors, statuses: args.statuses };
  }

  window.addEventListener("message", function (ev) {
    var d = ev.data;
    if (!d || d.type !== "streamlit:render" || !d.args) return;
    guarded(function () { onRender(d.args, d.theme); });
  });

  send("streamlit:componentReady", { apiVersion: 1 });
})();
