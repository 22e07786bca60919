import { assert, assertEquals, assertStringIncludes } from "@std/assert";
import { join } from "@std/path";
import { type LogEntry, prepareRun, train } from "../../lib/train/loop.ts";
import { readGrey } from "../../lib/media/image.ts";
import { runScript, tempDir, tinyConfig, useWasm } from "../_helpers.ts";

await useWasm();

Deno.test("deno task train (end to end): tiny run on real MNIST writes every output", async () => {
  await using tmp = await tempDir();
  const r = await runScript("train", [
    "--out",
    tmp.path,
    "--run",
    "e2e",
    "--width",
    "16",
    "--batch",
    "8",
    "--steps",
    "3",
    "--backend",
    "wasm",
    "--log-every",
    "1",
    "--sample-every",
    "2",
    "--gan-after",
    "0",
  ]);
  assertEquals(r.code, 0, r.stderr);
  assertStringIncludes(r.stderr, "backend: wasm");
  assertStringIncludes(r.stdout, "Done: 3 steps");
  const run = join(tmp.path, "runs", "e2e");
  const config = JSON.parse(await Deno.readTextFile(join(run, "config.json")));
  assertEquals([config.width, config.batch, config.steps, config.lrG, config.ganAfter], [
    16,
    8,
    3,
    0.002,
    0,
  ]);
  assertEquals(await Deno.readLink(join(tmp.path, "runs", "latest")), "e2e");

  const log = (await Deno.readTextFile(join(run, "log.jsonl"))).trim().split("\n").map((l) =>
    JSON.parse(l) as LogEntry
  );
  assertEquals(log.map((e) => e.step), [1, 2, 3]);
  for (const e of log) {
    assertEquals(Object.keys(e).sort(), [
      "d_loss",
      "epoch",
      "g_loss",
      "images_per_s",
      "step",
      "time_s",
      "updates",
      "vae_loss",
    ]);
    assert(e.vae_loss > 0 && e.vae_loss < 1, `vae loss ${e.vae_loss}`);
    assert(e.g_loss! > 0 && e.d_loss! > 0 && e.images_per_s > 0);
    // the alternating loop: one discriminator and one generator update per step
    assertEquals(e.updates, { vae: 0, g: 1, d: 1 });
  }

  const samples = [...Deno.readDirSync(join(run, "samples"))].map((e) => e.name).sort();
  assertEquals(samples, ["step-000000.png", "step-000002.png", "step-000003.png"]);
  const grid = await readGrey(join(run, "samples", "step-000003.png"));
  // 8 x 8 digits at 2x the 26 px training size, 2 px gaps
  assertEquals([grid.width, grid.height], [8 * 52 + 9 * 2, 8 * 52 + 9 * 2]);
  const chart = await readGrey(join(run, "losses.png"));
  assertEquals(chart.width, 900);

  const ckpt = join(run, "checkpoint");
  const sums = (await Deno.readTextFile(join(ckpt, "checksums.sha256"))).trim().split("\n");
  assertEquals(sums.map((l) => l.split("  ")[1]).sort(), [
    "discriminator.bin",
    "discriminator.json",
    "ema.json",
    "encoder.bin",
    "encoder.ema.bin",
    "encoder.json",
    "generator.bin",
    "generator.ema.bin",
    "generator.json",
    "optimizers.bin",
    "optimizers.json",
    "state.json",
  ]);
  for (const line of sums) {
    const [hash, name] = line.split("  ");
    const digest = await crypto.subtle.digest("SHA-256", await Deno.readFile(join(ckpt, name)));
    assertEquals(
      Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, "0")).join(""),
      hash,
    );
  }
  const gen = JSON.parse(await Deno.readTextFile(join(ckpt, "generator.json")));
  assertEquals(gen.spec, { zDim: 32, width: 16, depth: 4, scale: 8, size: 26, zEveryLayer: true });
  const genBytes = (await Deno.stat(join(ckpt, "generator.bin"))).size;
  assertEquals(genBytes, 4 * (32 * 16 + 16 + 3 * 16 + 3 * (16 * 16 + 16 + 32 * 16) + 16 + 1));
  const state = JSON.parse(await Deno.readTextFile(join(ckpt, "state.json")));
  assertEquals([state.step, state.epoch], [3, 0]);
});

Deno.test("deno task train: a corrupt checkpoint is refused on --resume, not overwritten", async () => {
  await using tmp = await tempDir();
  await train(await prepareRun(tinyConfig(tmp.path, { run: "c", steps: 1 })));
  const bin = join(tmp.path, "runs", "c", "checkpoint", "encoder.bin");
  const bytes = await Deno.readFile(bin);
  bytes[0] ^= 0xff;
  await Deno.writeFile(bin, bytes);
  const r = await runScript("train", ["--out", tmp.path, "--run", "c", "--resume", "--steps", "3"]);
  assertEquals(r.code, 1);
  assertStringIncludes(r.stderr, "encoder.bin does not match its checksum");
  assertEquals(await Deno.readFile(bin), bytes);
});

Deno.test("deno task train: a diverging loss stops with a clear message, keeping the last good checkpoint", async () => {
  await using tmp = await tempDir();
  const r = await runScript("train", [
    "--out",
    tmp.path,
    "--run",
    "nan",
    "--width",
    "8",
    "--batch",
    "4",
    "--encoder-width",
    "16",
    "--steps",
    "20",
    "--lr-vae",
    "1e30",
    "--lr-g",
    "1e30",
    "--checkpoint-every",
    "1",
    "--backend",
    "wasm",
  ]);
  assertEquals(r.code, 1, r.stderr);
  const match = /Training stopped at step (\d+): the \w+ loss is/.exec(r.stderr);
  assert(match, r.stderr);
  assertStringIncludes(r.stderr, "lower learning rates");
  const ckpt = join(tmp.path, "runs", "nan", "checkpoint");
  try {
    const state = JSON.parse(await Deno.readTextFile(join(ckpt, "state.json")));
    assert(state.step < Number(match[1]));
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
    assertStringIncludes(r.stderr, "No checkpoint was saved yet");
  }
});

Deno.test("deno task train: bad flags exit 2 naming the flag", async () => {
  for (
    const [args, message] of [
      [["--batch", "0"], '--batch must be an integer >= 1, got "0"'],
      [["--lr-g", "fast"], '--lr-g must be a number > 0, got "fast"'],
      [["--backend", "tpu"], "--backend must be one of auto, gpu, node, wasm, cpu"],
      [["--epoch", "3"], "Unknown flag --epoch: did you mean --epochs?"],
      [["--steps", "0x10"], '--steps must be an integer >= 1, got "0x10"'],
      [["--resume=no"], '--resume is a switch and takes no value, got "--resume=no"'],
      [["--run", "latest"], "--run must be a name"],
      [["--run", "."], "--run must be a name"],
      [["--run", ".."], "--run must be a name"],
      [["--run", "a/b"], "--run must be a name"],
      [["--workers", "500"], '--workers must be an integer >= 1 and <= 64, got "500"'],
      [["--scale", "1e308"], '--scale must be a number > 0 and <= 10000, got "1e308"'],
    ] as [string[], string][]
  ) {
    const r = await runScript("train", args);
    assertEquals(r.code, 2);
    assertStringIncludes(r.stderr, message);
  }
  await using tmp = await tempDir();
  const r = await runScript("train", [
    "--out",
    tmp.path,
    "--data",
    join(tmp.path, "missing"),
    "--steps",
    "1",
  ]);
  assertEquals(r.code, 1);
  assertStringIncludes(r.stderr, "no such folder");
});
