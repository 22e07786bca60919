import { assert, assertEquals, assertStringIncludes } from "@std/assert";
import { join } from "@std/path";
import { findFfmpeg } from "../../lib/media/ffmpeg.ts";
import { readGrey } from "../../lib/media/image.ts";
import type { WalkRecord } from "../../lib/latent/walk.ts";
import { runScript, smallDisk, tempDir, tinyModel } from "../_helpers.ts";

async function probe(ffmpeg: string, path: string) {
  const info = await new Deno.Command(ffmpeg, {
    args: ["-hide_banner", "-i", path],
    stderr: "piped",
  }).output();
  const decoded = await new Deno.Command(ffmpeg, {
    args: ["-v", "error", "-i", path, "-f", "rawvideo", "-pix_fmt", "gray", "-"],
    stdout: "piped",
  }).output();
  return { text: new TextDecoder().decode(info.stderr), bytes: decoded.stdout.length };
}

Deno.test("deno task walk (end to end): frames, MP4, stills, contact sheet, walk.json; resume and skip", async () => {
  const model = await tinyModel();
  await using tmp = await tempDir();
  const args = [
    "--model",
    model,
    "--out",
    tmp.path,
    "--steps",
    "8",
    "--size",
    "64",
    "--still-size",
    "96x80",
    "--digits",
    "1,7",
    "--workers",
    "2",
    "--id",
    "w",
  ];
  const r = await runScript("walk", args);
  assertEquals(r.code, 0, r.stderr);
  const dir = join(tmp.path, "walks", "w");
  const frames = [...Deno.readDirSync(join(dir, "frames"))].map((e) => e.name).sort();
  assertEquals(frames, [
    "000000.png",
    "000001.png",
    "000002.png",
    "000003.png",
    "000004.png",
    "000005.png",
    "000006.png",
    "000007.png",
  ]);
  const frame = await readGrey(join(dir, "frames", "000003.png"));
  assertEquals([frame.width, frame.height], [64, 64]);
  const still = await readGrey(join(dir, "stills", "key-01.png"));
  assertEquals([still.width, still.height], [96, 80]);
  const contact = await readGrey(join(dir, "contact.png"));
  assertEquals(contact.width, 6 * 160 + 7 * 4); // 8 frames: 6 columns of 160 px

  const record = JSON.parse(await Deno.readTextFile(join(dir, "walk.json"))) as WalkRecord;
  assertEquals(record.format, "cppn-walk/1");
  assertEquals(record.complete, true);
  assertEquals(record.keyframes.map((k) => [k.label, k.digit, k.z.length]), [["digit 1", 1, 8], [
    "digit 7",
    7,
    8,
  ]]);
  assertEquals(record.settings.interp, "slerp");
  assertEquals([record.settings.width, record.settings.stillWidth, record.settings.stillHeight], [
    64,
    96,
    80,
  ]);
  assertEquals(record.frames.count, 8);
  assertStringIncludes(record.command, "--digits 1,7");
  assert(record.timings!.total_s > 0);

  const ffmpeg = await findFfmpeg();
  assert(ffmpeg, "ffmpeg (npm:@ffmpeg-installer/ffmpeg) should be available");
  assertEquals(record.video, "walk.mp4");
  const mp4 = await probe(ffmpeg.path, join(dir, "walk.mp4"));
  assertStringIncludes(mp4.text, "h264");
  assertStringIncludes(mp4.text, "yuv420p");
  assertStringIncludes(mp4.text, "64x64");
  assertEquals(mp4.bytes, 8 * 64 * 64); // 8 frames decoded

  // a finished walk is skipped
  const again = await runScript("walk", args);
  assertEquals(again.code, 0, again.stderr);
  assertStringIncludes(again.stdout, "already complete");

  // an interrupted walk resumes, reusing the frames already on disk
  const partial = { ...record, complete: false };
  await Deno.writeTextFile(join(dir, "walk.json"), JSON.stringify(partial));
  for (const f of ["000005.png", "000006.png", "000007.png"]) {
    await Deno.remove(join(dir, "frames", f));
  }
  await Deno.remove(join(dir, "walk.mp4"));
  const before = await Deno.readFile(join(dir, "frames", "000002.png"));
  const resumed = await runScript("walk", args);
  assertEquals(resumed.code, 0, resumed.stderr);
  assertStringIncludes(resumed.stdout, "resumed: 5 frames reused");
  const after = JSON.parse(await Deno.readTextFile(join(dir, "walk.json"))) as WalkRecord;
  assertEquals([after.timings!.frames_rendered, after.timings!.frames_reused], [3, 5]);
  assertEquals(await Deno.readFile(join(dir, "frames", "000002.png")), before);
  assertEquals((await probe(ffmpeg.path, join(dir, "walk.mp4"))).bytes, 8 * 64 * 64);

  // a different walk may not take the same folder without --force
  const other = await runScript("walk", [...args.slice(0, -2), "--id", "w", "--seed", "9"]);
  assertEquals(other.code, 1);
  assertStringIncludes(other.stderr, "already holds a different walk. Pass --force");
  const forced = await runScript("walk", [...args, "--seed", "9", "--force"]);
  assertEquals(forced.code, 0, forced.stderr);
});

Deno.test("deno task walk: --count renders separate walks; --plan validates its entries", async () => {
  const model = await tinyModel();
  await using tmp = await tempDir();
  const base = [
    "--model",
    model,
    "--out",
    tmp.path,
    "--steps",
    "2",
    "--size",
    "16",
    "--still-size",
    "16",
    "--keyframes",
    "random:2",
  ];
  const r = await runScript("walk", [...base, "--count", "2", "--id", "c"]);
  assertEquals(r.code, 0, r.stderr);
  const seeds = await Promise.all(
    ["c-1", "c-2"].map(async (id) =>
      JSON.parse(await Deno.readTextFile(join(tmp.path, "walks", id, "walk.json"))).settings.seed
    ),
  );
  assertEquals(seeds, [1, 2]);
  const plan = join(tmp.path, "plan.json");
  await Deno.writeTextFile(
    plan,
    JSON.stringify([{ id: "p1", digits: [3, 4] }, { id: "p2", steps: 3, loop: false }]),
  );
  const p = await runScript("walk", [...base.slice(0, -2), "--plan", plan]);
  assertEquals(p.code, 0, p.stderr);
  const p2 = JSON.parse(await Deno.readTextFile(join(tmp.path, "walks", "p2", "walk.json")));
  assertEquals([p2.frames.count, p2.settings.loop], [3, false]);
  const p1 = JSON.parse(await Deno.readTextFile(join(tmp.path, "walks", "p1", "walk.json")));
  assertEquals(p1.keyframes.map((k: { digit: number }) => k.digit), [3, 4]);
  await Deno.writeTextFile(plan, JSON.stringify([{ id: "x", stepz: 3 }]));
  const bad = await runScript("walk", [...base, "--plan", plan]);
  assertEquals(bad.code, 2);
  assertStringIncludes(bad.stderr, 'walk 0: unknown setting "stepz"');
  const refused: [unknown, string][] = [
    [{ loop: "false" }, '--loop must be true or false, got "false"'],
    [{ size: "0x0" }, '--size must be a size in pixels, N or WxH, each from 1 to 65535, got "0x0"'],
    [{ id: ".." }, "--id must be a name"],
    [{ id: "latest" }, "--id must be a name"],
  ];
  for (const [entry, message] of refused) {
    await Deno.writeTextFile(plan, JSON.stringify([entry]));
    const r = await runScript("walk", [...base, "--plan", plan]);
    assertEquals(r.code, 2, r.stderr);
    assertStringIncludes(r.stderr, `walk 0: ${message}`);
  }
});

Deno.test("deno task walk / render: bad input is a clear error, and nothing is overwritten", async () => {
  const model = await tinyModel();
  await using tmp = await tempDir();
  const base = ["--model", model, "--out", tmp.path];
  const cases: [string, string[], number, string][] = [
    ["walk", ["--steps", "1"], 2, '--steps must be an integer >= 2, got "1"'],
    ["walk", ["--size", "0"], 2, "--size must be a size in pixels"],
    ["walk", ["--size", "-5"], 2, "--size must be a size in pixels"],
    ["walk", ["--fps", "x"], 2, "--fps must be an integer"],
    ["walk", ["--digits", "1,12"], 2, "--digits: 12 is not a digit"],
    ["render", ["--digit", "12"], 2, "--digit must be an integer >= 0 and <= 9"],
    ["render", ["--seed", "1", "--center", "1"], 2, "--center must be a point x,y"],
    ["walk", ["--id", ".", "--force"], 2, "--id must be a name of letters, digits, "],
    ["walk", ["--id", "..", "--force"], 2, "(not '.', '..' or 'latest'), got \"..\""],
    ["walk", ["--run", "latest"], 2, "--run must be a name"],
    ["render", ["--name", "..", "--force"], 2, "--name must be a name"],
  ];
  for (const [script, args, code, message] of cases) {
    const r = await runScript(script, [...base, ...args]);
    assertEquals(r.code, code, `${args}: ${r.stderr}`);
    assertStringIncludes(r.stderr, message);
  }
  const missing = await runScript("render", ["--model", join(tmp.path, "nope"), "--seed", "1"]);
  assertEquals(missing.code, 2);
  assertStringIncludes(missing.stderr, "does not exist");
  // a corrupt model is refused
  const broken = join(tmp.path, "broken");
  await Deno.mkdir(broken);
  for (const e of Deno.readDirSync(model)) {
    await Deno.copyFile(join(model, e.name), join(broken, e.name));
  }
  // (a training checkpoint: renders read the moving average of the weights)
  const bin = await Deno.readFile(join(broken, "generator.ema.bin"));
  bin[3] ^= 1;
  await Deno.writeFile(join(broken, "generator.ema.bin"), bin);
  const corrupt = await runScript("render", ["--model", broken, "--out", tmp.path, "--seed", "1"]);
  assertEquals(corrupt.code, 1);
  assertStringIncludes(corrupt.stderr, "generator.ema.bin does not match its checksum");
  // the walk's folder is a file
  await Deno.mkdir(join(tmp.path, "walks"), { recursive: true });
  await Deno.writeTextFile(join(tmp.path, "walks", "f"), "x");
  const file = await runScript("walk", [
    ...base,
    "--id",
    "f",
    "--steps",
    "2",
    "--size",
    "8",
    "--still-size",
    "8",
  ]);
  assertEquals(file.code, 1);
  assertStringIncludes(file.stderr, "is a file, not a folder");
  // renders are not overwritten without --force
  const one = ["--seed", "3", "--size", "40x30", "--name", "r"];
  assertEquals((await runScript("render", [...base, ...one])).code, 0);
  const first = await Deno.readFile(join(tmp.path, "renders", "r.png"));
  const twice = await runScript("render", [...base, ...one]);
  assertEquals(twice.code, 2);
  assertStringIncludes(twice.stderr, "already exists: pass --force");
  assertEquals(await Deno.readFile(join(tmp.path, "renders", "r.png")), first);
  const sidecar = JSON.parse(await Deno.readTextFile(join(tmp.path, "renders", "r.json")));
  assertEquals([
    sidecar.format,
    sidecar.width,
    sidecar.height,
    sidecar.source.seed,
    sidecar.z.length,
  ], ["cppn-render/1", 40, 30, 3, 8]);
});

Deno.test("deno task render / walk: a full disk ends with one line and no temporary files", async () => {
  // the tiny model's smooth 2048² render is a 12 KB PNG
  await using disk = await smallDisk(8);
  if (!disk) {
    console.warn("skipped: mounting a small disk needs root");
    return;
  }
  const model = await tinyModel();
  const base = ["--model", model, "--out", disk.path];
  const render = await runScript("render", [...base, "--seed", "1", "--size", "2048"]);
  const walk = await runScript("walk", [...base, "--steps", "2", "--size", "1024", "--id", "w"]);
  for (const r of [render, walk]) {
    assertEquals(r.code, 1, r.stderr);
    const errors = r.stderr.split("\n").filter((l) => l.startsWith("error:"));
    assertEquals(errors.length, 1, r.stderr);
    assertStringIncludes(errors[0], "no space left on device");
    assert(!r.stderr.includes("    at "), r.stderr);
  }
  const temps = [...Deno.readDirSync(join(disk.path, "renders"))].filter((e) =>
    e.name.includes(".tmp-")
  );
  assertEquals(temps, []);
});

Deno.test("deno task render: temporary files of a process that died are removed by the next run", async () => {
  const model = await tinyModel();
  await using tmp = await tempDir();
  const renders = join(tmp.path, "renders");
  await Deno.mkdir(renders);
  const child = new Deno.Command("true").spawn();
  await child.status;
  const stale = join(renders, `.x.png.tmp-${child.pid}-0123abcd`);
  const live = join(renders, `.y.png.tmp-${Deno.pid}-0123abcd`); // a running process's
  await Deno.writeTextFile(stale, "partial");
  await Deno.writeTextFile(live, "partial");
  const r = await runScript("render", [
    "--model",
    model,
    "--out",
    tmp.path,
    "--seed",
    "1",
    "--size",
    "8",
  ]);
  assertEquals(r.code, 0, r.stderr);
  assert(!(await Deno.stat(stale).catch(() => null)));
  assert(await Deno.stat(live));
});
