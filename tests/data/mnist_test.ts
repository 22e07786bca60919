import { assert, assertEquals, assertRejects } from "@std/assert";
import { join } from "@std/path";
import { loadMnist } from "../../lib/data/mnist.ts";
import { idxBytes, tempDir } from "../_helpers.ts";

Deno.test("loadMnist: the bundled set is the real MNIST (60k train, 10k test)", async () => {
  const train = await loadMnist("mnist", "train");
  assertEquals([train.count, train.height, train.width], [60000, 28, 28]);
  assertEquals(train.labels?.length, 60000);
  // the first training image is a 5, and digits cover all classes
  assertEquals(train.labels![0], 5);
  assertEquals(new Set(train.labels).size, 10);
  const test = await loadMnist("mnist", "test");
  assertEquals(test.count, 10000);
  assertEquals(test.labels![0], 7);
  const max = train.pixels.subarray(0, 784).reduce((a, b) => Math.max(a, b), 0);
  assertEquals(max, 255);
});

Deno.test("loadMnist: a folder of gzipped IDX files; errors name the problem", async () => {
  await using dir = await tempDir();
  await assertRejects(() => loadMnist(join(dir.path, "nope")), Error, "no such folder");
  await assertRejects(() => loadMnist(dir.path), Error, "no train-images-idx3-ubyte");
  const gzip = async (b: Uint8Array) =>
    new Uint8Array(
      await new Response(
        new Blob([b as Uint8Array<ArrayBuffer>]).stream().pipeThrough(
          new CompressionStream("gzip"),
        ),
      ).arrayBuffer(),
    );
  await Deno.writeFile(
    join(dir.path, "train-images-idx3-ubyte.gz"),
    await gzip(idxBytes([3, 28, 28])),
  );
  const set = await loadMnist(dir.path);
  assertEquals([set.count, set.width, set.labels], [3, 28, null]);
  await Deno.writeFile(join(dir.path, "train-labels-idx1-ubyte"), idxBytes([4]));
  await assertRejects(() => loadMnist(dir.path), Error, "4 labels for 3 images");
  const file = join(dir.path, "afile");
  await Deno.writeTextFile(file, "x");
  const err = await assertRejects(() => loadMnist(file));
  assert((err as Error).message.includes("not a folder"));
});
