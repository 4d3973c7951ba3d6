/** Addresses of schedulers and workers: "tcp://host:port". */
import { InvalidArgumentError } from "@dask-ts/core";

/** A parsed address. */
export interface HostPort {
  host: string;
  port: number;
}

/** Parses "tcp://host:port", "host:port" or ":port" (host defaults to 127.0.0.1). */
export function parseAddress(address: string, defaultPort = 8786): HostPort {
  if (typeof address !== "string" || address === "") {
    throw new InvalidArgumentError(`Expected an address like "tcp://127.0.0.1:8786", got ${JSON.stringify(address)}.`);
  }
  let rest = address;
  const scheme = /^([a-z]+):\/\//.exec(rest);
  if (scheme) {
    if (scheme[1] !== "tcp") {
      throw new InvalidArgumentError(`Unsupported protocol '${scheme[1]}://' in "${address}": use tcp://host:port.`);
    }
    rest = rest.slice(scheme[0].length);
  }
  let host = rest;
  let port = defaultPort;
  const m = /^(\[[^\]]+\]|[^:]*)(?::(\d+))?$/.exec(rest);
  if (!m) throw new InvalidArgumentError(`Malformed address "${address}": expected tcp://host:port.`);
  host = m[1]!.replace(/^\[|\]$/g, "") || "127.0.0.1";
  if (m[2] !== undefined) port = Number(m[2]);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new InvalidArgumentError(`Malformed port in "${address}": expected 0-65535.`);
  }
  return { host, port };
}

/** Formats host and port as "tcp://host:port". */
export function formatAddress(host: string, port: number): string {
  return `tcp://${host.includes(":") ? `[${host}]` : host}:${port}`;
}
