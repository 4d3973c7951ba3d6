/** Variable (Dask's distributed.Variable): a named value shared by every client of the scheduler. */
import type { Client } from "../client.js";
import type { VariableGetReply } from "../../scheduler/coordination/variable-extension.js";
import { CoordinationTimeoutError } from "../../scheduler/coordination/errors.js";
import { checkTimeout, poll, primitiveName, request, resolveClient, type CoordinationOptions } from "./client-link.js";
import { decodeValue, encodeValue } from "./value-codec.js";

/**
 * A named, mutable value on the scheduler: a Future (its key stays alive while set; get returns a Future of the
 * getting client), plain data (encoded; keep it small), or a structure holding futures.
 */
export class Variable<T = unknown> {
  readonly name: string;
  readonly client: Client;

  constructor(name?: string, opts?: CoordinationOptions) {
    this.name = primitiveName(name, "variable");
    this.client = resolveClient(opts, "Variable");
  }

  /** Sets the value (the futures of the previous value are let go, unless something else holds them). */
  async set(value: T): Promise<void> {
    const item = encodeValue(`Variable '${this.name}'`, value);
    await request(this.client, "variable-set", { name: this.name, ...item });
  }

  /** The value; waits until it is set, at most `timeout` ms (then CoordinationTimeoutError). */
  async get(opts: { timeout?: number } = {}): Promise<T> {
    const timeout = checkTimeout(opts.timeout, `Variable '${this.name}'.get`);
    const r = await poll<VariableGetReply>(this.client, "variable-get", timeout, () => ({ name: this.name }), (x) => x.done);
    if (!r.done || !r.item) throw new CoordinationTimeoutError(`Variable '${this.name}' was not set within ${timeout} ms.`);
    return decodeValue(this.client, r.item) as T;
  }

  /** Unsets the variable (its futures are let go); a later get waits for the next set. */
  async delete(): Promise<void> {
    await request(this.client, "variable-delete", { name: this.name });
  }

  toString(): string {
    return `<Variable: ${this.name}>`;
  }
}
