// The Samsa console: polls the console's JSON (api/*) for the page on show and renders it. No framework, no build.
"use strict";

const refreshMs = Math.max(250, Number(new URLSearchParams(location.search).get("refresh")) || 1000);
const history = new Map(); // "group|topic|partition" -> recent lag readings, for the trend line
const previousCounters = new Map(); // "group|topic" -> { at, handled, retried, deadLettered }
let session = null;
let page = "overview";
let timer = null;
let listed = [];
let plan = null;

const $ = (selector) => document.querySelector(selector);

function cell(row, text, className) {
  const td = document.createElement("td");
  td.textContent = text === null || text === undefined ? "—" : String(text);
  if (className) td.className = className;
  row.appendChild(td);
  return td;
}

function fill(tableSelector, items, render) {
  const body = $(tableSelector + " tbody");
  body.replaceChildren(...items.map((item) => { const row = document.createElement("tr"); render(row, item); return row; }));
}

function seconds(value) {
  if (value === null || value === undefined) return null;
  if (value < 1) return value.toFixed(2) + " s";
  if (value < 120) return value.toFixed(1) + " s";
  return (value / 60).toFixed(1) + " min";
}

function status(text, isError) {
  const element = $("#status");
  element.textContent = text;
  element.className = isError ? "error" : "";
}

async function api(path, options) {
  const response = await fetch("api/" + path, Object.assign({ credentials: "same-origin", headers: { Accept: "application/json" } }, options));
  if (response.status === 401) { location.reload(); throw new Error("signed out"); }
  const body = response.headers.get("content-type")?.includes("json") ? await response.json() : null;
  if (!response.ok) throw new Error((body && (body.detail || body.title)) || ("HTTP " + response.status));
  return body;
}

function stateChange(path, body) {
  return api(path, {
    method: "POST",
    headers: { Accept: "application/json", "Content-Type": "application/json", [session.antiforgeryHeader]: session.antiforgeryToken },
    body: JSON.stringify(body || {}),
  });
}

// ---- Overview -------------------------------------------------------------------------------------------------
async function renderOverview() {
  const data = await api("overview");
  const cluster = $("#cluster");
  cluster.replaceChildren();
  const facts = data.cluster
    ? [["Cluster id", data.cluster.clusterId], ["Controller", data.cluster.controllerId], ["Brokers", data.cluster.brokers.length],
       ["Security protocol", data.cluster.securityProtocol], ["SASL mechanism", data.cluster.saslMechanism || "none"]]
    : [["Cluster", data.error]];
  for (const [name, value] of facts) {
    const dt = document.createElement("dt"); dt.textContent = name;
    const dd = document.createElement("dd"); dd.textContent = value === null || value === undefined ? "—" : String(value);
    cluster.append(dt, dd);
  }
  fill("#brokers", data.cluster ? data.cluster.brokers : [], (row, b) => {
    cell(row, b.id, "num"); cell(row, b.host); cell(row, b.port, "num"); cell(row, b.rack);
    cell(row, b.id === data.cluster.controllerId ? "controller" : "");
  });
  fill("#topics", data.topics, (row, t) => {
    row.dataset.topic = t.name;
    cell(row, t.name);
    cell(row, `${t.partitions ?? "?"} (${t.declaredPartitions ?? "default"})`, "num");
    cell(row, `${t.replicationFactor ?? "?"} (${t.declaredReplicationFactor})`, "num");
    cell(row, t.provisioning);
    cell(row, t.findings.length ? t.findings.join("; ") : "none");
  });
  fill("#health", data.health, (row, h) => {
    cell(row, h.name); cell(row, h.status, "status-" + h.status); cell(row, h.description);
    cell(row, h.lastSuccess); cell(row, h.lastError ? `${h.lastError} (${h.lastErrorAt ?? ""})` : null);
  });
}

// ---- Consumers ------------------------------------------------------------------------------------------------
function sparkline(values) {
  const ns = "http://www.w3.org/2000/svg";
  const svg = document.createElementNS(ns, "svg");
  svg.setAttribute("class", "spark");
  svg.setAttribute("viewBox", "0 0 120 24");
  svg.setAttribute("role", "img");
  svg.setAttribute("aria-label", "lag trend: " + values.join(", "));
  const max = Math.max(1, ...values);
  const step = values.length > 1 ? 120 / (values.length - 1) : 0;
  const line = document.createElementNS(ns, "polyline");
  line.setAttribute("points", values.map((v, i) => `${(i * step).toFixed(1)},${(23 - (v / max) * 22).toFixed(1)}`).join(" "));
  svg.appendChild(line);
  return svg;
}

function rate(key, worker, at) {
  const now = { at: Date.parse(at), handled: worker.handled, retried: worker.retried, deadLettered: worker.deadLettered };
  const before = previousCounters.get(key);
  previousCounters.set(key, now);
  if (!before || now.at <= before.at) return { handled: null, retried: null, deadLettered: null };
  const span = (now.at - before.at) / 1000;
  return {
    handled: ((now.handled - before.handled) / span).toFixed(1),
    retried: ((now.retried - before.retried) / span).toFixed(1),
    deadLettered: ((now.deadLettered - before.deadLettered) / span).toFixed(1),
  };
}

async function renderConsumers() {
  const data = await api("consumers");
  fill("#workers", data.workers, (row, w) => {
    const r = rate(w.group + "|" + w.topic, w, data.at);
    cell(row, w.group); cell(row, w.topic); cell(row, w.state); cell(row, w.assignedPartitions.join(", "));
    cell(row, w.lag, "num"); cell(row, r.handled, "num"); cell(row, r.retried, "num"); cell(row, r.deadLettered, "num");
    cell(row, w.pausedPartitions, "num"); cell(row, w.dependencyDownPartitions, "num"); cell(row, w.blockedPartitions, "num");
    cell(row, seconds(w.oldestUnhandledSeconds)); cell(row, w.error);
  });
  $("#lag-read").textContent = data.lagError
    ? "Lag not read: " + data.lagError
    : data.lagReadAt ? `Read at the brokers at ${data.lagReadAt} (every ${data.lagIntervalSeconds} s, Kafka:Monitoring:Interval).` : "No lag reading yet.";
  // What this service's own workers say about each partition they hold (the lag rows come from the brokers).
  const held = new Map();
  for (const w of data.workers) for (const p of w.partitions) held.set(`${w.group}|${p.topic}|${p.partition}`, p.state);
  const rows = data.groups.flatMap((g) => g.partitions.map((p) => ({ g, p })));
  fill("#lag", rows, (row, { g, p }) => {
    const key = `${g.group}|${p.topic}|${p.partition}`;
    const values = history.get(key) || [];
    if (values.lastAt !== data.lagReadAt) { values.push(p.lag ?? 0); values.lastAt = data.lagReadAt; }
    while (values.length > 60) values.shift();
    history.set(key, values);
    row.dataset.group = g.group; row.dataset.topic = p.topic; row.dataset.partition = p.partition;
    if (p.stuck) row.classList.add("stuck");
    const state = held.get(key) ?? "not held here";
    if (state !== "Running" && state !== "not held here") row.classList.add("attention");
    cell(row, g.group); cell(row, `${g.state} (${g.members} members)`); cell(row, p.topic); cell(row, p.partition, "num");
    cell(row, state, "partition-state");
    cell(row, p.committed, "num"); cell(row, p.end, "num"); cell(row, p.lag, "num lag"); cell(row, seconds(p.timeLagSeconds), "num");
    row.appendChild(document.createElement("td")).appendChild(sparkline(values));
    cell(row, p.stuck ? "stuck" : "", "flag");
  });
}

// ---- Producer -------------------------------------------------------------------------------------------------
let previousProducer = null;
async function renderProducer() {
  const data = await api("producer");
  const at = Date.parse(data.at);
  const sendRate = previousProducer && at > previousProducer.at ? ((data.delivered - previousProducer.delivered) / ((at - previousProducer.at) / 1000)).toFixed(1) : null;
  previousProducer = { at, delivered: data.delivered };
  const facts = data.registered
    ? [["Acknowledged", data.delivered], ["Send rate (acknowledged/s)", sendRate], ["Failed", data.failures],
       ["Failed recently", data.recentFailures], ["In flight (unacknowledged)", data.inFlight], ["Oldest unacknowledged", seconds(data.oldestUnacknowledgedSeconds)],
       ["Queued in the client", data.queued], ["Since last acknowledgement", seconds(data.sinceLastDeliverySeconds)],
       ["Last failure", data.lastFailure], ["Fatal error", data.fatalError]]
    : [["Publisher", "this service registers no publisher"]];
  const list = $("#producer-facts");
  list.replaceChildren();
  for (const [name, value] of facts) {
    const dt = document.createElement("dt"); dt.textContent = name;
    const dd = document.createElement("dd"); dd.textContent = value === null || value === undefined ? "—" : String(value);
    list.append(dt, dd);
  }
  const errors = data.failuresByCode.map((e) => ["publish", e]).concat(data.clientErrorsByCode.map((e) => ["client", e]));
  fill("#producer-errors", errors, (row, [kind, e]) => { cell(row, kind); cell(row, e.code); cell(row, e.number, "num"); cell(row, e.count, "num"); });
}

// ---- Dead letters ---------------------------------------------------------------------------------------------
function filterQuery() {
  const query = new URLSearchParams();
  for (const name of ["exceptionType", "reason", "groupId", "originalPartition", "fromOffset", "toOffset", "failedFrom", "failedTo"]) {
    const value = $("#f-" + name).value.trim();
    if (value) query.set(name, value);
  }
  return query;
}

async function loadTopics() {
  const topics = await api("dlq");
  const select = $("#dlq-topic");
  if (select.options.length === topics.length) return;
  select.replaceChildren(...topics.map((t) => { const o = document.createElement("option"); o.value = t.topic; o.textContent = `${t.deadLetterTopic} (${t.group})`; return o; }));
}

function showDetail(record) {
  const d = record.deadLetter;
  $("#dlq-detail").hidden = false;
  $("#detail-id").textContent = `${d.partition}@${d.offset}`;
  $("#detail-exception").textContent = `${d.exceptionType ?? ""}: ${d.exceptionMessage ?? ""}`;
  $("#detail-stack").textContent = d.exceptionStackTrace ?? "(none)";
  fill("#detail-headers", d.headers, (row, h) => { cell(row, h.name); cell(row, h.value); });
  $("#detail-size").textContent = d.payloadBytes < 0 ? "(null)" : `(${d.payloadBytes} bytes)`;
  $("#detail-payload").textContent = d.payloadPreview ?? "";
}

async function searchDeadLetters() {
  const topic = $("#dlq-topic").value;
  if (!topic) { $("#dlq-summary").textContent = "This service has no consumer with a dead-letter topic."; return; }
  try {
    const data = await api(`dlq/${encodeURIComponent(topic)}?${filterQuery()}`);
    listed = data.records;
    $("#dlq-summary").textContent = `${data.matched} of ${data.scanned} dead letters in ${data.deadLetterTopic} match; ${data.replayed} of them already replayed.`;
  } catch (error) {
    listed = [];
    $("#dlq-summary").textContent = error.message;
  }
  fill("#dlq", listed, (row, r) => {
    const d = r.deadLetter;
    row.dataset.partition = d.originalPartition; row.dataset.offset = d.originalOffset;
    if (r.replayed) row.classList.add("replayed");
    const box = document.createElement("input");
    box.type = "checkbox"; box.className = "select"; box.disabled = r.replayed;
    box.setAttribute("aria-label", `select dead letter ${d.partition}@${d.offset}`);
    box.addEventListener("change", updateSelection);
    row.appendChild(document.createElement("td")).appendChild(box);
    const link = document.createElement("button");
    link.type = "button"; link.className = "open"; link.textContent = `${d.partition}@${d.offset}`;
    link.addEventListener("click", () => showDetail(r));
    row.appendChild(document.createElement("td")).appendChild(link);
    cell(row, `${d.originalTopic}[${d.originalPartition}]@${d.originalOffset}`); cell(row, d.key); cell(row, d.groupId); cell(row, d.reason);
    cell(row, d.exceptionType, "exception"); cell(row, d.deadLetteredAt); cell(row, r.replayed ? "yes" : "no", "replayed");
  });
  updateSelection();
}

function selected() {
  return [...document.querySelectorAll("#dlq tbody tr")].filter((row) => row.querySelector("input.select").checked)
    .map((row) => ({ partition: Number(row.dataset.partition), offset: Number(row.dataset.offset) }));
}

function updateSelection() {
  $("#dryrun-selected").disabled = !session?.canReplay || selected().length === 0;
  $("#dryrun-filtered").disabled = !session?.canReplay;
}

async function dryRun(records) {
  const topic = $("#dlq-topic").value;
  const query = filterQuery();
  $("#replay-outcome").textContent = "";
  try {
    const result = await stateChange(`dlq/${encodeURIComponent(topic)}/replay?dryRun=true&${query}`, records ? { records } : null);
    plan = { topic, query, records };
    $("#replay-plan-text").textContent = `Dry run: ${result.replayed} dead letter(s) would be written back to their topic; ${result.alreadyReplayed} already replayed, ${result.unreplayable} cannot be. Nothing was written yet.`;
    $("#replay-plan").hidden = false;
    $("#replay-confirm").disabled = result.replayed === 0;
    $("#replay-confirm").textContent = `Confirm replay of ${result.replayed}`;
  } catch (error) {
    $("#replay-outcome").textContent = "Dry run failed: " + error.message;
  }
}

async function confirmReplay() {
  if (!plan) return;
  const { topic, query, records } = plan;
  plan = null;
  $("#replay-plan").hidden = true;
  try {
    const result = await stateChange(`dlq/${encodeURIComponent(topic)}/replay?dryRun=false&${query}`, records ? { records } : null);
    $("#replay-outcome").textContent = `Replayed ${result.replayed}; ${result.alreadyReplayed} had been replayed already.`;
  } catch (error) {
    $("#replay-outcome").textContent = "Replay failed: " + error.message;
  }
  await searchDeadLetters();
}

// ---- Paging and polling ---------------------------------------------------------------------------------------
const renderers = { overview: renderOverview, consumers: renderConsumers, producer: renderProducer, deadletters: null };

async function tick() {
  const render = renderers[page];
  if (render) {
    try {
      await render();
      status("Updated " + new Date().toLocaleTimeString());
    } catch (error) {
      if (error.message !== "signed out") status("Could not update: " + error.message, true);
    }
  }
  timer = setTimeout(tick, refreshMs);
}

async function show(name) {
  page = name;
  for (const button of document.querySelectorAll("nav button")) {
    if (button.dataset.page === name) button.setAttribute("aria-current", "page"); else button.removeAttribute("aria-current");
  }
  for (const section of document.querySelectorAll("main > section")) section.hidden = section.id !== name;
  window.history.replaceState(null, "", "#" + name);
  clearTimeout(timer);
  if (name === "deadletters") {
    await loadTopics();
    await searchDeadLetters();
  }
  tick();
}

async function start() {
  session = await api("session");
  $("#user").textContent = session.open ? "Open (Development, no API key configured)" : `Signed in as ${session.user}${session.canReplay ? " (read, replay)" : " (read only)"}`;
  $("#logout").hidden = session.open || !session.user;
  $("#logout").addEventListener("submit", async (event) => {
    event.preventDefault();
    await fetch("logout", { method: "POST", credentials: "same-origin", headers: { [session.antiforgeryHeader]: session.antiforgeryToken } });
    location.reload();
  });
  for (const button of document.querySelectorAll("nav button")) button.addEventListener("click", () => show(button.dataset.page));
  $("#dlq-filter").addEventListener("submit", (event) => { event.preventDefault(); searchDeadLetters(); });
  $("#dlq-topic").addEventListener("change", searchDeadLetters);
  $("#dryrun-selected").addEventListener("click", () => dryRun(selected()));
  $("#dryrun-filtered").addEventListener("click", () => dryRun(null));
  $("#replay-confirm").addEventListener("click", confirmReplay);
  $("#replay-cancel").addEventListener("click", () => { plan = null; $("#replay-plan").hidden = true; });
  updateSelection();
  const initial = location.hash.slice(1);
  await show(renderers.hasOwnProperty(initial) ? initial : "overview");
}

start().catch((error) => status("The console could not start: " + error.message, true));
