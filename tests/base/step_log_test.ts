import { assertEquals } from "@std/assert";
import { join } from "@std/path";
import { appendStepLog, readStepLog, writeStepLog } from "../../lib/base/step_log.ts";
import { tempDir } from "../_helpers.ts";

Deno.test("step log: appended lines read back up to a step; a missing file is empty", async () => {
  await using tmp = await tempDir();
  const path = join(tmp.path, "log.jsonl");
  assertEquals(await readStepLog(path, 100), []);
  for (const step of [10, 20, 30]) {
    const entry: { step: number; loss: number } = { step, loss: step / 100 };
    await appendStepLog(path, entry);
  }
  assertEquals(
    await Deno.readTextFile(path),
    [
      '{"step":10,"loss":0.1}',
      '{"step":20,"loss":0.2}',
      '{"step":30,"loss":0.3}',
      "",
    ].join("\n"),
  );
  assertEquals(await readStepLog<{ step: number; loss: number }>(path, 20), [{
    step: 10,
    loss: 0.1,
  }, { step: 20, loss: 0.2 }]);
});

Deno.test("step log: a line cut short by a crash is skipped; a rewrite keeps only what is given", async () => {
  await using tmp = await tempDir();
  const path = join(tmp.path, "log.jsonl");
  await Deno.writeTextFile(path, '{"step":1}\n{"step":2}\n{"ste');
  assertEquals(await readStepLog(path, 10), [{ step: 1 }, { step: 2 }]);
  await writeStepLog(path, await readStepLog(path, 1));
  assertEquals(await Deno.readTextFile(path), '{"step":1}\n');
});
