// Shared by the benchmark scripts: command-line options, medians, peak memory.

/** Options parsed from process.argv: flag("--quick"), opt("--runs", 5), and the common run counts. */
export function cli({ runs: defaultRuns = 5, warmups: defaultWarmups = 2 } = {}) {
  const args = process.argv.slice(2);
  const flag = (name) => args.includes(name);
  const opt = (name, dflt) => {
    const i = args.indexOf(name);
    return i >= 0 ? args[i + 1] : dflt;
  };
  const quick = flag("--quick");
  return {
    args,
    flag,
    opt,
    quick,
    runs: quick ? 1 : Number(opt("--runs", defaultRuns)),
    warmups: quick ? 0 : Number(opt("--warmups", defaultWarmups)),
  };
}

/** The median of a list of numbers. */
export const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** Peak resident memory of this process so far, in MB. */
export const peakRssMb = () => Math.round(process.resourceUsage().maxRSS / 102.4) / 10;
