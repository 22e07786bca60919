import { assert, assertEquals, assertStringIncludes } from "@std/assert";
import { join } from "@std/path";
import sharp from "sharp";
import { decodeFitted } from "../../lib/data/images.ts";
import { findFfmpeg } from "../../lib/media/ffmpeg.ts";
import { prepareRun, train } from "../../lib/train/loop.ts";
import { runScript, tempDir, tinyConfig, useWasm, writePictures } from "../_helpers.ts";
import { colourfulness } from "../_onnx_fixtures.ts";

await useWasm();

/** Pearson correlation of two equally long arrays. */
function correlation(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let ma = 0, mb = 0;
  for (let i = 0; i < a.length; i++) [ma, mb] = [ma + a[i], mb + b[i]];
  [ma, mb] = [ma / a.length, mb / b.length];
  let ab = 0, aa = 0, bb = 0;
  for (let i = 0; i < a.length; i++) {
    const x = a[i] - ma, y = b[i] - mb;
    [ab, aa, bb] = [ab + x * y, aa + x * x, bb + y * y];
  }
  return ab / Math.sqrt(aa * bb);
}

async function rgb(path: string): Promise<{ data: Uint8Array; width: number; channels: number }> {
  const { data, info } = await sharp(path).raw().toBuffer({ resolveWithObject: true });
  return { data: new Uint8Array(data), width: info.width, channels: info.channels };
}

Deno.test("render --image and walk --images: a model trained briefly on a set draws its pictures back, in colour", async () => {
  await using tmp = await tempDir();
  const pictures = await writePictures(join(tmp.path, "pictures"), 10);
  // a VAE (no GAN) learns the set's discs within a hundred small steps
  const run = await train(
    await prepareRun(tinyConfig(tmp.path, {
      run: "own",
      data: join(tmp.path, "pictures"),
      size: 16,
      steps: 120,
      batch: 8,
      width: 16,
      encoderWidth: 64,
      discChannels: [4, 4],
      gan: false,
      lrVae: 0.01,
      emaDecay: 0,
      checkpointEvery: 1000,
      sampleEvery: 1000,
      logEvery: 50,
    })),
  );
  assertEquals(run.config.channels, 3);
  const common = ["--out", tmp.path, "--run", "own", "--backend", "wasm", "--workers", "1"];
  // the smallest disc (picture 0) and the largest (picture 4), each rendered from its encoding
  for (const [i, other] of [[0, 4], [4, 0]]) {
    const result = await runScript("render", [...common, "--image", pictures[i], "--size", "16"]);
    assertEquals(result.code, 0, result.stderr);
    const path = join(tmp.path, "renders", `image-pic00${i}-16.png`);
    assertStringIncludes(result.stdout, path);
    const drawn = await rgb(path);
    assertEquals([drawn.width, drawn.channels], [16, 3]);
    const own = correlation(drawn.data, await decodeFitted(pictures[i], 16, "crop"));
    const wrong = correlation(drawn.data, await decodeFitted(pictures[other], 16, "crop"));
    assert(own > 0.85, `picture ${i}: correlation with its own reconstruction ${own}`);
    assert(own > wrong + 0.05, `picture ${i}: own ${own}, the other picture's ${wrong}`);
    assert(colourfulness(drawn.data) > 40, `picture ${i} is grey: ${colourfulness(drawn.data)}`);
    // at any size: a large render is the same picture
    const large = await runScript("render", [...common, "--image", pictures[i], "--size", "96"]);
    assertEquals(large.code, 0, large.stderr);
  }
  // a colour walk between two pictures: RGB frames, stills and an MP4
  const walk = await runScript("walk", [
    ...common,
    "--images",
    `${pictures[0]},${pictures[4]}`,
    "--steps",
    "4",
    "--size",
    "32",
    "--still-size",
    "48",
  ]);
  assertEquals(walk.code, 0, walk.stderr);
  const dir = join(
    tmp.path,
    "walks",
    (await Array.fromAsync(Deno.readDir(join(tmp.path, "walks"))))[0].name,
  );
  const record = JSON.parse(await Deno.readTextFile(join(dir, "walk.json")));
  assertEquals(record.keyframes.map((k: { label: string }) => k.label), [
    "pic000.png",
    "pic004.png",
  ]);
  for (
    const file of ["frames/000000.png", "frames/000003.png", "stills/key-00.png", "contact.png"]
  ) {
    const image = await rgb(join(dir, file));
    assertEquals(image.channels, 3, file);
    assert(colourfulness(image.data) > 20, `${file} is grey: ${colourfulness(image.data)}`);
  }
  // the MP4 is colour too (yuv420p): its first frame decoded back to RGB
  const ffmpeg = await findFfmpeg();
  if (ffmpeg) {
    assertEquals(record.video, "walk.mp4");
    const { stdout } = await new Deno.Command(ffmpeg.path, {
      args: [
        "-v",
        "error",
        "-i",
        join(dir, "walk.mp4"),
        "-frames:v",
        "1",
        "-f",
        "rawvideo",
        "-pix_fmt",
        "rgb24",
        "-",
      ],
      stdout: "piped",
    }).output();
    assertEquals(stdout.length, 32 * 32 * 3);
    assert(colourfulness(stdout) > 20, `the MP4 is grey: ${colourfulness(stdout)}`);
  }
  // --digit is refused with what to do instead
  const bad = await runScript("render", [...common, "--digit", "3", "--size", "16"]);
  assertEquals(bad.code, 2); // a flag error
  assertStringIncludes(bad.stderr, "this model draws colour 16x16 pictures, not MNIST digits");
});
