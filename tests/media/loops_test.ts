import { assert, assertEquals, assertRejects, assertStringIncludes } from "@std/assert";
import { join } from "@std/path";
import { findFfmpeg } from "../../lib/media/ffmpeg.ts";
import { encodeLoop } from "../../lib/media/loops.ts";
import { writeGreyPng } from "../../lib/media/png_stream.ts";
import { tempDir } from "../_helpers.ts";

/** Decodes a video with ffmpeg itself: its stream line and its frames as 8-bit grey. */
async function decodeGrey(ffmpeg: string, path: string) {
  const info = await new Deno.Command(ffmpeg, {
    args: ["-hide_banner", "-i", path],
    stderr: "piped",
  })
    .output();
  const decoded = await new Deno.Command(ffmpeg, {
    args: ["-v", "error", "-i", path, "-f", "rawvideo", "-pix_fmt", "gray", "-"],
    stdout: "piped",
  }).output();
  assert(decoded.success, `ffmpeg cannot decode ${path}`);
  return { text: new TextDecoder().decode(info.stderr), bytes: decoded.stdout };
}

/** Frames of a moving gradient, as PNGs in `dir/%06d.png`. */
async function gradientFrames(dir: string, count: number, w: number, h: number) {
  const frames: Uint8Array[] = [];
  for (let f = 0; f < count; f++) {
    const pixels = new Uint8Array(w * h);
    for (let i = 0; i < w * h; i++) pixels[i] = ((i % w) * 255 / (w - 1) + f * 20) % 256;
    frames.push(pixels);
    await writeGreyPng(join(dir, `${String(f).padStart(6, "0")}.png`), w, h, pixels);
  }
  return frames;
}

Deno.test("encodeLoop: GIF with its own palette, loops forever, every frame, scaled to the cap", async () => {
  const ffmpeg = await findFfmpeg();
  if (!ffmpeg) return console.warn("no ffmpeg: skipped");
  await using tmp = await tempDir();
  const frames = await gradientFrames(tmp.path, 7, 64, 48);
  const s = { frames: join(tmp.path, "%06d.png"), fps: 10, gifMaxSide: 64 };
  const path = join(tmp.path, "walk.gif");
  const size = await encodeLoop(ffmpeg.path, "gif", s, path);
  const bytes = await Deno.readFile(path);
  assertEquals(bytes.length, size);
  assertEquals(new TextDecoder().decode(bytes.subarray(0, 6)), "GIF89a");
  // the NETSCAPE2.0 block with loop count 0: play forever
  const text = new TextDecoder("latin1").decode(bytes);
  const at = text.indexOf("NETSCAPE2.0");
  assert(at > 0, "no loop block");
  assertEquals([...bytes.subarray(at + 11, at + 15)], [3, 1, 0, 0]);
  const gif = await decodeGrey(ffmpeg.path, path);
  assertEquals(gif.bytes.length, 7 * 64 * 48);
  // 256 palette entries hold a grey ramp exactly: no banding
  let worst = 0;
  frames.forEach((f, n) =>
    f.forEach((v, i) => worst = Math.max(worst, Math.abs(v - gif.bytes[n * 64 * 48 + i])))
  );
  assert(worst <= 2, `GIF differs from the frames by ${worst} levels`);
  // the size cap scales the longest side down
  const small = join(tmp.path, "small.gif");
  await encodeLoop(ffmpeg.path, "gif", { ...s, gifMaxSide: 32 }, small);
  assertStringIncludes((await decodeGrey(ffmpeg.path, small)).text, "32x24");
  assertEquals([...Deno.readDirSync(tmp.path)].filter((e) => e.name.includes(".tmp-")), []);
});

Deno.test("encodeLoop: WebM as VP9 with every frame; a failure names the format and leaves nothing", async () => {
  const ffmpeg = await findFfmpeg();
  if (!ffmpeg) return console.warn("no ffmpeg: skipped");
  await using tmp = await tempDir();
  await gradientFrames(tmp.path, 5, 33, 20);
  const path = join(tmp.path, "walk.webm");
  await encodeLoop(ffmpeg.path, "webm", {
    frames: join(tmp.path, "%06d.png"),
    fps: 24,
    gifMaxSide: 720,
  }, path);
  const webm = await decodeGrey(ffmpeg.path, path);
  assertStringIncludes(webm.text, "vp9");
  assertStringIncludes(webm.text, "34x20"); // odd sides padded for yuv420p
  assertEquals(webm.bytes.length, 5 * 34 * 20);
  await assertRejects(
    () =>
      encodeLoop(ffmpeg.path, "webm", {
        frames: join(tmp.path, "none-%06d.png"),
        fps: 24,
        gifMaxSide: 720,
      }, join(tmp.path, "x.webm")),
    Error,
    "ffmpeg failed writing the WEBM",
  );
  assertEquals([...Deno.readDirSync(tmp.path)].filter((e) => e.name.includes("x.webm")), []);
});
