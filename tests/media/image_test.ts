import { assertEquals } from "@std/assert";
import { join } from "@std/path";
import { grid, readGrey, toBytes, writePng } from "../../lib/media/image.ts";
import { tempDir } from "../_helpers.ts";

Deno.test("toBytes: rounds, clamps and inverts", () => {
  assertEquals(toBytes([0, 0.5, 1, -1, 2, NaN]), new Uint8Array([0, 128, 255, 0, 255, 0]));
  assertEquals(toBytes([0, 1], true), new Uint8Array([255, 0]));
});

Deno.test("grid + writePng: an 8-bit one-channel PNG with each tile in place", async () => {
  await using dir = await tempDir();
  const images = new Float32Array(3 * 4).fill(0);
  images.fill(1, 4, 8); // second image white
  const g = grid(images, 3, 2, 2, 1);
  assertEquals([g.width, g.height], [2 * 2 + 3, 2 * 2 + 3]);
  const path = join(dir.path, "g.png");
  await writePng(path, g);
  const back = await readGrey(path);
  assertEquals([back.width, back.height], [7, 7]);
  assertEquals(back.pixels, g.pixels);
  assertEquals(back.pixels[1 * 7 + 4], 255); // second tile starts at x = 1 + 2 + 1
  const header = await Deno.readFile(path);
  assertEquals(header[24], 8); // bit depth
  assertEquals(header[25], 0); // colour type 0: greyscale
});
