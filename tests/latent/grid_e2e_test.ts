import { assertEquals, assertStringIncludes } from "@std/assert";
import { join } from "@std/path";
import { readGrey } from "../../lib/media/image.ts";
import { runScript, tempDir, tinyModel } from "../_helpers.ts";

Deno.test("deno task grid: a sheet with the asked cell count and size, its sidecar, clear flag errors", async () => {
  await using tmp = await tempDir();
  const args = ["--model", await tinyModel(), "--out", tmp.path, "--workers", "1"];
  const r = await runScript("grid", [...args, "--shape", "3x2", "--cell", "16", "--gap", "2"]);
  assertEquals(r.code, 0, r.stderr);
  assertStringIncludes(r.stdout, "samples, 3x2 cells of 16x16, 56x38");
  const sheet = await readGrey(join(tmp.path, "grids", "samples-s1-3x2-16.png"));
  assertEquals([sheet.width, sheet.height], [3 * 16 + 4 * 2, 2 * 16 + 3 * 2]);
  const sidecar = JSON.parse(
    await Deno.readTextFile(join(tmp.path, "grids", "samples-s1-3x2-16.json")),
  );
  assertEquals([sidecar.kind, sidecar.cells.length], ["samples", 6]);
  const bad = await runScript("grid", [...args, "--corners", "1,2"]);
  assertEquals(bad.code, 2);
  assertStringIncludes(bad.stderr, "--corners needs 4 values");
});
