#!/usr/bin/env node
// The dask-ts command (scheduler, worker): a committed entry so installs can link it before the build.
import "../dist/cli.js";
