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
 * fps, height, controls ("dashboard": no speed selector, the page has one),
 * view_key (the map view shared with the page's folium map via sessionStorage). The map is built once per payload_id; later renders only
 * apply index/playing/fps when they differ from the previous render's args,
 * so a rerun that repeats stale args does not yank the playhead back.
 * The value is sent only when playback stops (pause, end, scrub, step):
 * {index, date, playing: false, seq}; never per frame.
 */
(function () {
  "use strict";
  var root = document.getElementById("tp-root");
  var ctl = null, currentId = null, last = null, seq = Date.now(), timer = 0, pending = null;

  function send(type, data) {
    var msg = { isStreamlitMessage: true, type: type };
    for (var k in data) if (Object.prototype.hasOwnProperty.call(data, k)) msg[k] = data[k];
    window.parent.postMessage(msg, "*");
  }

  function report(value) {
    // trailing debounce: rapid prev/next clicks cause one rerun, not ten
    pending = value;
    if (timer) clearTimeout(timer);
    timer = setTimeout(function () {
      timer = 0;
      seq += 1;
      var v = { index: pending.index, date: pending.date, playing: false, seq: seq };
      window.__territoryLastValue = v;
      send("streamlit:setComponentValue", { value: v, dataType: "json" });
    }, 150);
  }

  function applyTheme(theme) {
    if (!theme) return;
    if (theme.textColor) root.style.setProperty("--tp-fg", theme.textColor);
    if (theme.backgroundColor) root.style.setProperty("--tp-bg", theme.backgroundColor);
    if (theme.primaryColor) root.style.setProperty("--tp-accent", theme.primaryColor);
  }

  function onRender(args, theme) {
    var height = Number(args.height) || 560;
    root.style.height = height + "px";
    applyTheme(theme);
    send("streamlit:setFrameHeight", { height: height });
    var id = args.payload_id || (args.payload && args.payload.id) || null;
    if (!ctl || id !== currentId) {
      if (ctl) ctl.destroy();
      ctl = window.TerritoryPlayer.mount(root, args.payload, {
        index: args.index || 0, playing: !!args.playing, fps: args.fps || 4,
        controls: args.controls || "full", viewKey: args.view_key || null,
        onStop: function (value) { report(value); },
      });
      window.__territoryPlayer = ctl;
      currentId = id;
      window.__territoryMounts = (window.__territoryMounts || 0) + 1;
    } else {
      var upd = {};
      if (args.fps !== last.fps) upd.fps = args.fps;
      if (args.index !== last.index) upd.index = args.index;
      if (args.playing !== last.playing) upd.playing = !!args.playing;
      ctl.update(upd);
    }
    last = { index: args.index, playing: args.playing, fps: args.fps };
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
