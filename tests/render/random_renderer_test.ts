import { assert, assertEquals, assertNotEquals, assertRejects } from "@std/assert";
import { join } from "@std/path";
import { readImage } from "../../lib/media/image.ts";
import { type RandomNetSpec, randomWeights } from "../../lib/model/random_net.ts";
import { RenderPool, renderToPng } from "../../lib/render/pool.ts";
import { RandomRenderer } from "../../lib/render/random_renderer.ts";
import type { ImageRequest } from "../../lib/render/renderer.ts";
import { tempDir, useWasm } from "../_helpers.ts";

await useWasm();

const SPEC: RandomNetSpec = {
  seed: 7,
  width: 12,
  depth: 4,
  activation: "tanh",
  weightScale: 3,
  inputs: ["x", "y", "r"],
  channels: 3,
  zDim: 4,
};
const REQUEST: ImageRequest = {
  z: new Float32Array([0.5, -1, 0.25, 2]),
  width: 40,
  height: 30,
  view: { scale: 1, center: [0, 0] },
};

function channel(rgb: Uint8Array, c: number): Uint8Array {
  return rgb.filter((_, i) => i % 3 === c);
}

Deno.test("RandomRenderer: every activation renders RGB whose channels differ; the same net gives the same bytes", async () => {
  for (const activation of ["tanh", "sin", "relu", "softplus"] as const) {
    const spec = { ...SPEC, activation, weightScale: activation === "sin" ? 1 : 3 };
    const renderer = new RandomRenderer(randomWeights(spec));
    const bytes = await renderer.renderBytes(REQUEST);
    assertEquals(bytes.length, 40 * 30 * 3);
    assertNotEquals(channel(bytes, 0), channel(bytes, 1), activation);
    assertNotEquals(channel(bytes, 1), channel(bytes, 2), activation);
    assert(new Set(bytes).size > 20, `${activation}: the picture is flat`);
    assertEquals(await new RandomRenderer(randomWeights(spec)).renderBytes(REQUEST), bytes);
    renderer.dispose();
  }
});

Deno.test("RandomRenderer: bands and chunks do not change the pixels; seeds and z do", async () => {
  const renderer = new RandomRenderer(randomWeights(SPEC));
  const whole = await renderer.renderBytes(REQUEST);
  const top = await renderer.renderBytes(REQUEST, 0, 11, 80);
  const rest = await renderer.renderBytes(REQUEST, 11, 30, 200);
  assertEquals(new Uint8Array([...top, ...rest]), whole);
  const other = new RandomRenderer(randomWeights({ ...SPEC, seed: 8 }));
  assertNotEquals(await other.renderBytes(REQUEST), whole);
  const z = new Float32Array([0, 0, 0, 0]);
  assertNotEquals(await renderer.renderBytes({ ...REQUEST, z }), whole);
  await assertRejects(
    () => renderer.renderBytes({ ...REQUEST, z: new Float32Array(3) }),
    Error,
    "this network takes 4",
  );
  renderer.dispose();
  other.dispose();
});

Deno.test("RenderPool of a random network: streams an RGB PNG equal to the renderer's bytes; grey with 1 channel", async () => {
  await using tmp = await tempDir();
  const pool = await RenderPool.create(randomWeights(SPEC), { workers: 2, chunkPixels: 200 });
  try {
    assertEquals(pool.channels, 3);
    const path = join(tmp.path, "art.png");
    await renderToPng(pool, REQUEST, path);
    const image = await readImage(path, 3);
    const want = await new RandomRenderer(randomWeights(SPEC)).renderBytes(REQUEST);
    assertEquals([image.width, image.height, image.pixels], [40, 30, want]);
  } finally {
    pool.close();
  }
  const grey = await RenderPool.create(randomWeights({ ...SPEC, channels: 1 }), { workers: 1 });
  try {
    assertEquals(grey.channels, 1);
    assertEquals((await grey.renderImage(REQUEST)).length, 40 * 30);
  } finally {
    grey.close();
  }
});
