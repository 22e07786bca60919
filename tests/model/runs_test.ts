import { assertEquals, assertRejects, assertThrows } from "@std/assert";
import { join } from "@std/path";
import { FlagError } from "../../lib/base/flags.ts";
import { latestRun, runPaths, setLatest } from "../../lib/model/runs.ts";
import { tempDir } from "../_helpers.ts";

Deno.test("runPaths: a run name never names another folder", () => {
  for (const name of [".", "..", "latest", "a/b", "../x", ""]) {
    assertThrows(() => runPaths("output", name), FlagError, "run name must be a name");
  }
  assertEquals(runPaths("output", "r-1.a").dir, join("output", "runs", "r-1.a"));
});

Deno.test("latestRun: a pointer at itself or outside the runs folder is no run", async () => {
  await using tmp = await tempDir();
  await Deno.mkdir(join(tmp.path, "runs", "a"), { recursive: true });
  await Deno.writeTextFile(join(tmp.path, "runs", "a", "config.json"), "{}");
  await setLatest(tmp.path, "a");
  assertEquals(await latestRun(tmp.path), "a");
  for (const target of ["latest", "..", "."]) {
    await Deno.remove(join(tmp.path, "runs", "latest"));
    await Deno.symlink(target, join(tmp.path, "runs", "latest"));
    assertEquals(await latestRun(tmp.path), null);
  }
  await Deno.writeTextFile(join(tmp.path, "config.json"), "{}");
  await Deno.remove(join(tmp.path, "runs", "latest"));
  await Deno.writeTextFile(join(tmp.path, "runs", "latest"), "..\n");
  assertEquals(await latestRun(tmp.path), null);
  await assertRejects(() => setLatest(tmp.path, "latest"), FlagError);
});
