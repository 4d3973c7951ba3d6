/** Reused connections to peers (workers fetching from workers, clients fetching from workers). */
import type { Hello } from "../protocol.js";
import type { Connection } from "./connection.js";
import { connect } from "./tcp.js";

/** One open connection per address, opened on first use and dropped when it closes. */
export class ConnectionPool {
  private readonly conns = new Map<string, Promise<Connection>>();
  private closed = false;

  constructor(private readonly role: Hello["role"], private readonly timeout?: number) {}

  /** The connection to `address` (opened if needed). */
  get(address: string): Promise<Connection> {
    if (this.closed) return Promise.reject(new Error("The connection pool is closed."));
    let p = this.conns.get(address);
    if (!p) {
      p = connect(address, { role: this.role, timeout: this.timeout });
      this.conns.set(address, p);
      p.then(
        (c) => {
          c.onClose = () => {
            if (this.conns.get(address) === p) this.conns.delete(address);
          };
          if (this.closed) c.close();
        },
        () => {
          if (this.conns.get(address) === p) this.conns.delete(address);
        },
      );
    }
    return p;
  }

  /** Sends a request to `address` and resolves to the reply. */
  async request<T>(address: string, msg: { op: string; [k: string]: unknown }, timeoutMs?: number): Promise<T> {
    const c = await this.get(address);
    return c.request<T>(msg, timeoutMs);
  }

  /** Drops the connection to `address` (e.g. the peer is known to be gone). */
  drop(address: string): void {
    const p = this.conns.get(address);
    this.conns.delete(address);
    p?.then((c) => c.close(), () => undefined);
  }

  /** Closes every connection. */
  close(): void {
    this.closed = true;
    for (const p of this.conns.values()) p.then((c) => c.close(), () => undefined);
    this.conns.clear();
  }
}
