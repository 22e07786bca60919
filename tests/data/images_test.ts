import { assert, assertEquals, assertRejects, assertStringIncludes } from "@std/assert";
import { join } from "@std/path";
import { loadDataset } from "../../lib/data/dataset.ts";
import { hasColour, inSplit, loadImageFolder } from "../../lib/data/images.ts";
import { tempDir, writePictures } from "../_helpers.ts";

/** The RGB (or grey) value at (x, y) of image `n` of a set of side `size`. */
function at(pixels: Uint8Array, n: number, x: number, y: number, size: number, c: number) {
  const k = ((n * size + y) * size + x) * c;
  return Array.from(pixels.subarray(k, k + c));
}

Deno.test("loadImageFolder: PNG, JPEG and WebP of any size, fitted, colour detected", async () => {
  await using dir = await tempDir();
  await writePictures(join(dir.path, "a"), 4);
  await writePictures(join(dir.path, "b"), 3, { format: "jpeg" });
  await writePictures(join(dir.path, "c"), 3, { format: "webp" });
  await Deno.writeTextFile(join(dir.path, "README.txt"), "not a picture");
  const set = await loadImageFolder(dir.path, { size: 16 });
  assertEquals([set.count, set.width, set.height, set.channels], [10, 16, 16, 3]);
  assertEquals(set.labels, null);
  assertEquals(set.paths[0], join("a", "pic000.png"));
  for (let n = 0; n < set.count; n++) {
    // the disc's centre is red-orange, the corner blue: channels differ where they should
    const [r, g, b] = at(set.pixels, n, 8, 8, 16, 3);
    assert(r > 180 && b < 90 && r > g, `image ${n} centre ${[r, g, b]}`);
    const [r0, , b0] = at(set.pixels, n, 0, 0, 16, 3);
    assert(b0 > 140 && r0 < 60, `image ${n} corner ${[r0, b0]}`);
  }
  // --channels 1 (or grey pictures) give one channel
  const grey = await loadImageFolder(dir.path, { size: 16, channels: 1 });
  assertEquals([grey.channels ?? 1, grey.pixels.length], [1, 10 * 16 * 16]);
  await using greyDir = await tempDir();
  await writePictures(greyDir.path, 3, { grey: true, format: "jpeg" });
  assertEquals((await loadImageFolder(greyDir.path, { size: 12 })).channels ?? 1, 1);
});

Deno.test("loadImageFolder: crop keeps the aspect, resize squashes, pad adds black bars", async () => {
  await using dir = await tempDir();
  // one 63x53 picture: a disc of radius ~28 in the middle
  const [path] = (await writePictures(dir.path, 24)).slice(23);
  for (const p of (await writePictures(dir.path, 23))) await Deno.remove(p);
  assertStringIncludes(path, "pic023");
  const crop = await loadImageFolder(dir.path, { size: 20, fit: "crop" });
  const pad = await loadImageFolder(dir.path, { size: 20, fit: "pad" });
  const resize = await loadImageFolder(dir.path, { size: 20, fit: "resize" });
  // pad: black bars above and below; crop and resize: the ground colour there
  assertEquals(at(pad.pixels, 0, 10, 0, 20, 3), [0, 0, 0]);
  assert(at(crop.pixels, 0, 10, 0, 20, 3)[2] > 140);
  assert(at(resize.pixels, 0, 0, 10, 20, 3)[2] > 140);
  assert(at(crop.pixels, 0, 10, 10, 20, 3)[0] > 180);
});

Deno.test("loadImageFolder: errors name the folder or the file", async () => {
  await using dir = await tempDir();
  await assertRejects(
    () => loadImageFolder(dir.path, { size: 16 }),
    Error,
    `Cannot load data from "${dir.path}": no PNG, JPEG, WebP or SVG files in it (it is empty)`,
  );
  const paths = await writePictures(dir.path, 3);
  // --fit none: every picture must already be --size x --size
  await assertRejects(
    () => loadImageFolder(dir.path, { size: 40, fit: "none" }),
    Error,
    `Cannot read image "${paths[0]}": it is 40x30, not 40x40`,
  );
  const bad = join(dir.path, "pic001.png");
  await Deno.writeFile(bad, (await Deno.readFile(bad)).subarray(0, 60)); // truncated
  const error = await assertRejects(() => loadImageFolder(dir.path, { size: 16 }), Error);
  assertStringIncludes(error.message, `Cannot read image "${bad}"`);
  await Deno.writeTextFile(bad, "hello");
  const error2 = await assertRejects(() => loadImageFolder(dir.path, { size: 16 }), Error);
  assertStringIncludes(error2.message, `Cannot read image "${bad}": not a readable image`);
});

Deno.test("Splits: one picture in ten is held out (sets of 20 or more)", async () => {
  assertEquals([0, 8, 9, 10, 19].map((i) => inSplit(i, 30, "test")), [
    false,
    false,
    true,
    false,
    true,
  ]);
  assertEquals([0, 9].map((i) => inSplit(i, 19, "test")), [true, true]); // too few: no split
  await using dir = await tempDir();
  await writePictures(dir.path, 25);
  const train = await loadDataset({ data: dir.path, size: 12 }, "train");
  const test = await loadDataset({ data: dir.path, size: 12 }, "test");
  assertEquals([train.count, test.count], [23, 2]);
  assertEquals((test as { paths?: string[] }).paths, ["pic009.png", "pic019.png"]);
});

Deno.test("loadDataset: IDX data keeps working; --size and --channels are checked against it", async () => {
  const mnist = await loadDataset({ data: "mnist", size: 26 }, "test");
  assertEquals([mnist.count, mnist.width, mnist.channels ?? 1], [10000, 28, 1]);
  await assertRejects(
    () => loadDataset({ data: "mnist", size: 32 }, "test"),
    Error,
    '--size 32: the IDX images of "mnist" are 28x28; they are cropped, not resized',
  );
  await assertRejects(
    () => loadDataset({ data: "mnist", size: 26, channels: 3 }, "test"),
    Error,
    '--channels 3: the IDX images of "mnist" are greyscale',
  );
  await assertRejects(
    () => loadDataset({ data: "/nonexistent/pictures", size: 26 }, "train"),
    Error,
    "no such folder",
  );
});

Deno.test("hasColour: grey within the JPEG tolerance is grey", () => {
  assertEquals(hasColour(new Uint8Array([10, 14, 12, 200, 200, 200])), false);
  assertEquals(hasColour(new Uint8Array([10, 30, 12])), true);
});
