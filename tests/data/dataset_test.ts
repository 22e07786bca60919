import { assertEquals } from "@std/assert";
import { join } from "@std/path";
import { hasLabels } from "../../lib/data/dataset.ts";
import { idxBytes, tempDir, writePictures } from "../_helpers.ts";

Deno.test("hasLabels: MNIST and IDX folders with a label file have labels; pictures do not", async () => {
  await using dir = await tempDir();
  assertEquals(await hasLabels("mnist"), true);
  const idx = join(dir.path, "idx");
  await Deno.mkdir(idx);
  await Deno.writeFile(join(idx, "train-images-idx3-ubyte"), idxBytes([3, 28, 28]));
  assertEquals(await hasLabels(idx), false);
  // only the training split's labels count
  await Deno.writeFile(join(idx, "t10k-labels-idx1-ubyte"), idxBytes([3]));
  assertEquals(await hasLabels(idx), false);
  await Deno.writeFile(join(idx, "train-labels-idx1-ubyte.gz"), new Uint8Array(0));
  assertEquals(await hasLabels(idx), true);
  const pictures = join(dir.path, "pictures");
  await writePictures(pictures, 2);
  assertEquals(await hasLabels(pictures), false);
  assertEquals(await hasLabels(join(dir.path, "missing")), false);
});
