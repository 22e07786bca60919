import { assertEquals } from "@std/assert";
import { join } from "@std/path";
import { parseIdx } from "../../lib/data/idx.ts";
import { runScript, tempDir, tinyModel, useWasm } from "../_helpers.ts";

await useWasm();

Deno.test("deno task sample: writes the file, refuses to replace one without --force", async () => {
  const checkpoint = await tinyModel();
  await using dir = await tempDir();
  const out = join(dir.path, "samples");
  const args = ["--model", checkpoint, "--count", "3", "--out", out, "--backend", "wasm"];
  const first = await runScript("sample", args);
  assertEquals(first.code, 0, first.stderr);
  assertEquals(first.stdout.trim(), out);
  assertEquals(parseIdx(await Deno.readFile(out), out, 3).dims, [3, 26, 26]);
  const again = await runScript("sample", args);
  assertEquals(again.code, 2);
  assertEquals(
    again.stderr.trim(),
    `error: --out "${out}" exists: choose another file or add --force`,
  );
  assertEquals((await runScript("sample", [...args, "--force"])).code, 0);
});
