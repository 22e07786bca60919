import { assertEquals, assertRejects } from "@std/assert";
import { join } from "@std/path";
import { floatBytes, replaceFolder } from "../../lib/base/checksummed_folder.ts";
import { disposeModel, initModel, modelSpec } from "../../lib/model/model.ts";
import {
  CHECKPOINT_FORMAT,
  loadGenerator,
  loadNetworkParams,
  loadState,
  networkFiles,
  type TrainingState,
  weightsFile,
} from "../../lib/model/network_files.ts";
import { disposeParams, flatten, manifestOf } from "../../lib/model/params.ts";
import { tempDir, useWasm } from "../_helpers.ts";

await useWasm();

const SPEC = modelSpec({
  zDim: 4,
  width: 8,
  depth: 3,
  scale: 8,
  size: 26,
  encoderWidth: 16,
  discChannels: [4, 4, 4],
});
const STATE: TrainingState = { step: 7, epoch: 1, rng: [1, 2, 3, 4294967295], elapsedMs: 12.5 };

Deno.test("networkFiles: NAME.json (format, network, spec, tensors) and NAME.bin (the values)", async () => {
  const model = initModel(SPEC, 1);
  try {
    const values = await flatten(Object.values(model.gen));
    const files = networkFiles("generator", SPEC.generator, model.gen, values);
    assertEquals(Object.keys(files), ["generator.json", "generator.bin"]);
    assertEquals(JSON.parse(files["generator.json"] as string), {
      format: CHECKPOINT_FORMAT,
      network: "generator",
      spec: SPEC.generator,
      tensors: manifestOf(model.gen),
    });
    assertEquals(files["generator.bin"], floatBytes(values));
  } finally {
    disposeModel(model);
  }
});

Deno.test("weightsFile: the moving average where the listing has one, else the raw weights", () => {
  assertEquals(weightsFile(null, "generator"), "generator.bin");
  assertEquals(weightsFile(new Map([["generator.bin", "x"]]), "generator"), "generator.bin");
  const both = new Map([["generator.bin", "x"], ["generator.ema.bin", "y"]]);
  assertEquals(weightsFile(both, "generator"), "generator.ema.bin");
  assertEquals(weightsFile(both, "encoder"), "encoder.bin");
});

Deno.test("loadGenerator, loadNetworkParams, loadState: a model folder read back exactly", async () => {
  await using tmp = await tempDir();
  const dir = join(tmp.path, "model");
  const model = initModel(SPEC, 1);
  try {
    const gen = await flatten(Object.values(model.gen));
    const enc = await flatten(Object.values(model.enc));
    await replaceFolder(dir, {
      ...networkFiles("generator", SPEC.generator, model.gen, gen),
      ...networkFiles("encoder", SPEC.encoder, model.enc, enc),
      "state.json": JSON.stringify(STATE),
    });
    const loaded = await loadGenerator(dir);
    assertEquals(loaded.spec, SPEC.generator);
    assertEquals(loaded.manifest, manifestOf(model.gen));
    assertEquals(loaded.values, gen);
    const encoder = await loadNetworkParams(dir, "encoder");
    assertEquals(encoder.spec, SPEC.encoder);
    assertEquals(await flatten(Object.values(encoder.params)), enc);
    disposeParams(encoder.params);
    assertEquals(await loadState(dir), STATE);
    // a moving average, where there is one, is what readers get
    const ema = gen.map((v) => v / 2);
    await replaceFolder(dir, {
      ...networkFiles("generator", SPEC.generator, model.gen, gen),
      "generator.ema.bin": floatBytes(ema),
    });
    assertEquals((await loadGenerator(dir)).values, ema);
  } finally {
    disposeModel(model);
  }
});

Deno.test("loadGenerator: another network's file under the generator's name is refused", async () => {
  await using tmp = await tempDir();
  const dir = join(tmp.path, "model");
  const model = initModel(SPEC, 1);
  try {
    const files = networkFiles(
      "encoder",
      SPEC.encoder,
      model.enc,
      await flatten(Object.values(model.enc)),
    );
    await replaceFolder(dir, {
      "generator.json": files["encoder.json"],
      "generator.bin": files["encoder.bin"],
    });
    await assertRejects(
      () => loadGenerator(dir),
      Error,
      `Cannot read checkpoint "${dir}": generator.json is not a ${CHECKPOINT_FORMAT} generator`,
    );
  } finally {
    disposeModel(model);
  }
});
