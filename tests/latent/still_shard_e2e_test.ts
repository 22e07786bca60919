import { assert, assertEquals, assertStringIncludes } from "@std/assert";
import { join } from "@std/path";
import { runScript, tempDir, tinyModel } from "../_helpers.ts";

Deno.test("deno task render --shard: shard processes, a clear refusal, then the merge equals an unsharded render", async () => {
  await using tmp = await tempDir();
  const model = await tinyModel();
  const common = ["--model", model, "--seed", "4", "--size", "30x20", "--band-rows", "6"];
  const args = [...common, "--backend", "wasm", "--workers", "1", "--out", join(tmp.path, "s")];
  const one = await runScript("render", [...args, "--shard", "1/2"]);
  assertEquals(one.code, 0, one.stderr);
  assertStringIncludes(one.stdout, "Shard 1/2: 2 bands in ");
  const early = await runScript("render", args);
  assertEquals(early.code, 1);
  assertStringIncludes(
    early.stderr,
    "2 of 4 band(s) missing in " + join(tmp.path, "s", "renders", "seed4-30x20.bands") +
      " (band-00000.png, band-00002.png); run again shard(s) 0/2 (--shard K/N)",
  );
  assert(!early.stderr.includes("    at "), early.stderr); // no stack trace
  Deno.env.set("JOB_COMPLETION_INDEX", "0"); // as in a Kubernetes Indexed Job
  try {
    const zero = await runScript("render", [...args, "--shard", "auto/2"]);
    assertEquals(zero.code, 0, zero.stderr);
    assertStringIncludes(zero.stdout, "Shard 0/2: 2 bands in ");
  } finally {
    Deno.env.delete("JOB_COMPLETION_INDEX");
  }
  const merged = await runScript("render", args);
  assertEquals(merged.code, 0, merged.stderr);
  assertStringIncludes(merged.stdout, "merged from 4 bands");
  const whole = await runScript("render", [...args.slice(0, -1), join(tmp.path, "w")]);
  assertEquals(whole.code, 0, whole.stderr);
  assertEquals(
    await Deno.readFile(join(tmp.path, "s", "renders", "seed4-30x20.png")),
    await Deno.readFile(join(tmp.path, "w", "renders", "seed4-30x20.png")),
  );
});
