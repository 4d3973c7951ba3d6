/** The consistency checker of the scheduler state (Dask's validate_state): throws on the first broken invariant. */
import type { SchedulerState } from "./state.js";
import { needsDependencies, type TaskState } from "./task-state.js";

function fail(msg: string): never {
  throw new Error(`Scheduler state invalid: ${msg}`);
}

function checkTask(s: SchedulerState, ts: TaskState): void {
  const k = ts.key;
  if (s.tasks.get(k) !== ts) fail(`task '${k}' is not the one indexed under its key`);
  if (ts.state === "forgotten") fail(`forgotten task '${k}' is still indexed`);
  // Links are symmetric and only point at live tasks.
  for (const d of ts.dependencies) {
    if (s.tasks.get(d.key) !== d) fail(`'${k}' depends on unknown or forgotten '${d.key}'`);
    if (!d.dependents.has(ts)) fail(`'${d.key}' lacks dependent '${k}'`);
  }
  for (const d of ts.dependents) {
    if (s.tasks.get(d.key) !== d) fail(`'${k}' has unknown or forgotten dependent '${d.key}'`);
    if (!d.dependencies.has(ts)) fail(`'${d.key}' lacks dependency '${k}'`);
  }
  for (const d of ts.waitingOn) {
    if (!ts.dependencies.has(d)) fail(`'${k}' waits on non-dependency '${d.key}'`);
    if (!d.waiters.has(ts)) fail(`'${k}' waits on '${d.key}' which does not list it as a waiter`);
  }
  for (const d of ts.waiters) {
    if (!ts.dependents.has(d)) fail(`'${k}' has non-dependent waiter '${d.key}'`);
    if (!needsDependencies(d.state)) fail(`'${k}' has waiter '${d.key}' in state ${d.state}`);
  }
  if (needsDependencies(ts.state)) {
    for (const d of ts.dependencies) if (!d.waiters.has(ts)) fail(`${ts.state} '${k}' is not a waiter of '${d.key}'`);
  }
  for (const cs of ts.whoWants) {
    if (s.clients.get(cs.id) !== cs) fail(`'${k}' is wanted by unknown client ${cs.id}`);
    if (!cs.wantsWhat.has(ts)) fail(`client ${cs.id} lacks '${k}' in wantsWhat`);
  }
  for (const ws of ts.whoHas) {
    if (s.workers.get(ws.address) !== ws) fail(`'${k}' is held by unknown worker ${ws.address}`);
    if (!ws.hasWhat.has(ts)) fail(`worker ${ws.address} lacks '${k}' in hasWhat`);
  }
  // Every live task is wanted by a client or needed by a dependent (nothing leaks).
  if (ts.whoWants.size === 0 && ts.dependents.size === 0) fail(`'${k}' (${ts.state}) is neither wanted nor depended on`);
  if ((ts.state === "memory") !== ts.whoHas.size > 0) fail(`'${k}' is ${ts.state} with ${ts.whoHas.size} holders`);
  if ((ts.state === "processing") !== (ts.processingOn !== undefined)) fail(`'${k}' is ${ts.state} with processingOn set wrong`);
  if ((ts.state === "queued") !== s.queued.has(ts)) fail(`'${k}' is ${ts.state} and queued-heap membership disagrees`);
  if ((ts.state === "no-worker") !== s.unrunnable.has(ts)) fail(`'${k}' is ${ts.state} and unrunnable membership disagrees`);
  if (ts.state !== "waiting" && ts.waitingOn.size > 0) fail(`'${k}' is ${ts.state} but waits on ${ts.waitingOn.size} keys`);
  switch (ts.state) {
    case "waiting":
      for (const d of ts.dependencies) {
        if ((d.state !== "memory") !== ts.waitingOn.has(d)) fail(`waiting '${k}': waitingOn disagrees on '${d.key}' (${d.state})`);
        if (d.state === "erred") fail(`waiting '${k}' depends on erred '${d.key}'`);
      }
      if (ts.waitingOn.size === 0) fail(`waiting '${k}' waits on nothing`);
      break;
    case "processing":
    case "queued":
    case "no-worker": {
      if (ts.state === "processing") {
        const ws = ts.processingOn!;
        if (s.workers.get(ws.address) !== ws) fail(`'${k}' processing on unknown worker ${ws.address}`);
        if (!ws.processing.has(ts)) fail(`'${k}' missing from processing of ${ws.address}`);
      }
      // Only ready tasks get this far: every dependency is in memory.
      for (const d of ts.dependencies) if (d.state !== "memory") fail(`${ts.state} '${k}' has dependency '${d.key}' in ${d.state}`);
      if (ts.run === undefined) fail(`${ts.state} '${k}' has no run`);
      break;
    }
    case "memory":
      if (ts.waiters.size === 0 && ts.whoWants.size === 0) fail(`'${k}' in memory though nobody needs it`);
      break;
    case "erred":
      if (ts.exception === undefined) fail(`erred '${k}' has no exception`);
      break;
    case "released":
      if (ts.whoWants.size > 0 || ts.waiters.size > 0) fail(`released '${k}' is still needed`);
      break;
  }
}

/** Asserts every invariant of `s`; throws an Error naming the first one broken. */
export function validateState(s: SchedulerState): void {
  for (const ts of s.tasks.values()) checkTask(s, ts);
  for (const ts of s.queued.values()) if (s.tasks.get(ts.key) !== ts) fail(`queued '${ts.key}' is not a live task`);
  for (const ts of s.unrunnable) if (s.tasks.get(ts.key) !== ts) fail(`no-worker '${ts.key}' is not a live task`);
  let threads = 0;
  for (const [address, ws] of s.workers) {
    if (ws.address !== address) fail(`worker indexed under ${address} has address ${ws.address}`);
    threads += ws.nthreads;
    let occupancy = 0;
    for (const [ts, est] of ws.processing) {
      if (ts.processingOn !== ws || ts.state !== "processing") fail(`${address} lists '${ts.key}' (${ts.state}) as processing`);
      occupancy += est;
    }
    for (const ts of ws.longRunning) {
      if (!ws.processing.has(ts)) fail(`${address} lists '${ts.key}' as long-running but not as processing`);
      if (ws.processing.get(ts) !== 0) fail(`${address} counts occupancy for long-running '${ts.key}'`);
    }
    if (Math.abs(occupancy - ws.occupancy) > 1e-9 * Math.max(1, occupancy)) {
      fail(`${address} occupancy ${ws.occupancy} != sum of estimates ${occupancy}`);
    }
    let nbytes = 0;
    for (const ts of ws.hasWhat) {
      if (!ts.whoHas.has(ws)) fail(`${address} holds '${ts.key}' but is not in its whoHas`);
      if (s.tasks.get(ts.key) !== ts) fail(`${address} holds forgotten '${ts.key}'`);
      nbytes += Math.max(ts.nbytes, 0);
    }
    if (nbytes !== ws.nbytes) fail(`${address} nbytes ${ws.nbytes} != sum of held ${nbytes}`);
    if (ws.modulesSent > s.modules.length) fail(`${address} was sent more modules than exist`);
  }
  if (threads !== s.totalNthreads) fail(`totalNthreads ${s.totalNthreads} != ${threads}`);
  for (const [id, cs] of s.clients) {
    if (cs.id !== id) fail(`client indexed under ${id} has id ${cs.id}`);
    for (const ts of cs.wantsWhat) {
      if (s.tasks.get(ts.key) !== ts) fail(`client ${id} wants forgotten '${ts.key}'`);
      if (!ts.whoWants.has(cs)) fail(`'${ts.key}' lacks client ${id} in whoWants`);
    }
  }
  const groupSizes = new Map<string, number>();
  for (const ts of s.tasks.values()) groupSizes.set(ts.group.name, (groupSizes.get(ts.group.name) ?? 0) + 1);
  for (const [name, g] of s.groups) {
    if (g.size !== (groupSizes.get(name) ?? 0)) fail(`group ${name} size ${g.size} != ${groupSizes.get(name) ?? 0}`);
  }
  for (const name of groupSizes.keys()) if (!s.groups.has(name)) fail(`group ${name} of live tasks is not indexed`);
}
