import { assert, assertEquals } from "@std/assert";
import { loadGenerator } from "../../lib/model/network_files.ts";
import { renderBands, Throughput } from "../../lib/explore/bands.ts";
import { foldWeights, Renderer } from "../../lib/render/renderer.ts";
import { Rng } from "../../lib/base/rng.ts";
import { tf } from "../../lib/base/tf.ts";
import { tinyModel, useWasm } from "../_helpers.ts";

Deno.test("explore render: bands add up to the whole image, adapt their size, and stop when asked", async () => {
  await useWasm();
  const renderer = new Renderer(foldWeights(await loadGenerator(await tinyModel())));
  try {
    const request = {
      z: new Rng(5).normal(renderer.spec.zDim),
      width: 37,
      height: 29,
      view: { scale: 3, center: [0.5, 1] as [number, number] },
    };
    const whole = await renderer.renderBytes(request);
    const image = new Uint8Array(request.width * request.height);
    const rows: [number, number][] = [];
    let pauses = 0;
    let clock = 0;
    const tensors = tf.memory().numTensors;
    const result = await renderBands(renderer, request, {
      bandPixels: 100,
      targetMs: 10,
      // Every band "takes" 5 ms, so bands double (100, 200 px) up to the 8-row limit.
      now: () => (clock += 2.5),
      maxBandPixels: 8 * 37,
      pause: () => {
        pauses++;
        return Promise.resolve();
      },
      onBand: (start, end, bytes) => {
        rows.push([start, end]);
        image.set(bytes, start * request.width);
      },
    });
    assertEquals(tf.memory().numTensors, tensors);
    assert(result.completed);
    assertEquals(image, whole);
    assertEquals(rows, [[0, 2], [2, 7], [7, 15], [15, 23], [23, 29]]);
    assertEquals([result.bands, result.rows, pauses], [5, 29, 4]);

    let bands = 0;
    const stopped = await renderBands(renderer, request, {
      bandPixels: 37,
      cancelled: () => bands >= 2,
      onBand: () => {
        bands++;
      },
    });
    assertEquals([stopped.completed, stopped.bands], [false, 2]);
  } finally {
    renderer.dispose();
  }
});

Deno.test("explore render: preview factors follow the measured speed", () => {
  const speed = new Throughput(100);
  assertEquals(speed.factorFor(1000, 1000, 100), 10);
  assertEquals(speed.factorFor(10, 10, 100), 1);
  speed.add(1_000_000, 1); // very fast
  assertEquals(speed.factorFor(1000, 1000, 100), 1);
  const slow = new Throughput(0.001);
  assertEquals(slow.factorFor(1000, 1000, 10, 16), 16);
});

Deno.test("explore render: bands can be kept to powers of two of rows", async () => {
  await useWasm();
  const renderer = new Renderer(foldWeights(await loadGenerator(await tinyModel())));
  try {
    const request = {
      z: new Rng(6).normal(renderer.spec.zDim),
      width: 10,
      height: 40,
      view: { scale: 8, center: [0, 0] as [number, number] },
    };
    const rows: number[] = [];
    let clock = 0;
    await renderBands(renderer, request, {
      bandPixels: 70,
      targetMs: 10,
      now: () => (clock += 4),
      powerOfTwoRows: true,
      onBand: (start, end) => {
        rows.push(end - start);
      },
    });
    // 70 px = 7 rows -> 4; then 140 px = 14 rows -> 8; 280 px -> 16; what is left: 12.
    assertEquals(rows, [4, 8, 16, 12]);
  } finally {
    renderer.dispose();
  }
});
