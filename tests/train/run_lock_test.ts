import { assert, assertEquals, assertRejects, assertStringIncludes } from "@std/assert";
import { join } from "@std/path";
import { LOCK_FILE, lockRun, RunLock, RunLocked } from "../../lib/train/run_lock.ts";
import { prepareRun, train } from "../../lib/train/loop.ts";
import { runScript, tempDir, tinyConfig, useWasm } from "../_helpers.ts";

await useWasm();

/** The pid of a process that has ended. */
async function deadPid(): Promise<number> {
  const child = new Deno.Command("true").spawn();
  await child.status;
  return child.pid;
}

Deno.test("RunLock: one holder at a time; released on request", async () => {
  await using tmp = await tempDir();
  const dir = join(tmp.path, "runs", "a");
  const lock = await RunLock.acquire(dir, "a");
  const record = JSON.parse(await Deno.readTextFile(join(dir, LOCK_FILE)));
  assertEquals(record.pid, Deno.pid);
  await assertRejects(
    () => RunLock.acquire(dir, "a"),
    RunLocked,
    `Run "a" is in use by process ${Deno.pid}`,
  );
  lock.release();
  lock.release(); // twice is harmless
  (await RunLock.acquire(dir, "a")).release();
});

Deno.test("RunLock: a stale lock is reported, not taken over", async () => {
  await using tmp = await tempDir();
  const dir = join(tmp.path, "r");
  await Deno.mkdir(dir);
  const pid = await deadPid();
  const text = JSON.stringify({ pid, host: Deno.hostname(), started: "2026-01-01\x1b[2J" });
  await Deno.writeTextFile(join(dir, LOCK_FILE), text);
  const error = await assertRejects(() => RunLock.acquire(dir, "r"), RunLocked, "stale lock");
  assertStringIncludes(error.message, `process ${pid}`);
  assertStringIncludes(error.message, "\\x1b[2J"); // file text is escaped
  assertEquals(await Deno.readTextFile(join(dir, LOCK_FILE)), text);
});

Deno.test("lockRun: two new runs of one name cannot both start", async () => {
  await using tmp = await tempDir();
  const first = await lockRun(tmp.path, "same", false);
  await assertRejects(() => lockRun(tmp.path, "same", false), RunLocked, "is in use");
  await Deno.writeTextFile(join(tmp.path, "runs", "same", "config.json"), "{}");
  first.release();
  await assertRejects(() => lockRun(tmp.path, "same", false), Error, "just created");
  (await lockRun(tmp.path, "same", true)).release();
});

Deno.test("deno task train: a run in use by another process is refused, its files untouched", async () => {
  await using tmp = await tempDir();
  const run = await train(await prepareRun(tinyConfig(tmp.path, { run: "busy", steps: 1 })));
  const before = await Deno.readFile(join(run.paths.checkpoint, "state.json"));
  const lock = await RunLock.acquire(run.paths.dir, "busy");
  const r = await runScript("train", [
    "--out",
    tmp.path,
    "--run",
    "busy",
    "--resume",
    "--steps",
    "3",
  ]);
  // the refused process left the holder's lock alone
  assert(await Deno.stat(join(run.paths.dir, LOCK_FILE)));
  lock.release();
  assertEquals(r.code, 1, r.stderr);
  assertStringIncludes(r.stderr, `error: Run "busy" is in use by process ${Deno.pid}`);
  assertEquals(await Deno.readFile(join(run.paths.checkpoint, "state.json")), before);
});
