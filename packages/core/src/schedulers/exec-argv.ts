/** The Node flags a worker process inherits: loaders and conditions yes; eval code, debuggers, test runners no. */

/** Flags that take a separate value argument when not written as --flag=value. */
const WITH_VALUE = new Set(["-e", "--eval", "-p", "--print", "-r", "--require", "--import", "--loader", "--experimental-loader", "-C", "--conditions", "--input-type", "--inspect-port", "--debug-port", "--watch-path", "--env-file", "--stack-size", "--max-old-space-size"]);
/** Flags a worker must not get: they would run the parent's code again, start a debugger on a taken port, or watch files. */
const DROP = /^(-e|--eval|-p|--print|-i|--interactive|--input-type|--test.*|--watch.*|--inspect.*|--debug.*|--check|-c)$/;

/** process.execArgv without the flags that make no sense in a worker process. */
export function workerExecArgv(argv: readonly string[] = process.execArgv): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const name = a.includes("=") ? a.slice(0, a.indexOf("=")) : a;
    const takesNext = !a.includes("=") && WITH_VALUE.has(a);
    if (DROP.test(name)) {
      if (takesNext) i++;
      continue;
    }
    out.push(a);
    if (takesNext && i + 1 < argv.length) out.push(argv[++i]!);
  }
  return out;
}

/** Flags worth passing to worker threads (loaders, conditions, source maps); Worker rejects process-wide V8 flags. */
const THREAD_FLAGS = /^(--import|--require|-r|--loader|--experimental-loader|--conditions|-C|--enable-source-maps|--no-warnings|--experimental-[a-z-]+|--no-experimental-[a-z-]+)$/;

/** process.execArgv filtered to what a worker thread accepts and needs. */
export function threadExecArgv(argv: readonly string[] = process.execArgv): string[] {
  const kept = workerExecArgv(argv);
  const out: string[] = [];
  for (let i = 0; i < kept.length; i++) {
    const a = kept[i]!;
    const name = a.includes("=") ? a.slice(0, a.indexOf("=")) : a;
    const takesNext = !a.includes("=") && WITH_VALUE.has(a);
    if (THREAD_FLAGS.test(name)) {
      out.push(a);
      if (takesNext && i + 1 < kept.length) out.push(kept[i + 1]!);
    }
    if (takesNext) i++;
  }
  return out;
}
