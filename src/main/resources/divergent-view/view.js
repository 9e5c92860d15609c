// Divergent's live view and replay report. Live: polls the JSON API. Report: reads the data
// embedded as window.DIVERGENT_DATA = {monitors: <as /api/monitors>, series: {id: <as /api/series>}}.
(function () {
  "use strict";
  const EMBEDDED = window.DIVERGENT_DATA || null;
  const POLL_MS = 2000;
  const state = { rows: [], sortKey: "js_distance", asc: false, selected: null, clicked: false, charts: {}, error: null };

  const num = (v) => (typeof v === "number" ? v : v === "Infinity" ? Infinity : null);
  const fmt = (v, d) => (v === null || v === undefined ? "–" : v === Infinity ? "∞" : Number(v).toFixed(d));
  const time = (ms) => new Date(ms).toISOString().replace("T", " ").replace(".000Z", "Z");

  async function getJson(path) {
    if (EMBEDDED) {
      if (path === "monitors") return EMBEDDED.monitors;
      return EMBEDDED.series[path.substring("series:".length)];
    }
    const url = path === "monitors" ? "api/monitors"
      : path.startsWith("open:") ? "api/series/open?series=" + encodeURIComponent(path.substring(5))
      : "api/series?series=" + encodeURIComponent(path.substring(7));
    const response = await fetch(url);
    if (!response.ok) throw new Error((await response.json()).error || response.statusText);
    return response.json();
  }

  function rowsOf(monitors) {
    const rows = [];
    for (const m of monitors.monitors) {
      for (const s of m.series) {
        const e = s.latest;
        const nd = e.no_drift && e.no_drift.js_distance;
        rows.push({
          series_id: s.series_id, state: s.state, monitor: m.monitor,
          js_distance: num(e.js_distance), expected: nd ? nd.expected : null, p_value: nd ? nd.p_value : null,
          observed_total: e.observed_total, window_start: e.window_start,
        });
      }
    }
    return rows;
  }

  function renderTable() {
    const key = state.sortKey;
    const sign = state.asc ? 1 : -1;
    const rows = state.rows.slice().sort((a, b) => {
      const x = a[key], y = b[key];
      if (x === y) return a.series_id < b.series_id ? -1 : 1;
      if (x === null) return 1;
      if (y === null) return -1;
      return (x < y ? -1 : 1) * sign;
    });
    const body = document.querySelector("#series-table tbody");
    body.innerHTML = "";
    for (const r of rows) {
      const tr = document.createElement("tr");
      tr.dataset.series = r.series_id;
      tr.dataset.state = r.state;
      if (r.series_id === state.selected) tr.classList.add("selected");
      tr.innerHTML = "<td></td><td><span class='state state-" + r.state + "'>" + r.state + "</span></td>"
        + "<td class='num'>" + fmt(r.js_distance, 4) + "</td><td class='num'>" + fmt(r.expected, 4) + "</td>"
        + "<td class='num'>" + fmt(r.p_value, 4) + "</td><td class='num'>" + r.observed_total + "</td>"
        + "<td>" + time(r.window_start) + "</td>";
      tr.firstChild.textContent = r.series_id;
      tr.addEventListener("click", () => { state.selected = r.series_id; state.clicked = true; renderTable(); refreshDetail(); });
      body.appendChild(tr);
    }
    document.querySelectorAll("#series-table th[data-sort]").forEach((th) => {
      th.classList.toggle("sorted", th.dataset.sort === key);
      th.classList.toggle("asc", th.dataset.sort === key && state.asc);
    });
  }

  function chart(id, opts, data) {
    const el = document.getElementById(id);
    if (state.charts[id]) state.charts[id].destroy();
    el.innerHTML = "";
    state.charts[id] = new uPlot(opts, data, el);
    el.dataset.points = String(data[0].length);
  }

  function renderSeries(s) {
    document.getElementById("detail").hidden = false;
    document.getElementById("detail-title").textContent = s.series_id + " — " + s.state;
    const events = s.events;
    const xs = events.map((e) => e.window_start / 1000);
    const js = events.map((e) => num(e.js_distance));
    const expected = events.map((e) => (e.no_drift ? e.no_drift.js_distance.expected : null));
    const thresholds = s.thresholds.filter((t) => t.measure === "js_distance");
    const data = [xs, expected, js];
    const series = [{},
      { label: "no-drift level", stroke: "#9aa5b1", dash: [4, 4], fill: "rgba(154,165,177,0.25)", points: { show: false } },
      { label: "JS distance", stroke: "#1a73e8", width: 2,
        points: { show: true, size: 6, fill: "#1a73e8" } }];
    for (const t of thresholds) {
      data.push(xs.map(() => t.value));
      series.push({ label: t.severity.toLowerCase() + " ≥ " + t.value, stroke: t.severity === "CRITICAL" ? "#b3261e" : "#e37400",
        dash: [8, 4], points: { show: false } });
    }
    // Alert episodes, drawn as red points: from the alert events (the live API's latest ones, the
    // report's all), else the windows at or above a threshold.
    const lowest = thresholds.length ? Math.min(...thresholds.map((t) => t.value)) : Infinity;
    const alerting = s.alert_events ? inEpisode(s.alert_events) : (e, v) => v !== null && v >= lowest;
    const marked = events.map((e, i) => (js[i] !== null && alerting(e, js[i]) ? js[i] : null));
    data.push(marked);
    series.push({ label: "in alert", stroke: "transparent", points: { show: true, size: 10, fill: "#b3261e", stroke: "#b3261e" } });
    chart("js-chart", { width: 640, height: 280, series, scales: { y: { range: (u, min, max) => [0, Math.max(max || 0, lowest === Infinity ? 0 : lowest) * 1.15 || 1] } } }, data);
    document.getElementById("js-chart").dataset.alertWindows = String(marked.filter((v) => v !== null).length);

    const latest = events[events.length - 1];
    const contributors = (latest.top_contributors || []).slice().sort((a, b) => (a.category < b.category ? -1 : 1));
    const labels = contributors.map((c) => c.category + (c.direction === "NEW" ? " +" : c.direction === "VANISHED" ? " −" : ""));
    barsChart("bars-chart", labels, contributors.map((c) => c.p), contributors.map((c) => c.q));

    const body = document.querySelector("#contributors tbody");
    body.innerHTML = "";
    for (const c of latest.top_contributors || []) {
      const tr = document.createElement("tr");
      tr.innerHTML = "<td></td><td class='num'>" + fmt(c.p, 3) + "</td><td class='num'>" + fmt(c.q, 3) + "</td><td class='num'>"
        + fmt(num(c.js_term), 4) + "</td><td class='dir-" + c.direction + "'>" + c.direction.toLowerCase() + "</td>";
      tr.firstChild.textContent = c.category;
      body.appendChild(tr);
    }
  }

  // An alert episode of a rule (kind and measure) runs from its FIRING (started_at) until its
  // RESOLVED event's window, or on if it has not resolved; a window in any episode is in alert.
  function inEpisode(alertEvents) {
    const episodes = [];
    const open = {};
    for (const a of alertEvents) {
      const rule = a.kind + "/" + a.measure;
      if (a.state === "RESOLVED") {
        episodes.push([rule in open ? open[rule] : (a.started_at || a.window_start), a.window_start]);
        delete open[rule];
      } else if (!(rule in open)) {
        open[rule] = a.started_at || a.window_start;
      }
    }
    for (const rule in open) episodes.push([open[rule], Infinity]);
    return (e) => episodes.some(([from, to]) => e.window_start >= from && e.window_start < to);
  }

  // Window p against reference q per category, as side-by-side bars.
  function barsChart(id, labels, p, q) {
    const bars = uPlot.paths.bars({ size: [0.35, 60] });
    const barsLeft = uPlot.paths.bars({ size: [0.35, 60], align: -1 });
    const barsRight = uPlot.paths.bars({ size: [0.35, 60], align: 1 });
    chart(id, {
      width: 560, height: 280,
      scales: { x: { time: false, range: (u) => [-0.6, Math.max(0, labels.length - 1) + 0.6] } },
      axes: [{ values: (u, splits) => splits.map((i) => (Number.isInteger(i) && labels[i] !== undefined ? labels[i] : "")), splits: () => labels.map((_, i) => i) }, {}],
      series: [{}, { label: "window p", fill: "rgba(26,115,232,0.7)", stroke: "#1a73e8", paths: barsLeft || bars, points: { show: false } },
        { label: "reference q", fill: "rgba(154,165,177,0.7)", stroke: "#667", paths: barsRight || bars, points: { show: false } }],
    }, [labels.map((_, i) => i), p, q]);
  }

  // The window the series is counting now (live only: a report has no open window).
  async function refreshOpen() {
    const figure = document.getElementById("open-figure");
    if (EMBEDDED) return;
    try {
      const w = await getJson("open:" + state.selected);
      const labels = w.categories.map((c) => c.category + (c.direction === "NEW" ? " +" : c.direction === "VANISHED" ? " −" : ""));
      figure.hidden = false;
      document.getElementById("open-caption").textContent = "Open window " + time(w.window_start) + " – " + time(w.window_end)
        + " (" + w.observed_total + " events so far) against its reference" + (w.has_reference ? "" : " (none from the reference topic)");
      barsChart("open-chart", labels, w.categories.map((c) => c.p), w.categories.map((c) => (c.q === null ? 0 : c.q)));
    } catch (e) {
      figure.hidden = true;   // nothing counted in the open window yet
    }
  }

  async function refreshDetail() {
    if (!state.selected) return;
    try {
      renderSeries(await getJson("series:" + state.selected));
      await refreshOpen();
      state.error = null;
    } catch (e) {
      state.error = e.message;
    }
  }

  async function refresh() {
    try {
      state.rows = rowsOf(await getJson("monitors"));
      // Until a row is clicked, the detail follows the series drifting most now.
      if (!state.clicked && state.rows.length) {
        state.selected = state.rows.slice().sort((a, b) => (b.js_distance || 0) - (a.js_distance || 0))[0].series_id;
      }
      renderTable();
      await refreshDetail();
      document.getElementById("status").textContent = (EMBEDDED ? "report" : "updated ") + (EMBEDDED ? "" : new Date().toLocaleTimeString())
        + " · " + state.rows.length + " series, " + state.rows.filter((r) => r.state === "ALERT").length + " in alert"
        + (state.error ? " · error: " + state.error : "");
    } catch (e) {
      document.getElementById("status").textContent = "waiting: " + e.message;
    }
    if (!EMBEDDED) setTimeout(refresh, POLL_MS);
  }

  document.querySelectorAll("#series-table th[data-sort]").forEach((th) => th.addEventListener("click", () => {
    state.asc = state.sortKey === th.dataset.sort ? !state.asc : th.dataset.sort === "series_id";
    state.sortKey = th.dataset.sort;
    renderTable();
  }));
  refresh();
})();
