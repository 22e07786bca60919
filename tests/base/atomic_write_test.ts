import { assert, assertEquals, assertRejects } from "@std/assert";
import { basename, join } from "@std/path";
import {
  exists,
  processRunning,
  readJson,
  removeStaleTemps,
  tempPathFor,
  writeFileAtomic,
  writeJsonAtomic,
} from "../../lib/base/atomic_write.ts";
import { tempDir } from "../_helpers.ts";

Deno.test("writeFileAtomic: the bytes, over any old file, and no temporary file left", async () => {
  await using tmp = await tempDir();
  const path = join(tmp.path, "a.bin");
  await writeFileAtomic(path, new Uint8Array([1, 2, 3]));
  await writeFileAtomic(path, "hello");
  assertEquals(await Deno.readTextFile(path), "hello");
  await writeJsonAtomic(join(tmp.path, "b.json"), { x: [1, 2] });
  assertEquals(
    await Deno.readTextFile(join(tmp.path, "b.json")),
    '{\n  "x": [\n    1,\n    2\n  ]\n}\n',
  );
  assertEquals([...Deno.readDirSync(tmp.path)].map((e) => e.name).sort(), ["a.bin", "b.json"]);
  // a failed write (no such folder) leaves nothing behind
  await assertRejects(() => writeFileAtomic(join(tmp.path, "no", "c"), "x"));
  assertEquals([...Deno.readDirSync(tmp.path)].length, 2);
});

Deno.test("readJson and exists: errors name the file", async () => {
  await using tmp = await tempDir();
  const path = join(tmp.path, "a.json");
  assertEquals(await exists(path), false);
  await assertRejects(() => readJson(path), Error, `Cannot read "${path}": no such file`);
  await Deno.writeTextFile(path, "{");
  assertEquals(await exists(path), true);
  await assertRejects(() => readJson(path), Error, `Cannot read "${path}": not valid JSON`);
  await Deno.writeTextFile(path, '{"a": 1}');
  assertEquals(await readJson(path), { a: 1 });
});

Deno.test("removeStaleTemps: only temporary files of processes that have ended", async () => {
  await using tmp = await tempDir();
  const mine = tempPathFor(join(tmp.path, "a.json"));
  assert(basename(mine).startsWith(".a.json.tmp-"));
  await Deno.writeTextFile(mine, "x");
  // a process that has ended: a child that ran and exited
  const child = new Deno.Command(Deno.execPath(), { args: ["eval", ""] }).spawn();
  await child.status;
  assertEquals(processRunning(child.pid), false);
  assertEquals(processRunning(Deno.pid), true);
  const stale = join(tmp.path, `.b.json.tmp-${child.pid}-0123abcd`);
  await Deno.writeTextFile(stale, "x");
  await Deno.writeTextFile(join(tmp.path, "c.json"), "{}");
  assertEquals(await removeStaleTemps(tmp.path), 1);
  const names = [...Deno.readDirSync(tmp.path)].map((e) => e.name).sort();
  assertEquals(names, [basename(mine), "c.json"].sort());
  assertEquals(await removeStaleTemps(join(tmp.path, "missing")), 0);
});
