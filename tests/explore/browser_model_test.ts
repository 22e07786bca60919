import { assert, assertEquals, assertThrows } from "@std/assert";
import { join } from "@std/path";
import {
  BROWSER_MODEL_FORMAT,
  browserModelJson,
  checkBrowserModelJson,
  foldedLayout,
  packFoldedWeights,
  unpackFoldedWeights,
} from "../../lib/explore/browser_model.ts";
import { loadGenerator } from "../../lib/model/network_files.ts";
import { encodeDigits } from "../../lib/latent/keyframes.ts";
import { foldWeights, Renderer } from "../../lib/render/renderer.ts";
import { exportBrowserModel, KEYFRAME_SEED, syncLiveModels } from "../../lib/site/live_models.ts";
import { tempDir, tinyModel, useWasm } from "../_helpers.ts";

Deno.test("browser model: the export holds the folded weights, layout and digit keyframes", async () => {
  await useWasm();
  const checkpoint = await tinyModel();
  await using dir = await tempDir();
  const { json, bin, warning } = await exportBrowserModel(checkpoint, "w.bin");
  assertEquals(warning, null);
  const net = await loadGenerator(checkpoint);
  const { zDim, width, depth } = net.spec;

  // JSON fields.
  assertEquals(json.format, BROWSER_MODEL_FORMAT);
  assertEquals(json.spec, net.spec);
  assertEquals([json.folded, json.dtype, json.endian, json.weights], [
    true,
    "float32",
    "little",
    "w.bin",
  ]);
  assertEquals(
    json.tensors.map((t) => t.name),
    ["wz", "b0", "wc"]
      .concat([0, 1, 2].flatMap((i) => ["w", "b", "u"].map((t) => `layers.${i}.${t}`)))
      .concat(["wout", "bout"]),
  );
  assertEquals(json.tensors[0].shape, [zDim, width]);
  assertEquals(json.tensors.at(-2)!.shape, [width, 1]);

  // The binary is exactly the tensors, back to back.
  const values = json.tensors.reduce((s, t) => s + t.shape.reduce((a, b) => a * b, 1), 0);
  assertEquals(bin.byteLength, values * 4);
  assertEquals(json.bytes, bin.byteLength);
  assertEquals(
    values,
    zDim * width + width + 3 * width + (depth - 1) * (width * width + width + zDim * width) +
      width + 1,
  );
  let offset = 0;
  for (const t of json.tensors) {
    assertEquals(t.offset, offset, t.name);
    offset += 4 * t.shape.reduce((a, b) => a * b, 1);
  }
  // Little-endian float32: the first value read by hand.
  const folded = foldWeights(net);
  assertEquals(new DataView(bin.buffer).getFloat32(0, true), folded.wz[0]);

  // Keyframes: digits 0..9, zDim values each, the same vectors encodeDigits gives.
  assertEquals(json.keyframes.seed, KEYFRAME_SEED);
  assertEquals(json.keyframes.items.map((k) => k.digit), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  for (const k of json.keyframes.items) assertEquals(k.z.length, zDim);
  const keys = await encodeDigits(checkpoint, [3], KEYFRAME_SEED);
  assertEquals(json.keyframes.items[3].z, Array.from(keys[0].z));
  assertEquals(json.keyframes.items[3].testIndex, keys[0].testIndex);

  // Through JSON text and back: identical weights, and identical renders.
  const path = join(dir.path, "m.json");
  await Deno.writeTextFile(path, JSON.stringify(json));
  const read = checkBrowserModelJson(JSON.parse(await Deno.readTextFile(path)));
  const unpacked = unpackFoldedWeights(read, bin.slice().buffer);
  assertEquals(unpacked, folded);
  const request = {
    z: Float32Array.from(read.keyframes.items[7].z),
    width: 53,
    height: 31,
    view: { scale: 5, center: [1.5, -2] as [number, number] },
  };
  const server = new Renderer(folded);
  const browser = new Renderer(unpacked);
  try {
    assertEquals(await browser.renderBytes(request), await server.renderBytes(request));
  } finally {
    server.dispose();
    browser.dispose();
  }
});

/** `n` values counting up from `k` in eighths: each tensor recognisable. */
const fill = (n: number, k: number) => Float32Array.from({ length: n }, (_, i) => k + i / 8);

Deno.test("browser model: pack and unpack round-trip; bad files are refused with reasons", () => {
  const spec = { zDim: 2, width: 3, depth: 2, scale: 8, size: 26 };
  const weights = {
    spec,
    wz: fill(6, 1),
    b0: fill(3, 2),
    wc: fill(9, 3),
    layers: [{ w: fill(9, 4), b: fill(3, 5) }],
    wout: fill(3, 6),
    bout: fill(1, 7),
  };
  assertEquals(foldedLayout(spec).length, 7);
  const packed = packFoldedWeights(weights);
  assertEquals(packed.bytes.byteLength, (6 + 3 + 9 + 9 + 3 + 3 + 1) * 4);
  const json = {
    format: BROWSER_MODEL_FORMAT,
    spec,
    folded: true,
    dtype: "float32",
    endian: "little",
    weights: "x.bin",
    bytes: packed.bytes.byteLength,
    tensors: packed.tensors,
    keyframes: { seed: 1, items: [{ digit: 0, label: "digit 0", testIndex: 1, z: [1, 2] }] },
  };
  const checked = checkBrowserModelJson(json);
  assertEquals(unpackFoldedWeights(checked, packed.bytes), weights);

  assertThrows(
    () => unpackFoldedWeights(checked, packed.bytes.subarray(4)),
    Error,
    "the file has 132 bytes, the model JSON says 136",
  );
  assertThrows(
    () => unpackFoldedWeights({ ...checked, spec: { ...spec, depth: 3 } }, packed.bytes),
    Error,
    "expected wz[2,3]",
  );
  assertThrows(
    () => checkBrowserModelJson({ ...json, format: "other/1" }),
    Error,
    `format is "other/1", expected "${BROWSER_MODEL_FORMAT}"`,
  );
  assertThrows(
    () =>
      checkBrowserModelJson({
        ...json,
        keyframes: { seed: 1, items: [{ digit: 0, z: [1] }] },
      }),
    Error,
    "keyframe 0 must have a digit and a z of 2 finite numbers",
  );
  assertThrows(
    () => packFoldedWeights({ ...weights, wz: fill(5, 1) }),
    Error,
    "Folded tensor wz has 5 values",
  );
});

Deno.test("browser model: a model with z in every layer round-trips its per-layer z weights", () => {
  const spec = { zDim: 2, width: 3, depth: 3, scale: 8, size: 26, zEveryLayer: true };
  const weights = {
    spec,
    wz: fill(6, 1),
    b0: fill(3, 2),
    wc: fill(9, 3),
    layers: [{ w: fill(9, 4), b: fill(3, 5), u: fill(6, 6) }, {
      w: fill(9, 7),
      b: fill(3, 8),
      u: fill(6, 9),
    }],
    wout: fill(3, 10),
    bout: fill(1, 11),
  };
  assertEquals(foldedLayout(spec).map((t) => t.name).slice(3, 6), [
    "layers.0.w",
    "layers.0.b",
    "layers.0.u",
  ]);
  const packed = packFoldedWeights(weights);
  assertEquals(packed.bytes.byteLength, (6 + 3 + 9 + 2 * (9 + 3 + 6) + 3 + 1) * 4);
  const json = checkBrowserModelJson(
    browserModelJson(spec, packed, "x.bin", { seed: 1, items: [] }),
  );
  assertEquals(unpackFoldedWeights(json, packed.bytes), weights);
});

Deno.test("browser model: a model with a mapping network on z round-trips its mapping weights", () => {
  const spec = { zDim: 2, width: 3, depth: 2, scale: 8, size: 26, zMap: 2 };
  const weights = {
    spec,
    wz: fill(6, 1),
    b0: fill(3, 2),
    wc: fill(9, 3),
    layers: [{ w: fill(9, 4), b: fill(3, 5) }],
    wout: fill(3, 10),
    bout: fill(1, 11),
    map: {
      layers: [{ w: fill(6, 12), b: fill(3, 13) }, { w: fill(9, 14), b: fill(3, 15) }],
      out: fill(6, 16),
    },
  };
  assertEquals(foldedLayout(spec).map((t) => t.name).slice(-5), [
    "map.0.w",
    "map.0.b",
    "map.1.w",
    "map.1.b",
    "map.out",
  ]);
  const packed = packFoldedWeights(weights);
  assertEquals(packed.bytes.byteLength, (6 + 3 + 9 + 9 + 3 + 3 + 1 + 6 + 3 + 9 + 3 + 6) * 4);
  const json = checkBrowserModelJson(
    browserModelJson(spec, packed, "x.bin", { seed: 1, items: [] }),
  );
  assertEquals(unpackFoldedWeights(json, packed.bytes), weights);
  assertThrows(
    () => checkBrowserModelJson({ ...json, spec: { ...spec, zMap: -1 } }),
    Error,
    "spec.zMap is -1, expected a whole number >= 0",
  );
});

Deno.test("browser model: the site cache exports once, reuses, and removes stale exports", async () => {
  await useWasm();
  const checkpoint = await tinyModel();
  await using dir = await tempDir();
  const root = join(dir.path, "live");
  await Deno.mkdir(root);
  await Deno.writeTextFile(join(root, "0123456789abcdef.json"), "{}");
  const source = {
    id: "m",
    kind: "run" as const,
    name: "m",
    checkpoint,
    runSlug: "m",
  };
  const first = await syncLiveModels([source], root);
  assertEquals([first.made, first.reused, first.removed], [1, 0, 1]);
  assertEquals(first.warnings, []);
  const model = first.models[0];
  assertEquals(model.keyframes, 10);
  assertEquals((await Deno.stat(model.binPath)).size, model.bytes);
  assert(/^[0-9a-f]{16}$/.test(model.key));
  const mtime = (await Deno.stat(model.jsonPath)).mtime;
  const again = await syncLiveModels([source], root);
  assertEquals([again.made, again.reused, again.removed], [0, 1, 0]);
  assertEquals(again.models[0].key, model.key);
  assertEquals((await Deno.stat(model.jsonPath)).mtime, mtime);
  const none = await syncLiveModels([{ ...source, checkpoint: join(dir.path, "nope") }], root);
  assertEquals(none.models, []);
  assertEquals(none.removed, 3); // its JSON, generator and encoder files
  assert(/Live model "m" .* was not exported: .*no such folder/.test(none.warnings[0]));
});
