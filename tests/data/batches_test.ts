import { assertEquals, assertNotEquals, assertThrows } from "@std/assert";
import { BatchSchedule, oneHotLabels, trainingBatch } from "../../lib/data/batches.ts";
import { randomCrops } from "../../lib/data/crop.ts";
import type { ImageSet } from "../../lib/data/mnist.ts";
import { Rng } from "../../lib/base/rng.ts";

Deno.test("BatchSchedule: each epoch covers every image once, reshuffled per epoch", () => {
  const s = new BatchSchedule(10, 3, 1);
  assertEquals(s.stepsPerEpoch, 3);
  const epoch0 = [0, 1, 2].flatMap((i) => [...s.indices(i)]);
  assertEquals(new Set(epoch0).size, 9);
  const epoch1 = [3, 4, 5].flatMap((i) => [...s.indices(i)]);
  assertNotEquals(epoch0, epoch1);
  assertEquals(s.epochOf(5), 1);
  // recomputed from scratch (as after a resume): same batch
  assertEquals([...new BatchSchedule(10, 3, 1).indices(4)], [...s.indices(4)]);
  assertThrows(() => new BatchSchedule(2, 3, 1), Error, "larger than the data set");
});

Deno.test("oneHotLabels: the batch's classes as one-hot rows; a label past the classes is refused", () => {
  const labels = Uint8Array.from([3, 0, 2, 1]);
  assertEquals(Array.from(oneHotLabels(labels, [2, 0], 4)), [0, 0, 1, 0, 0, 0, 0, 1]);
  assertThrows(
    () => oneHotLabels(labels, [0], 3),
    Error,
    "Image 0 has label 3; the class head has 3",
  );
});

Deno.test("trainingBatch: the crops randomCrops draws, with one-hot labels only for a class head", () => {
  const pixels = Uint8Array.from({ length: 4 * 28 * 28 }, (_, i) => (i * 7) % 256);
  const set: ImageSet = {
    count: 4,
    width: 28,
    height: 28,
    pixels,
    labels: Uint8Array.of(3, 1, 4, 1),
  };
  const indices = [2, 0, 2];
  const plain = trainingBatch(set, indices, 26, new Rng(9), 0);
  assertEquals(plain.x, randomCrops(set, indices, 26, new Rng(9)));
  assertEquals(plain.labels, null);
  const headed = trainingBatch(set, indices, 26, new Rng(9), 5);
  assertEquals(headed.x, plain.x);
  assertEquals([...headed.labels!], [0, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 1]);
  assertThrows(
    () => trainingBatch({ ...set, labels: null }, indices, 26, new Rng(9), 5),
    Error,
    "needs the images' labels",
  );
});
