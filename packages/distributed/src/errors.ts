/** Typed errors of the distributed scheduler, workers and clients. */
import { DaskError, registerErrorClass } from "@dask-ts/core";

/** A connection closed (or was never open) while a message or a reply was expected. */
export class CommClosedError extends DaskError {
  override name = "CommClosedError";
}

/** A peer could not be reached within the connect timeout. */
export class ConnectTimeoutError extends DaskError {
  override name = "ConnectTimeoutError";
  constructor(readonly address: string, readonly timeoutMs: number, cause?: unknown) {
    super(
      `Could not connect to ${address} within ${timeoutMs} ms` +
        `${cause ? ` (${(cause as Error).message ?? String(cause)})` : ""}. ` +
        `Check that the scheduler (or worker) is running and that the address and port are right; ` +
        `raise the timeout with { timeout: ms } if the network is slow.`,
      cause === undefined ? undefined : { cause },
    );
  }
}

/** A request got no reply within its timeout. */
export class RequestTimeoutError extends DaskError {
  override name = "RequestTimeoutError";
}

/** The peer speaks another dask-ts version. */
export class VersionMismatchError extends DaskError {
  override name = "VersionMismatchError";
  constructor(readonly local: string, readonly remote: string, readonly peer: string) {
    super(
      `dask-ts version mismatch: this process runs ${local}, the ${peer} runs ${remote}. ` +
        `Install the same dask-ts version on the client, the scheduler and every worker.`,
    );
  }
}

/** A peer broke the wire protocol (malformed or oversized frame, unknown operation). */
export class ProtocolError extends DaskError {
  override name = "ProtocolError";
}

/** A task was running on workers that died, more often than allowed. */
export class KilledWorker extends DaskError {
  override name = "KilledWorker";
  constructor(readonly key: string, readonly workers: readonly string[], allowed: number) {
    super(
      `Task '${key}' was running on ${workers.length} worker(s) that died (${workers.join(", ")}); ` +
        `more than the ${allowed} allowed failure(s). The task probably crashes its worker (native crash, ` +
        `process.exit(), out of memory). Run it on the sync scheduler to debug, or raise ` +
        `config "distributed.allowedFailures".`,
    );
  }
}

/** The future was cancelled (by cancel(), or because its client went away). */
export class FutureCancelledError extends DaskError {
  override name = "FutureCancelledError";
  constructor(readonly key: string, reason = "it was cancelled") {
    super(`The result of '${key}' is not available: ${reason}.`);
  }
}

/** A key the client asked for is not known to the scheduler. */
export class UnknownKeyError extends DaskError {
  override name = "UnknownKeyError";
  constructor(readonly key: string) {
    super(`The scheduler knows no key '${key}'. It was never submitted, or every future of it was released.`);
  }
}

/** Results were lost (their worker died) and cannot be recomputed (scattered data). */
export class LostDataError extends DaskError {
  override name = "LostDataError";
  constructor(readonly key: string) {
    super(`The data of '${key}' was lost with the worker that held it and cannot be recomputed (it was scattered). Scatter it again.`);
  }
}

/** client.restart() gave up waiting for the workers to come back. */
export class RestartTimeoutError extends DaskError {
  override name = "RestartTimeoutError";
}

/** An actor's worker is gone, or the actor was released: its state is lost. */
export class ActorLostError extends DaskError {
  override name = "ActorLostError";
}

// Errors made by the scheduler or a worker arrive at clients as instances of these classes.
for (const cls of [CommClosedError, ConnectTimeoutError, RequestTimeoutError, VersionMismatchError, ProtocolError, KilledWorker, FutureCancelledError, UnknownKeyError, LostDataError, RestartTimeoutError, ActorLostError]) {
  registerErrorClass(cls);
}
