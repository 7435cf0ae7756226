// The lrtsim dashboard: plain ES module, no dependencies, talks only to this server's API.

const SVG_NS = "http://www.w3.org/2000/svg";
const TOKEN_KEY = "lrtsim-token";
const POLL_MS = 1000;
const LOAD_BANDS = [
  { upTo: 0.3, colour: "#2c7bb6", label: "under 30 %" },
  { upTo: 0.6, colour: "#8fd14f", label: "30–60 %" },
  { upTo: 0.9, colour: "#fdae61", label: "60–90 %" },
  { upTo: 1.0, colour: "#e34a33", label: "90–100 %" },
  { upTo: Infinity, colour: "#7a0177", label: "over capacity" },
];
const KPI_LABELS = {
  punctuality_pct: ["Punctuality", "%"],
  mean_wait_s: ["Mean wait", "s"],
  p95_wait_s: ["95th percentile wait", "s"],
  scheduled_wait_s: ["Scheduled wait", "s"],
  excess_wait_s: ["Excess wait", "s"],
  headway_cv: ["Headway CV", ""],
  denied_boarding_pct: ["Denied boardings", "%"],
  mean_journey_s: ["Mean journey", "s"],
  peak_load_factor: ["Peak load factor", ""],
  energy_kwh: ["Energy", "kWh"],
  train_km: ["Train-km", "km"],
  trains_used: ["Trains used", ""],
};

const $ = (id) => document.getElementById(id);
const state = { runId: null, line: null, timer: null, polls: new Map(), busy: false };

// ---- messages -------------------------------------------------------------------------------

function showMessage(text, kind = "error") {
  const box = document.createElement("div");
  box.className = `msg ${kind}`;
  const span = document.createElement("span");
  span.textContent = text;
  const close = document.createElement("button");
  close.type = "button";
  close.textContent = "Dismiss";
  close.addEventListener("click", () => box.remove());
  box.append(span, close);
  $("messages").append(box);
  if (kind === "info") setTimeout(() => box.remove(), 6000);
}

function reportError(error) {
  showMessage(error instanceof Error ? error.message : String(error));
}

window.addEventListener("error", (event) => showMessage(`Dashboard error: ${event.message}`));
window.addEventListener("unhandledrejection", (event) => reportError(event.reason));

// ---- API ------------------------------------------------------------------------------------

async function api(path, { method = "GET", body } = {}) {
  const headers = { Accept: "application/json" };
  const token = sessionStorage.getItem(TOKEN_KEY);
  if (method !== "GET" && token) headers.Authorization = `Bearer ${token}`;
  if (body !== undefined) headers["Content-Type"] = "application/json";
  let response;
  try {
    response = await fetch(path, {
      method, headers, body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch (error) {
    throw new Error(`${method} ${path}: the server cannot be reached (${error.message})`);
  }
  const text = await response.text();
  let data = null;
  try { data = text ? JSON.parse(text) : null; } catch { data = null; }
  if (!response.ok) {
    let why = `${response.status} ${response.statusText}`;
    if (data && typeof data === "object") {
      why = `${response.status}: ${data.detail ?? data.title ?? why}`;
      if (Array.isArray(data.problems) && data.problems.length) {
        why += "\n" + data.problems.map((p) => `• ${p}`).join("\n");
      }
    }
    throw new Error(`${method} ${path} failed, ${why}`);
  }
  return data;
}

// ---- helpers --------------------------------------------------------------------------------

function svg(name, attrs = {}, parent = null) {
  const el = document.createElementNS(SVG_NS, name);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, String(v));
  if (parent) parent.append(el);
  return el;
}

function titled(el, text) {
  svg("title", {}, el).textContent = text;
  return el;
}

function loadColour(load, capacity) {
  const share = capacity > 0 ? load / capacity : 0;
  return LOAD_BANDS.find((band) => share <= band.upTo).colour;
}

function trainLabel(t) {
  const pct = t.capacity_pax > 0 ? Math.round((100 * t.load_pax) / t.capacity_pax) : 0;
  const verb = t.status === "STOPPED_AT" ? "at" : "to";
  return `${t.label} (${t.vehicle_id}), ${t.load_pax} of ${Math.round(t.capacity_pax)} pax ` +
    `(${pct} %), ${(t.speed_mps * 3.6).toFixed(0)} km/h, ${verb} ${t.next_stop_name}`;
}

function hms(text) {
  const m = /^(\d{1,2}):(\d{2})(?::(\d{2}))?$/.exec(text.trim());
  if (!m) return null;
  return `${m[1].padStart(2, "0")}:${m[2]}:${m[3] ?? "00"}`;
}

function formatKpi(value) {
  if (value === null || value === undefined) return "—";
  if (Number.isInteger(value)) return value.toLocaleString("en");
  return value.toLocaleString("en", { maximumFractionDigits: Math.abs(value) < 10 ? 2 : 1 });
}

// ---- scenarios and the run form -------------------------------------------------------------

async function loadScenarios() {
  const scenarios = await api("/api/scenarios");
  const select = $("scenario");
  select.replaceChildren();
  for (const s of scenarios) {
    const option = document.createElement("option");
    option.value = s.name;
    option.textContent = `${s.name}: ${s.title} (${s.stations.length} stations, ` +
      `${(s.length_m / 1000).toFixed(1)} km)`;
    option.dataset.title = s.title;
    select.append(option);
  }
  const preferred = scenarios.find((s) => s.name === "astana") ?? scenarios[0];
  if (preferred) {
    select.value = preferred.name;
    if (!state.line) $("line-name").textContent = preferred.title;
  }
}

async function submitRun(event) {
  event.preventDefault();
  const token = $("token").value.trim();
  if (token) sessionStorage.setItem(TOKEN_KEY, token); else sessionStorage.removeItem(TOKEN_KEY);
  const body = { scenario: $("scenario").value };
  const seed = $("seed").value.trim();
  if (seed !== "") {
    if (!/^\d+$/.test(seed)) { showMessage("Seed: a whole number of 0 or more"); return; }
    body.seed = Number(seed);
  }
  const incidents = $("incidents").value.split("\n").map((s) => s.trim()).filter(Boolean);
  if (incidents.length) body.incidents = incidents;
  if ($("control").value) body.control = $("control").value;
  $("run-submit").disabled = true;
  try {
    const run = await api("/api/runs", { method: "POST", body });
    showMessage(`Run ${run.id.slice(0, 8)} accepted (${run.status})`, "info");
    await loadRuns();
    followRun(run.id);
  } catch (error) {
    reportError(error);
  } finally {
    $("run-submit").disabled = false;
  }
}

function showProgress(run) {
  $("run-progress").hidden = false;
  const p = run.progress;
  const bar = $("progress-bar");
  if (p && p.total > 0) {
    bar.max = p.total;
    bar.value = p.done;
  } else if (run.status === "complete") {
    bar.max = 1; bar.value = 1;
  }
  const step = p && p.step ? `, ${p.step}` : "";
  const count = p ? ` ${p.done}/${p.total}` : "";
  $("progress-label").textContent = `Run ${run.id.slice(0, 8)}: ${run.status}${count}${step}`;
}

function followRun(id) {
  if (state.polls.has(id)) return;
  const poll = async () => {
    try {
      const run = await api(`/api/runs/${id}`);
      showProgress(run);
      if (run.status === "complete" || run.status === "failed") {
        state.polls.delete(id);
        if (run.status === "failed") showMessage(`Run ${id.slice(0, 8)} failed: ${run.error}`);
        await loadRuns();
        return;
      }
    } catch (error) {
      reportError(error);
    }
    state.polls.set(id, setTimeout(poll, POLL_MS));
  };
  state.polls.set(id, setTimeout(poll, 0));
}

// ---- the list of runs -----------------------------------------------------------------------

function link(href, text) {
  const a = document.createElement("a");
  a.href = href;
  a.textContent = text;
  return a;
}

async function loadRuns() {
  const runs = await api("/api/runs");
  const body = $("runs-body");
  body.replaceChildren();
  for (const run of runs) {
    const row = document.createElement("tr");
    row.dataset.runId = run.id;
    row.dataset.status = run.status;
    if (run.id === state.runId) row.classList.add("selected");
    const cells = [run.id.slice(0, 8), run.scenario, String(run.seed), run.status,
      run.started_at ? new Date(run.started_at).toLocaleString("en-GB") : "—"];
    cells.forEach((text, i) => {
      const td = document.createElement("td");
      td.textContent = text;
      if (i === 0) td.title = run.id;
      if (i === 3) {
        td.className = `status-${run.status}`;
        if (run.error) td.title = run.error;
      }
      row.append(td);
    });
    const files = document.createElement("td");
    const choose = document.createElement("td");
    if (run.status === "complete") {
      files.append(link(run.report_url, "report"), " · ", link(run.gtfs_url, "gtfs.zip"));
      const button = document.createElement("button");
      button.type = "button";
      button.className = "select-run";
      button.textContent = run.id === state.runId ? "Shown" : "Show";
      button.setAttribute("aria-label", `Show run ${run.id.slice(0, 8)}`);
      button.addEventListener("click", () => selectRun(run.id).catch(reportError));
      choose.append(button);
    } else {
      files.textContent = "—";
      if (run.status === "queued" || run.status === "running") followRun(run.id);
    }
    row.append(files, choose);
    body.append(row);
  }
}

// ---- a selected run -------------------------------------------------------------------------

async function selectRun(id) {
  stopTimer();
  const [run, line, replay] = await Promise.all([
    api(`/api/runs/${id}`), api(`/api/runs/${id}/line`), api(`/api/runs/${id}/replay`),
  ]);
  state.runId = id;
  state.line = line;
  $("line-name").textContent = line.name;
  $("replay-run").textContent = id.slice(0, 8);
  $("replay").hidden = false;
  drawKpis(run.kpis);
  drawSchematicBase(line);
  drawMapBase(line);
  drawLegend();
  await loadRuns();
  await refresh(replay);
}

function drawKpis(kpis) {
  const dl = $("kpis");
  dl.replaceChildren();
  for (const [key, value] of Object.entries(kpis ?? {})) {
    const [label, unit] = KPI_LABELS[key] ?? [key, ""];
    const dt = document.createElement("dt");
    dt.textContent = unit ? `${label} (${unit})` : label;
    const dd = document.createElement("dd");
    dd.dataset.kpi = key;
    dd.textContent = formatKpi(value);
    dl.append(dt, dd);
  }
}

function drawLegend() {
  const ul = $("legend");
  ul.replaceChildren();
  const head = document.createElement("li");
  head.textContent = "Load of capacity:";
  ul.append(head);
  for (const band of LOAD_BANDS) {
    const li = document.createElement("li");
    const swatch = document.createElement("span");
    swatch.className = "swatch";
    swatch.style.background = band.colour;
    li.append(swatch, band.label);
    ul.append(li);
  }
}

const SCHEMATIC = { width: 1200, height: 290, pad: 70, y: 110, offset: 36, labelY: 170 };

function schematicX(km, line) {
  const span = line.length_km || 1;
  return SCHEMATIC.pad + ((km - line.stations[0].km) / span) * (SCHEMATIC.width - 2 * SCHEMATIC.pad);
}

function drawSchematicBase(line) {
  const root = $("schematic");
  root.replaceChildren();
  const first = schematicX(line.stations[0].km, line);
  const last = schematicX(line.stations[line.stations.length - 1].km, line);
  svg("line", { class: "track", x1: first, y1: SCHEMATIC.y, x2: last, y2: SCHEMATIC.y }, root);
  svg("text", { class: "dir-label", x: first, y: 40 }, root).textContent = "up (direction 0) →";
  svg("text", { class: "dir-label", x: last, y: 40, "text-anchor": "end" }, root)
    .textContent = "← down (direction 1): below the line";
  for (const s of line.stations) {
    const x = schematicX(s.km, line);
    titled(svg("circle", { class: "station", cx: x, cy: SCHEMATIC.y, r: 6 }, root),
      `${s.name}, km ${s.km.toFixed(2)}`);
    svg("line", { class: "tick", x1: x, y1: SCHEMATIC.y + 8, x2: x, y2: SCHEMATIC.labelY - 4 }, root);
    // Names hang down-left at 40°, so that close stations do not overwrite each other.
    const label = svg("text", {
      class: "station-label", x, y: SCHEMATIC.labelY, "text-anchor": "end",
      transform: `rotate(-40 ${x} ${SCHEMATIC.labelY})`,
    }, root);
    label.textContent = s.name;
  }
  svg("g", { id: "schematic-trains" }, root);
}

function mapProjection(line) {
  const points = line.track.length ? line.track : line.stations.map((s) => [s.lat, s.lon]);
  const lats = points.map((p) => p[0]);
  const lons = points.map((p) => p[1]);
  const midLat = (Math.min(...lats) + Math.max(...lats)) / 2;
  const k = Math.cos((midLat * Math.PI) / 180);
  const xs = lons.map((lon) => lon * k);
  const minX = Math.min(...xs), maxX = Math.max(...xs);
  const minY = Math.min(...lats), maxY = Math.max(...lats);
  const width = 500, height = 400, pad = 24;
  const scale = Math.min((width - 2 * pad) / (maxX - minX || 1e-6),
    (height - 2 * pad) / (maxY - minY || 1e-6));
  const offX = (width - (maxX - minX) * scale) / 2;
  const offY = (height - (maxY - minY) * scale) / 2;
  return (lat, lon) => [offX + (lon * k - minX) * scale, height - offY - (lat - minY) * scale];
}

function drawMapBase(line) {
  const root = $("map");
  root.replaceChildren();
  state.project = mapProjection(line);
  const points = line.track.map(([lat, lon]) => state.project(lat, lon).map((v) => v.toFixed(1)));
  svg("polyline", { class: "track", points: points.map((p) => p.join(",")).join(" ") }, root);
  for (const s of line.stations) {
    const [x, y] = state.project(s.lat, s.lon);
    titled(svg("circle", { class: "station", cx: x, cy: y, r: 4 }, root), s.name);
  }
  const ends = [line.stations[0], line.stations[line.stations.length - 1]];
  for (const s of ends) {
    const [x, y] = state.project(s.lat, s.lon);
    const text = svg("text", { class: "station-label", x: x + 9, y: y + 16 }, root);
    text.textContent = s.name;
    if (x > 350) { text.setAttribute("y", y - 10); text.setAttribute("text-anchor", "end"); }
  }
  svg("g", { id: "map-trains" }, root);
}

function drawTrains(positions) {
  const line = state.line;
  const schematic = $("schematic-trains");
  const map = $("map-trains");
  schematic.replaceChildren();
  map.replaceChildren();
  for (const t of positions.trains) {
    const colour = loadColour(t.load_pax, t.capacity_pax);
    const label = trainLabel(t);
    const up = t.direction_id === 0;
    const x = schematicX(t.km, line);
    const y = SCHEMATIC.y + (up ? -SCHEMATIC.offset : SCHEMATIC.offset);
    const marker = svg("g", {
      class: "train-marker", "data-vehicle-id": t.vehicle_id, "data-x": x.toFixed(2),
      "data-y": y.toFixed(2), transform: `translate(${x.toFixed(2)},${y.toFixed(2)})`,
    }, schematic);
    // A triangle pointing the way the train runs.
    const d = up ? "M -11 -8 L 11 0 L -11 8 Z" : "M 11 -8 L -11 0 L 11 8 Z";
    svg("path", { class: "train", d, fill: colour }, marker);
    titled(marker, label);
    const [mx, my] = state.project(t.lat, t.lon);
    titled(svg("circle", {
      class: "train map-train", "data-vehicle-id": t.vehicle_id, cx: mx.toFixed(2),
      cy: my.toFixed(2), r: 5, fill: colour,
    }, map), label);
  }
}

function drawQueues(stations) {
  const body = $("queues");
  body.replaceChildren();
  const most = Math.max(1, ...stations.stations.map((s) => s.waiting_pax));
  for (const s of stations.stations) {
    const row = document.createElement("tr");
    const th = document.createElement("th");
    th.scope = "row";
    th.textContent = s.name;
    const bar = document.createElement("td");
    bar.className = "bar";
    const fill = document.createElement("div");
    fill.style.width = `${(100 * s.waiting_pax) / most}%`;
    fill.setAttribute("aria-hidden", "true");
    bar.append(fill);
    const num = document.createElement("td");
    num.className = "num";
    num.textContent = String(s.waiting_pax);
    row.append(th, bar, num);
    body.append(row);
  }
}

function showClock(replay) {
  $("clock").textContent = replay.now;
  $("clock").dataset.nowS = String(replay.now_s);
  const date = replay.service_date;
  const day = `${date.slice(0, 4)}-${date.slice(4, 6)}-${date.slice(6, 8)}`;
  $("clock-state").textContent =
    `${replay.running ? "running" : "paused"} at ${replay.speed}×, GTFS-RT on ${day}`;
  const speed = $("speed");
  if ([...speed.options].some((o) => Number(o.value) === replay.speed)) {
    speed.value = String(replay.speed);
  }
  if (document.activeElement !== $("seek-at")) $("seek-at").value = replay.now;
}

async function refresh(known) {
  const id = state.runId;
  if (!id || state.busy) return;
  state.busy = true;
  try {
    const replay = known ?? (await api(`/api/runs/${id}/replay`));
    const t = encodeURIComponent(replay.now);
    const [positions, stations] = await Promise.all([
      api(`/api/runs/${id}/positions?t=${t}`), api(`/api/runs/${id}/stations?t=${t}`),
    ]);
    if (id !== state.runId) return;
    showClock(replay);
    drawTrains(positions);
    drawQueues(stations);
    if (replay.running) startTimer(); else stopTimer();
  } catch (error) {
    stopTimer();
    reportError(error);
  } finally {
    state.busy = false;
  }
}

function startTimer() {
  if (!state.timer) state.timer = setInterval(() => refresh(), POLL_MS);
}

function stopTimer() {
  clearInterval(state.timer);
  state.timer = null;
}

async function replay(body) {
  if (!state.runId) return;
  try {
    const now = await api(`/api/runs/${state.runId}/replay`, { method: "POST", body });
    await refresh(now);
  } catch (error) {
    reportError(error);
  }
}

// ---- wiring ---------------------------------------------------------------------------------

function wire() {
  $("token").value = sessionStorage.getItem(TOKEN_KEY) ?? "";
  $("run-form").addEventListener("submit", submitRun);
  $("refresh-runs").addEventListener("click", () => loadRuns().catch(reportError));
  $("replay-start").addEventListener("click",
    () => replay({ action: "start", speed: Number($("speed").value) }));
  $("replay-pause").addEventListener("click", () => replay({ action: "pause" }));
  $("replay-seek").addEventListener("click", () => {
    const at = hms($("seek-at").value);
    if (!at) { showMessage("Time: write it as HH:MM:SS (or HH:MM)"); return; }
    replay({ action: "seek", at });
  });
  $("seek-at").addEventListener("keydown", (event) => {
    if (event.key === "Enter") $("replay-seek").click();
  });
  $("speed").addEventListener("change", () => {
    if (state.timer) replay({ action: "start", speed: Number($("speed").value) });
  });
}

wire();
Promise.all([loadScenarios(), loadRuns()]).catch(reportError);
