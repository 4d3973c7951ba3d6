// Scripts must end by themselves: idle pools never hold Node open, and closeSchedulers() finishes.
import { describe, expect, it } from "vitest";
import { execFile } from "node:child_process";
import { promisify } from "node:util";

const run = (code: string) =>
  promisify(execFile)(process.execPath, ["--input-type=module", "-e", code], { timeout: 60_000, cwd: new URL("..", import.meta.url).pathname });

describe("process lifetime", () => {
  it("closeSchedulers() resolves and the script exits 0 after using every pool", async () => {
    const { stdout } = await run(`
      import { delayed, closeSchedulers } from "dask-ts";
      const f = delayed((x) => x + 1);
      for (const scheduler of ["sync", "threads", "processes"]) console.log(await f(1).compute({ scheduler }));
      await closeSchedulers();
      console.log("closed");
    `);
    expect(stdout.trim().split("\n")).toEqual(["2", "2", "2", "closed"]);
  });

  it("a script that never closes its pools still exits when its work is done", async () => {
    const { stdout } = await run(`
      import { delayed } from "dask-ts";
      const f = delayed((x) => x * 2);
      console.log(await f(21).compute({ scheduler: "processes" }), await f(2).compute({ scheduler: "threads" }));
    `);
    expect(stdout.trim()).toBe("42 4");
  });
});
