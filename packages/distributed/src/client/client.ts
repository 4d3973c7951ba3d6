/**
 * The distributed Client (Dask's distributed.Client): submits tasks and graphs to a scheduler, holds Futures
 * (reference-counted per key), gathers results from workers, scatters data, and serves as a core Scheduler so
 * that compute() runs on the cluster.
 */
import {
  CancelledError,
  FnRef,
  InvalidArgumentError,
  Task,
  TaskRef,
  collectionsToGraph,
  config,
  createProgress,
  dependenciesOf,
  isDaskCollection,
  kernel,
  randomToken,
  toClassRef,
  toFnRef,
  tokenize,
  workerModules,
  type DaskCollection,
  type Graph,
  type NestedKeys,
  type RunOptions,
  type Scheduler,
} from "@dask-ts/core";
import { ConnectionPool } from "../comm/pool.js";
import type { Connection, Message } from "../comm/connection.js";
import { connect, connectTimeout } from "../comm/tcp.js";
import { CommClosedError } from "../errors.js";
import type { SchedulerToClient, TaskSpec, WhoHas } from "../protocol.js";
import { decodeDataset, encodeDataset } from "./dataset-codec.js";
import { NoWorkersError } from "./errors.js";
import { fetchData } from "./fetch-data.js";
import { FutureState } from "./future-state.js";
import { KeyRefs } from "./key-refs.js";
import { Future } from "./future.js";
import { encodeNode, graphToSpecs, replaceFuturesInNode, type SpecOptions } from "./graph-submit.js";
import { assignWorkers, scatterItems, shapeResult } from "./scatter-plan.js";
import { checkSubmitOptions, isActorOptions, isSubmitOptions, specOptions, type SubmitOptions } from "./submit-options.js";
import { actorHandle, type Actor } from "./actor.js";
import { waitAllFinished } from "./wait-states.js";
import { futuresOf, replaceFutures, type Gathered } from "./walk-futures.js";

/** Options of Client.connect. */
export interface ClientOptions {
  /** ms to wait for the scheduler (default config "distributed.connectTimeout", 10 s). */
  timeout?: number;
  /** Become the default scheduler of compute() (default true). */
  setAsDefault?: boolean;
  /** A name for this client (shown by the scheduler). */
  name?: string;
}

/** One worker as scheduler-info describes it. */
export interface WorkerSummary {
  name: string;
  nthreads: number;
  memoryLimit: number;
  resources: Record<string, number>;
  nbytes: number;
  processing: number;
  pid: number;
  [k: string]: unknown;
}

/** The reply of scheduler-info. */
export interface SchedulerInfo {
  id: string;
  address: string;
  workers: Record<string, WorkerSummary>;
  [k: string]: unknown;
}

/** Options of scatter. */
export interface ScatterOptions {
  /** Put every value on every worker (default false: round-robin). */
  broadcast?: boolean;
  /** Only these workers (addresses or names). */
  workers?: string | string[];
  /** Keys from the content (default true); false gives random keys. */
  hash?: boolean;
  /** ms to wait for a worker to appear (default: the connect timeout). */
  timeout?: number;
}

/** Options of map: submit options, where `key` is a key prefix or one key per item. */
export type MapOptions = Omit<SubmitOptions, "key"> & { key?: string | string[] };

/** Options of compute/persist on the client: optimization plus task options applied to every task. */
export type ClientComputeOptions = Omit<SubmitOptions, "key" | "pure"> & { optimize?: boolean };

/** The lifecycle of a client: running, closed by close(), or lost (the scheduler connection dropped). */
export type ClientStatus = "running" | "closed" | "lost";

type AnyFn = (...args: never[]) => unknown;

/** A connection to a dask-ts scheduler; futures, gather/scatter, compute/persist, datasets. */
export class Client implements Scheduler {
  /** This client's id (the scheduler knows it by this). */
  readonly id: string;
  /** tcp://host:port of the scheduler. */
  readonly address: string;
  readonly name: string | undefined;
  status: ClientStatus = "running";
  private readonly pool: ConnectionPool;
  private readonly states = new Map<string, FutureState>();
  private readonly refs = new KeyRefs((keys) => this.releaseKeys(keys));
  // Futures that are garbage collected without release() still let go of their key.
  private readonly registry = new FinalizationRegistry<string>((key) => this.refs.decref(key));

  private constructor(
    private readonly conn: Connection,
    id: string,
    address: string,
    opts: ClientOptions,
  ) {
    this.id = id;
    this.address = address;
    this.name = opts.name;
    this.pool = new ConnectionPool("client", opts.timeout);
    conn.onMessage = (msg) => this.onSchedulerMessage(msg);
    conn.onClose = (err) => this.onConnectionLost(err);
  }

  /** Connects to a scheduler ("tcp://host:port" or a cluster with `schedulerAddress`); rejects with ConnectTimeoutError. */
  static async connect(addressOrCluster: string | { schedulerAddress: string }, opts: ClientOptions = {}): Promise<Client> {
    const address = typeof addressOrCluster === "string" ? addressOrCluster : addressOrCluster?.schedulerAddress;
    if (typeof address !== "string" || address === "") {
      throw new InvalidArgumentError(
        `Client.connect: expected a scheduler address like "tcp://127.0.0.1:8786" or a cluster with schedulerAddress; got ${String(addressOrCluster)}.`,
      );
    }
    const id = `Client-${randomToken().slice(0, 16)}`;
    const conn = await connect(address, {
      role: "client",
      timeout: opts.timeout,
      info: { client: id, ...(opts.name !== undefined ? { name: opts.name } : {}) },
    });
    const client = new Client(conn, id, address, opts);
    if (opts.setAsDefault !== false) config.set({ scheduler: client });
    return client;
  }

  // ------------------------------------------------------------------------------------------------
  // Messages and bookkeeping

  private onSchedulerMessage(msg: Message): void {
    const m = msg as unknown as SchedulerToClient;
    switch (m.op) {
      case "key-in-memory":
        this.states.get(m.key)?.finish(m.type);
        return;
      case "task-erred":
        this.states.get(m.key)?.setError(m.exception);
        return;
      case "cancelled-keys":
        for (const k of m.keys) {
          const st = this.states.get(k);
          if (!st) continue;
          st.cancel(m.reason);
          // As Dask pops the future: submitting the key again starts over.
          this.states.delete(k);
        }
        return;
      case "lost-data":
        this.states.get(m.key)?.reset();
        return;
    }
  }

  private onConnectionLost(err: Error | undefined): void {
    this.pool.close();
    if (this.status !== "running") return;
    this.status = "lost";
    const e = new CommClosedError(
      `Lost the connection to the scheduler at ${this.address}${err ? ` (${err.message})` : ""}. ` +
        `The results of this client's futures are gone; connect a new Client when the scheduler is back.`,
    );
    for (const st of this.states.values()) st.lose(e);
  }

  private checkOpen(what: string): void {
    if (this.status !== "running") {
      throw new CommClosedError(
        `${what}: the client ${this.id} is ${this.status === "closed" ? "closed" : `disconnected from the scheduler at ${this.address}`}. Connect a new Client.`,
      );
    }
  }

  private send(msg: Message): void {
    this.conn.send(msg);
  }

  /** A request to the scheduler; `timeoutMs` defaults to the connection's request timeout. */
  private request<T>(op: string, args: Record<string, unknown> = {}, timeoutMs?: number): Promise<T> {
    if (this.status !== "running") {
      return Promise.reject(new CommClosedError(`Cannot send '${op}': the client is ${this.status} (scheduler ${this.address}).`));
    }
    return this.conn.request<T>({ op, ...args }, timeoutMs).catch((e: unknown) => {
      throw remoteError(e);
    });
  }

  /** A new Future of `key` (the state is shared with other Futures of the key; the key's count goes up). */
  private future<T>(key: string): Future<T> {
    let st = this.states.get(key);
    if (!st) this.states.set(key, (st = new FutureState(key)));
    this.refs.incref(key);
    const f = new Future<T>(key, this, st);
    this.registry.register(f, key, f);
    return f;
  }

  /**
   * A Future of a key that already exists on the cluster (Dask's `Future(key, client)`), e.g. one named in a
   * log or computed by another client. A key the scheduler does not know makes the future err with UnknownKeyError.
   */
  futureOf<T = unknown>(key: string): Future<T> {
    this.checkOpen("Client.futureOf");
    if (typeof key !== "string" || key === "") throw new InvalidArgumentError(`futureOf(key) needs a non-empty key string, got ${String(key)}.`);
    const known = this.states.has(key);
    const f = this.future<T>(key);
    if (!known) this.send({ op: "client-desires-keys", keys: [key] });
    return f;
  }

  /** The keys nobody holds any more: forget their states and tell the scheduler. */
  private releaseKeys(keys: string[]): void {
    for (const k of keys) this.states.delete(k);
    if (this.status === "running" && !this.conn.closed) this.send({ op: "client-releases-keys", keys });
  }

  /** @internal Future.release(): drops one reference to the key. */
  _releaseFuture(f: Future): void {
    this.registry.unregister(f);
    this.refs.decref(f.key);
  }

  /** @internal A request to the scheduler (coordination primitives and other extensions use it). */
  _request<T>(op: string, args: Record<string, unknown> = {}): Promise<T> {
    return this.request<T>(op, args);
  }

  /**
   * @internal Futures of keys the scheduler already made this client desire (e.g. taken from a Queue); asking
   * again makes it resend their state, which a reply-ordering race could otherwise have lost.
   */
  _bindFutures(keys: readonly string[]): Map<string, Future> {
    const out = new Map<string, Future>();
    for (const k of keys) out.set(k, this.future(k));
    if (out.size && this.status === "running") this.send({ op: "client-desires-keys", keys: [...out.keys()] });
    return out;
  }

  /** @internal fireAndForget(): the scheduler keeps these keys wanted until they finish. */
  _fireAndForget(keys: string[]): void {
    this.checkOpen("fireAndForget");
    this.send({ op: "fire-and-forget", keys });
  }

  private sendGraph(tasks: TaskSpec[], wanted: string[]): void {
    this.send({ op: "update-graph", tasks, keys: wanted, modules: [...workerModules()] });
  }

  // ------------------------------------------------------------------------------------------------
  // Submitting

  /**
   * Makes an actor: one instance of class `cls` on a worker, built with `args`, whose methods the returned
   * handle calls there (`await counter.increment()`). The trailing `{ actor: true }` may carry submit options.
   */
  submit<C extends abstract new (...args: any[]) => any>(
    cls: C,
    ...args: [...ConstructorParameters<C>, SubmitOptions & { actor: true }]
  ): Actor<InstanceType<C>>;
  /** An actor of a class given by reference (fromModule): its type comes from the type argument. */
  submit<T>(cls: FnRef, ...args: [...unknown[], SubmitOptions & { actor: true }]): Actor<T>;
  /**
   * Runs `fn(...args)` on a worker; Futures in args (also nested in arrays and plain objects) become dependencies.
   * A trailing submitOptions({...}) sets key, pure (default true), retries, priority, resources, workers.
   * The same pure call twice gives the same key, computed once.
   */
  submit<R>(fn: ((...args: never[]) => R) | FnRef, ...args: unknown[]): Future<Awaited<R>>;
  submit(fn: AnyFn | FnRef, ...args: unknown[]): unknown {
    this.checkOpen("Client.submit");
    let opts: SubmitOptions = {};
    const last = args[args.length - 1];
    if (args.length > 0 && (isSubmitOptions(last) || isActorOptions(last))) opts = args.pop() as SubmitOptions;
    if (opts.actor) return this.submitActor(fn, args, opts);
    const ref = toFnRef(fn as AnyFn | FnRef, "Client.submit");
    const pure = opts.pure ?? true;
    const key = opts.key ?? `${fnName(fn, ref)}-${pure ? tokenize(ref, ...args) : randomToken()}`;
    if (this.states.has(key)) return this.future(key);
    const spec = this.taskSpec(key, ref, args, specOptions(opts));
    const f = this.future(key);
    this.sendGraph([spec], [key]);
    return f;
  }

  private submitActor(cls: AnyFn | FnRef, args: unknown[], opts: SubmitOptions): Actor<unknown> {
    checkSubmitOptions(opts, "Client.submit");
    if (typeof cls !== "function" && !(cls instanceof FnRef)) {
      throw new InvalidArgumentError(`Client.submit(..., { actor: true }): expected a class (or fromModule reference to one); got ${describe(cls)}.`);
    }
    const ref = toClassRef(cls, "Client.submit(..., { actor: true })");
    // Every actor is a fresh instance with its own state: never shared by key like pure tasks.
    const key = opts.key ?? `${fnName(cls, ref)}-${randomToken()}`;
    if (this.states.has(key)) throw new InvalidArgumentError(`Client.submit: an actor or task with key '${key}' already exists; pass another key.`);
    const node = replaceFuturesInNode(new Task(kernel("core.construct"), [ref, ...args]), () => undefined);
    const spec: TaskSpec = { key, run: encodeNode(node), deps: dependenciesOf(node), order: 0, ...specOptions(opts), actor: true };
    const f = this.future(key);
    this.sendGraph([spec], [key]);
    return actorHandle(f, this.fetchContext());
  }

  /** Runs `fn(item)` for every item (one update-graph); returns one Future per item. */
  map<R>(fn: ((...args: never[]) => R) | FnRef, items: Iterable<unknown>, opts: MapOptions = {}): Future<Awaited<R>>[] {
    this.checkOpen("Client.map");
    checkSubmitOptions(opts, "Client.map", ["key"]);
    if (items === null || items === undefined || typeof (items as Iterable<unknown>)[Symbol.iterator] !== "function") {
      throw new InvalidArgumentError(`Client.map: items must be an array or another iterable; got ${String(items)}.`);
    }
    const list = [...items];
    const ref = toFnRef(fn as AnyFn | FnRef, "Client.map");
    const pure = opts.pure ?? true;
    let keys: string[];
    if (Array.isArray(opts.key)) {
      if (opts.key.length !== list.length || opts.key.some((k) => typeof k !== "string" || k === "")) {
        throw new InvalidArgumentError(`Client.map: 'key' as a list needs one non-empty string per item (${list.length}); got ${opts.key.length}.`);
      }
      keys = [...opts.key];
    } else {
      if (opts.key !== undefined && (typeof opts.key !== "string" || opts.key === "")) {
        throw new InvalidArgumentError(`Client.map: 'key' must be a key prefix (a non-empty string) or a list of keys.`);
      }
      const prefix = opts.key ?? fnName(fn, ref);
      keys = list.map((item) => `${prefix}-${pure ? tokenize(ref, item) : randomToken()}`);
    }
    const { key: _keys, ...taskOpts } = opts;
    const so = specOptions(taskOpts);
    const tasks: TaskSpec[] = [];
    const fresh = new Set<string>();
    for (let i = 0; i < list.length; i++) {
      const k = keys[i]!;
      if (this.states.has(k) || fresh.has(k)) continue;
      fresh.add(k);
      tasks.push(this.taskSpec(k, ref, [list[i]], so));
    }
    const futures = keys.map((k) => this.future<Awaited<R>>(k));
    if (tasks.length) this.sendGraph(tasks, [...fresh]);
    return futures;
  }

  private taskSpec(key: string, ref: FnRef, args: unknown[], opts: SpecOptions): TaskSpec {
    const node = replaceFuturesInNode(new Task(ref, args), () => undefined);
    return { key, run: encodeNode(node), deps: dependenciesOf(node), order: 0, ...opts };
  }

  /** Submits a graph; `wanted` are the keys this client gets Futures for. */
  private submitGraph(graph: Graph, wanted: string[], opts: SpecOptions = {}): Future[] {
    const { tasks } = graphToSpecs(graph, opts);
    const futures = wanted.map((k) => this.future(k));
    this.sendGraph(tasks, [...new Set(wanted)]);
    return futures;
  }

  /**
   * Submits collections; returns a Future of each finalized result (the collection's postcompute applied on
   * a worker). Values that are not collections are returned as they are.
   */
  compute<T>(collection: DaskCollection<T>, opts?: ClientComputeOptions): Future<T>;
  compute(collections: readonly unknown[], opts?: ClientComputeOptions): unknown[];
  compute(x: unknown, opts: ClientComputeOptions = {}): unknown {
    this.checkOpen("Client.compute");
    const { optimize, ...rest } = opts;
    checkSubmitOptions(rest, "Client.compute");
    const items = Array.isArray(x) ? (x as unknown[]) : [x];
    const collections = items.filter(isDaskCollection);
    if (collections.length === 0) {
      if (!Array.isArray(x)) throw new InvalidArgumentError(`Client.compute: expected a dask collection (Delayed, Array, DataFrame, Bag); got ${describe(x)}.`);
      return items;
    }
    const prepared = collectionsToGraph(collections, optimize ?? config.get<boolean>("optimize", true));
    const graph: Graph = new Map(prepared.graph); // may be a collection's cached graph: never add to it
    const outKeys = new Map<DaskCollection, string>();
    for (const c of collections) {
      const post = c.daskPostcompute();
      const keys = c.daskKeys();
      if (!post && typeof keys === "string") {
        outKeys.set(c, keys);
        continue;
      }
      const refs = nestRefs(keys);
      const key = `finalize-${tokenize(c.daskToken())}`;
      graph.set(key, post ? new Task(post.fn, [refs, ...post.args]) : refs);
      outKeys.set(c, key);
    }
    const wanted = collections.map((c) => outKeys.get(c)!);
    const futures = this.submitGraph(graph, wanted, specOptions(rest));
    const byCollection = new Map(collections.map((c, i) => [c, futures[i]!]));
    const out = items.map((it) => (isDaskCollection(it) ? byCollection.get(it) : it));
    return Array.isArray(x) ? out : out[0];
  }

  /** Starts computing collections and returns the same kinds of collections backed by Futures of their keys. */
  persist<C extends DaskCollection>(collection: C, opts?: ClientComputeOptions): C;
  persist(collections: readonly unknown[], opts?: ClientComputeOptions): unknown[];
  persist(x: unknown, opts: ClientComputeOptions = {}): unknown {
    this.checkOpen("Client.persist");
    const { optimize, ...rest } = opts;
    checkSubmitOptions(rest, "Client.persist");
    const items = Array.isArray(x) ? (x as unknown[]) : [x];
    const collections = items.filter(isDaskCollection);
    if (collections.length === 0) {
      if (!Array.isArray(x)) throw new InvalidArgumentError(`Client.persist: expected a dask collection (Delayed, Array, DataFrame, Bag); got ${describe(x)}.`);
      return items;
    }
    const { graph, keys } = collectionsToGraph(collections, optimize ?? config.get<boolean>("optimize", true));
    const wanted = [...new Set(keys)];
    const futures = this.submitGraph(graph, wanted, specOptions(rest));
    const byKey = new Map<string, Future>(wanted.map((k, i) => [k, futures[i]!]));
    const out = items.map((it) => (isDaskCollection(it) ? it.daskPostpersist(byKey) : it));
    return Array.isArray(x) ? out : out[0];
  }

  // ------------------------------------------------------------------------------------------------
  // Scheduler (core compute() runs here when this client is the scheduler)

  /** Runs a graph on the cluster and resolves to the values of `outputs` (then releases them). */
  async runGraph(graph: Graph, outputs: readonly string[], opts: RunOptions = {}): Promise<Map<string, unknown>> {
    this.checkOpen("compute");
    const signal = opts.signal;
    if (signal?.aborted) throw new CancelledError("The computation was cancelled before it started.");
    const progress = createProgress(opts.progress as never);
    const wanted = [...new Set(outputs)];
    const { tasks } = graphToSpecs(graph);
    if (opts.stats) opts.stats.tasks += tasks.length;
    for (const k of wanted) {
      if (!this.states.has(k)) this.states.set(k, new FutureState(k));
      this.refs.incref(k);
    }
    const states = wanted.map((k) => this.states.get(k)!);
    let onAbort: (() => void) | undefined;
    try {
      this.sendGraph(tasks, wanted);
      progress?.start(wanted.length);
      let done = 0;
      const aborted = new Promise<never>((_, reject) => {
        onAbort = () => reject(new CancelledError("The computation was cancelled (its AbortSignal fired); its tasks were released on the cluster."));
        signal?.addEventListener("abort", onAbort, { once: true });
      });
      aborted.catch(() => undefined);
      const values = await Promise.race([
        waitAllFinished(states, () => progress?.update(++done)).then(() => fetchData(this.fetchContext(), states)),
        aborted,
      ]);
      progress?.finish();
      return values;
    } catch (e) {
      progress?.finish(e);
      throw e;
    } finally {
      if (onAbort) signal?.removeEventListener("abort", onAbort);
      for (const k of wanted) this.refs.decref(k);
    }
  }

  // ------------------------------------------------------------------------------------------------
  // Data

  /** The values of Futures (a Future, or arrays / plain objects nesting them), fetched from the workers directly. */
  async gather<T>(futures: T): Promise<Gathered<T>> {
    const list = futuresOf(futures);
    const values = new Map<Future, unknown>();
    const byClient = new Map<Client, Future[]>();
    for (const f of list) {
      let l = byClient.get(f.client);
      if (!l) byClient.set(f.client, (l = []));
      l.push(f);
    }
    await Promise.all(
      [...byClient].map(async ([client, fs]) => {
        const got = await fetchData(client.fetchContext(), fs.map((f) => f._state));
        for (const f of fs) values.set(f, got.get(f.key));
      }),
    );
    return replaceFutures(futures, (f) => values.get(f)) as Gathered<T>;
  }

  private fetchContext(): { whoHas(keys: string[]): Promise<WhoHas>; pool: ConnectionPool } {
    return { whoHas: (keys) => this.request<WhoHas>("who-has", { keys }), pool: this.pool };
  }

  /**
   * Puts data on workers: a value -> Future, an array -> Future[], a plain object -> record of Futures.
   * Values are spread round-robin over the workers, or copied to every worker with `broadcast`.
   */
  scatter<T>(data: readonly T[], opts?: ScatterOptions): Promise<Future<T>[]>;
  scatter<T extends Record<string, unknown>>(data: T, opts?: ScatterOptions): Promise<{ [K in keyof T]: Future<T[K]> }>;
  scatter<T>(data: T, opts?: ScatterOptions): Promise<Future<T>>;
  async scatter(data: unknown, opts: ScatterOptions = {}): Promise<unknown> {
    this.checkOpen("Client.scatter");
    if (data instanceof Future) throw new InvalidArgumentError("Client.scatter: the value is already a Future; pass the value itself.");
    const items = scatterItems(data, opts.hash !== false);
    const workers = await this.scatterTargets(opts);
    const plan = assignWorkers(items.keys, items.values, workers, opts.broadcast === true);
    const whoHas: WhoHas = {};
    const nbytes: Record<string, number> = {};
    const types: Record<string, string> = {};
    await Promise.all(
      [...plan].map(async ([address, pairs]) => {
        const reply = await this.pool.request<{ nbytes: Record<string, number>; types: Record<string, string> }>(address, { op: "update-data", data: pairs });
        for (const [k] of pairs) (whoHas[k] ??= []).push(address);
        Object.assign(nbytes, reply.nbytes);
        Object.assign(types, reply.types);
      }),
    );
    this.checkOpen("Client.scatter");
    // The data is in place: the futures are finished now (the scheduler's key-in-memory confirms it later).
    const shaped = shapeResult(items.shape, items.keys, (k) => {
      const f = this.future(k);
      f._state.finish(types[k]);
      return f;
    });
    this.send({ op: "update-data", who_has: whoHas, nbytes, types });
    return shaped;
  }

  private async scatterTargets(opts: ScatterOptions): Promise<string[]> {
    const wanted = opts.workers === undefined ? undefined : typeof opts.workers === "string" ? [opts.workers] : opts.workers;
    const deadline = performance.now() + (opts.timeout ?? connectTimeout());
    for (;;) {
      const info = await this.schedulerInfo();
      const all = Object.entries(info.workers).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
      const chosen = all.filter(([addr, w]) => !wanted || wanted.includes(addr) || wanted.includes(w.name)).map(([addr]) => addr);
      if (chosen.length) return chosen;
      if (performance.now() >= deadline) {
        throw new NoWorkersError(
          wanted
            ? `scatter: none of the workers ${wanted.join(", ")} is connected to the scheduler at ${this.address} (connected: ${all.map(([a, w]) => `${w.name} ${a}`).join(", ") || "none"}).`
            : `scatter: no worker is connected to the scheduler at ${this.address}. Start workers (or wait for them) and scatter again.`,
        );
      }
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  /** Cancels futures (nested structures accepted): they become "cancelled"; with force, for every client. */
  async cancel(futures: unknown, opts: { force?: boolean } = {}): Promise<void> {
    const keys = futuresOf(futures).map((f) => f.key);
    if (keys.length === 0) return;
    this.checkOpen("Client.cancel");
    this.send({ op: "cancel", keys, force: opts.force === true });
    for (const k of keys) {
      const st = this.states.get(k);
      if (!st) continue;
      st.cancel();
      this.states.delete(k);
    }
  }

  /** Which workers hold each key (of the given futures, or of every future of this client). */
  whoHas(futures?: unknown): Promise<WhoHas> {
    const keys = futures === undefined ? [...this.states.keys()] : futuresOf(futures).map((f) => f.key);
    return this.request<WhoHas>("who-has", { keys });
  }

  /** Alias of whoHas (Dask's name). */
  who_has(futures?: unknown): Promise<WhoHas> {
    return this.whoHas(futures);
  }

  /** The scheduler's id, address and workers (threads, memory, resources, load). */
  schedulerInfo(): Promise<SchedulerInfo> {
    return this.request<SchedulerInfo>("scheduler-info");
  }

  /** The scheduler state of keys (absent = the scheduler does not know the key). */
  taskStates(keys: readonly string[] | unknown): Promise<Record<string, string>> {
    const list = Array.isArray(keys) && keys.every((k) => typeof k === "string") ? (keys as string[]) : futuresOf(keys).map((f) => f.key);
    return this.request<Record<string, string>>("task-states", { keys: list });
  }

  /**
   * Restarts the cluster (Dask's Client.restart): every task stops, every result and published dataset is
   * dropped, futures of every client become "cancelled", and each worker process is replaced by a fresh one.
   * Resolves once as many workers as before are back; RestartTimeoutError after `timeout` ms (default 30 s).
   */
  async restart(opts: { timeout?: number } = {}): Promise<void> {
    this.checkOpen("Client.restart");
    const timeout = opts.timeout ?? config.get<number>("distributed.restartTimeout", 30_000);
    if (!(typeof timeout === "number" && timeout > 0)) throw new InvalidArgumentError(`Client.restart: timeout must be a positive number of ms; got ${String(timeout)}.`);
    // The scheduler answers only once the workers are back: the request waits a little longer than it does.
    await this.request("restart", { timeout }, timeout + 5_000);
  }

  /**
   * Retires workers gracefully (Dask's Client.retire_workers): results only they hold are copied to other
   * workers first, their tasks run elsewhere, then they close (a nanny does not restart them). Give worker
   * addresses or names, or `{ n }` to let the scheduler pick (idle and small first). Resolves to the retired
   * addresses and the keys that had nowhere to go.
   */
  async retireWorkers(which: string[] | { n: number }, opts: { close?: boolean; timeout?: number } = {}): Promise<{ retired: string[]; lost: string[] }> {
    this.checkOpen("Client.retireWorkers");
    const args = Array.isArray(which) ? { workers: which } : { n: which?.n };
    if (!Array.isArray(which) && !(Number.isInteger(which?.n) && which.n >= 0)) {
      throw new InvalidArgumentError(`Client.retireWorkers: give worker addresses or names, or { n } with n >= 0; got ${JSON.stringify(which)}.`);
    }
    return this.request<{ retired: string[]; lost: string[] }>("retire-workers", { ...args, close: opts.close !== false }, opts.timeout ?? 60_000);
  }

  // ------------------------------------------------------------------------------------------------
  // Datasets

  /**
   * Publishes futures, persisted collections, or structures of them under `name`: the scheduler keeps their
   * keys alive until unpublished, and other clients get them with getDataset.
   */
  async publishDataset(name: string, value: unknown, opts: { override?: boolean } = {}): Promise<void> {
    checkName(name, "publishDataset");
    this.checkOpen("Client.publishDataset");
    const { keys, data } = encodeDataset(name, value);
    await this.request("publish-dataset", { name, keys, data, override: opts.override === true });
  }

  /** The structure published under `name`, with Futures bound to this client. */
  async getDataset<T = unknown>(name: string): Promise<T> {
    checkName(name, "getDataset");
    const reply = await this.request<{ keys: string[]; data: Uint8Array }>("get-dataset", { name });
    this.checkOpen("Client.getDataset");
    const desired = new Set<string>();
    const value = decodeDataset(reply.data, (key) => {
      if (!this.states.has(key)) desired.add(key);
      return this.future(key);
    });
    // The scheduler answers with key-in-memory (or task-erred) for each key this client now wants.
    if (desired.size) this.send({ op: "client-desires-keys", keys: [...desired] });
    return value as T;
  }

  /** Removes a published dataset (its keys are released unless something else wants them). */
  async unpublishDataset(name: string): Promise<void> {
    checkName(name, "unpublishDataset");
    await this.request("unpublish-dataset", { name });
  }

  /** The names of the published datasets. */
  listDatasets(): Promise<string[]> {
    return this.request<string[]>("list-datasets");
  }

  // ------------------------------------------------------------------------------------------------

  /**
   * Closes the client: it stops being the default scheduler, its pending futures are cancelled, and the scheduler
   * releases everything it held (the connection closing says so).
   */
  async close(): Promise<void> {
    if (this.status === "closed") return;
    const wasRunning = this.status === "running";
    this.status = "closed";
    if (config.get("scheduler") === this) config.set({ scheduler: undefined });
    for (const st of this.states.values()) if (!st.done) st.cancel("its client was closed");
    this.pool.close();
    if (wasRunning && !this.conn.closed) {
      const closed = new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, 1000);
        timer.unref();
        this.conn.socket.once("close", () => {
          clearTimeout(timer);
          resolve();
        });
      });
      this.conn.close();
      await closed;
    }
  }

  toString(): string {
    return `<Client: ${this.id} scheduler=${this.address} status=${this.status}>`;
  }
}

function fnName(fn: unknown, ref: FnRef): string {
  return typeof fn === "function" ? fn.name || "lambda" : ref.label;
}

function nestRefs(keys: NestedKeys): unknown {
  return typeof keys === "string" ? new TaskRef(keys) : keys.map(nestRefs);
}

function describe(v: unknown): string {
  if (v === null) return "null";
  if (typeof v === "object") return (v as object).constructor?.name ?? "object";
  return typeof v;
}

function checkName(name: unknown, where: string): void {
  if (typeof name !== "string" || name === "") {
    throw new InvalidArgumentError(`Client.${where}: the dataset name must be a non-empty string; got ${JSON.stringify(name)}.`);
  }
}

/** A scheduler's typed refusal arrives as a plain Error with the class name: give it back its class. */
function remoteError(e: unknown): unknown {
  if (e instanceof Error && !(e instanceof InvalidArgumentError) && e.name === "InvalidArgumentError") {
    const out = new InvalidArgumentError(e.message, { cause: e });
    return out;
  }
  return e;
}

