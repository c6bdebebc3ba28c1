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
 * args: payload (territory.player.build_payload), payload_id, index, playing,
 * fps, height, controls, view_key (the map view kept in sessionStorage),
 * actors / statuses (what to show: changing them re-filters, never rebuilds),
 * tiles, url_param (the page's query parameter that holds the date), chunk_base (the
 * URL of a split payload's chunk files, relative to this frame: chunks.js fetches them).
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
  var DEBOUNCE_MS = 300;
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

  function onRender(args, theme) {
    var height = Number(args.height) || 560;
    root.style.height = height + "px";
    applyTheme(theme);
    send("streamlit:setFrameHeight", { height: height });
    urlParam = args.url_param || null;
    var id = (args.payload_id || (args.payload && args.payload.id) || "") + (args.tiles ? "+tiles" : "");
    if (!ctl || id !== currentId) {
      // A rebuild in place (another focus actor or denominator, tiles on/off) keeps the date on screen:
      // the server's index may predate the user's last steps.
      var index = args.index || 0, dates = (args.payload && args.payload.dates) || [];
      if (ctl) {
        var kept = dates.indexOf(ctl.getDate());
        if (kept >= 0) index = kept;
        ctl.destroy();
      }
      ctl = window.TerritoryPlayer.mount(root, args.payload, {
        index: index, playing: !!args.playing, fps: args.fps || 4,
        controls: args.controls || "full", viewKey: args.view_key || null,
        actors: args.actors || null, statuses: args.statuses || null, tiles: args.tiles || null,
        note: args.note || null,
        chunkBase: args.chunk_base || "",  // where a split payload's chunk files are (player_component.CHUNK_BASE)
        onStop: function (value) { report(value); },
      });
      window.__territoryPlayer = ctl;
      window.map = ctl.map;  // as inside a folium frame: the Leaflet map (tests, bench)
      window.__territoryPayload = args.payload;  // bench/bench_scrub.py measures what the browser holds
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
    try {
      onRender(d.args, d.theme);
    } catch (err) {
      root.textContent = "Player error: " + (err && err.message ? err.message : String(err));
      throw err;
    }
  });

  send("streamlit:componentReady", { apiVersion: 1 });
})();
