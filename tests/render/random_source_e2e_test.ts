import { assert, assertEquals, assertNotEquals, assertStringIncludes } from "@std/assert";
import { join } from "@std/path";
import { readImage } from "../../lib/media/image.ts";
import { runScript, tempDir } from "../_helpers.ts";

/** Runs `deno task art ARGS` (the task itself, as a user would). */
async function art(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const { code, stdout, stderr } = await new Deno.Command(Deno.execPath(), {
    args: ["task", "-q", "art", ...args],
    stdout: "piped",
    stderr: "piped",
  }).output();
  const text = new TextDecoder();
  return { code, stdout: text.decode(stdout), stderr: text.decode(stderr) };
}

Deno.test("deno task art --seed 7: the same bytes twice, another seed differs, colour channels differ", async () => {
  await using tmp = await tempDir();
  const args = ["--out", tmp.path, "--size", "48x32", "--workers", "1"];
  for (const [seed, name] of [["7", "a"], ["7", "b"], ["8", "c"]]) {
    const r = await art([...args, "--seed", seed, "--name", name]);
    assertEquals(r.code, 0, r.stderr);
    assertStringIncludes(r.stdout, `${name}.png (48x32`);
  }
  const file = (name: string) => join(tmp.path, "renders", `${name}.png`);
  const [a, b, c] = await Promise.all(["a", "b", "c"].map((n) => Deno.readFile(file(n))));
  assertEquals(a, b);
  assertNotEquals(a, c);
  const rgb = await readImage(file("a"), 3);
  const red = rgb.pixels.filter((_, i) => i % 3 === 0);
  const green = rgb.pixels.filter((_, i) => i % 3 === 1);
  assertNotEquals(red, green);
  const sidecar = JSON.parse(await Deno.readTextFile(join(tmp.path, "renders", "a.json")));
  assertEquals(sidecar.model.kind, "random");
  assertEquals(sidecar.model.random.seed, 7);
});

Deno.test("render --random: network flags change the picture; grey with --channels 1; clear errors", async () => {
  await using tmp = await tempDir();
  const args = ["--random", "--out", tmp.path, "--size", "24", "--workers", "1", "--seed", "3"];
  const grey = await runScript("render", [...args, "--channels", "1", "--name", "g"]);
  assertEquals(grey.code, 0, grey.stderr);
  const image = await readImage(join(tmp.path, "renders", "g.png"), 1);
  assertEquals([image.width, image.height], [24, 24]);
  const sin = await runScript("render", [
    ...args,
    ...["--activation", "sin", "--inputs", "x,y,sinr", "--depth", "3", "--name", "s"],
  ]);
  assertEquals(sin.code, 0, sin.stderr);
  const digit = await runScript("render", [...args, "--digit", "3"]);
  assertEquals(digit.code, 2);
  assertStringIncludes(digit.stderr, "--digit needs a trained model's encoder");
  const model = await runScript("render", [...args, "--model", "models/mnist-cppn"]);
  assertEquals(model.code, 2);
  assertStringIncludes(model.stderr, "--random renders no model");
  const inputs = await runScript("render", [...args, "--inputs", "x,q"]);
  assertEquals(inputs.code, 2);
  assertStringIncludes(inputs.stderr, "--inputs must be a comma list of x, y, r");
});

Deno.test("walk --random: a walk of a random network through random keyframes, reproducible from its command", async () => {
  await using tmp = await tempDir();
  const args = ["--random", "--out", tmp.path, "--size", "24", "--still-size", "24"];
  const r = await runScript("walk", [...args, "--steps", "4", "--workers", "1", "--id", "w"]);
  assertEquals(r.code, 0, r.stderr);
  const record = JSON.parse(await Deno.readTextFile(join(tmp.path, "walks", "w", "walk.json")));
  assertEquals(record.keyframes.length, 10);
  assertEquals(record.model.kind, "random");
  assertStringIncludes(record.command, "--random --net-seed 1 --width 32");
  const frame = await readImage(join(tmp.path, "walks", "w", "frames", "000001.png"), 3);
  assert(new Set(frame.pixels).size > 10);
  const digits = await runScript("walk", [...args, "--digits", "1,2", "--id", "d"]);
  assertEquals(digits.code, 2);
  assertStringIncludes(digits.stderr, "A random network has no encoder and draws no digits");
});
