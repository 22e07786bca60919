import { assertEquals, assertRejects } from "@std/assert";
import { FlagError, parseFlags } from "../../lib/base/flags.ts";
import {
  RANDOM_DEFAULTS,
  RANDOM_FLAGS,
  randomArgs,
  type RandomOptions,
  randomSource,
  randomSpec,
  resolveSource,
  startSourceEngine,
} from "../../lib/render/random_source.ts";

const OUT = { out: "output", workers: 1, backend: "wasm" as const, force: false };

Deno.test("randomArgs: the flags of a source's network parse back into the same network", () => {
  const options: RandomOptions = {
    ...RANDOM_DEFAULTS,
    activation: "sin",
    inputs: "x,y,sinr,xy",
    channels: 1,
    weightScale: 1.5,
  };
  const source = randomSource(randomSpec(options, 42));
  const args = randomArgs(source);
  const parsed = parseFlags(args, RANDOM_FLAGS) as Partial<RandomOptions>;
  assertEquals(parsed.random, true);
  assertEquals(randomSpec({ ...RANDOM_DEFAULTS, ...parsed }, 7), source.random);
  assertEquals(source.random!.seed, 42);
  assertEquals(randomSpec({ ...options, netSeed: 3 }, 42).seed, 3);
  assertEquals(randomArgs({ ...source, random: undefined }), []);
});

Deno.test("resolveSource: --random with --model is refused; a GPU device ONNX Runtime lacks is a clear error", async () => {
  await assertRejects(
    () => resolveSource({ ...OUT, random: true, model: "models/mnist-cppn" }, 1),
    FlagError,
    "--random renders no model",
  );
  const source = await resolveSource({ ...OUT, random: true }, 5);
  assertEquals([source.kind, source.random!.seed, source.spec.channels], ["random", 5, 3]);
  await assertRejects(
    () => startSourceEngine(source, { backend: "onnx", workers: 1, device: "cuda" }),
    FlagError,
    "--device cuda: ONNX Runtime cannot use it here",
  );
});
