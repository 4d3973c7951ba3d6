/** The dask-ts version this process runs (exchanged in every handshake). */
import { readFileSync } from "node:fs";

const pkg = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as { version: string };

/** This package's version. */
export const VERSION: string = pkg.version;
