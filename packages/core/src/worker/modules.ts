/** Importing the modules that register kernels and type extensions inside a worker. */
const imported = new Set<string>();

/** Imports each module once, in order. */
export async function importWorkerModules(urls: readonly string[]): Promise<void> {
  for (const url of urls) {
    if (imported.has(url)) continue;
    imported.add(url);
    await import(url);
  }
}
