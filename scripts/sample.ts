/**
 * `deno task sample`: N samples of a trained generator at the training size,
 * as an IDX file (MNIST's format), for outside tools.
 *
 * @module
 */
import { initBackend } from "../lib/base/backend.ts";
import type { BackendChoice } from "../lib/base/backend.ts";
import { BACKEND_FLAG, MODEL_FLAG, RUN_FLAG, SEED_FLAG } from "../lib/base/common_flags.ts";
import { parseOrExit, runMain } from "../lib/base/cli.ts";
import { exists } from "../lib/base/atomic_write.ts";
import { FlagError, type FlagSpec } from "../lib/base/flags.ts";
import { resolveModel } from "../lib/model/source.ts";
import { Progress } from "../lib/base/progress.ts";
import { writeSampleIdx } from "../lib/eval/sample_file.ts";

interface Options {
  run?: string;
  model?: string;
  count: number;
  seed: number;
  out: string;
  force: boolean;
  backend: BackendChoice;
}

const DEFAULTS: Options = { count: 10000, seed: 1, out: "", force: false, backend: "auto" };

const FLAGS: FlagSpec[] = [
  {
    ...MODEL_FLAG,
    help: "A model or checkpoint folder",
    defaultText: "the latest run, else models/mnist-cppn",
  },
  { ...RUN_FLAG, help: "A training run (folder under output/runs/)", defaultText: undefined },
  { name: "count", key: "count", type: { kind: "int", min: 1 }, help: "Samples", arg: "N" },
  { ...SEED_FLAG, help: "Seed of the latent vectors z ~ N(0, I)" },
  {
    name: "out",
    key: "out",
    type: { kind: "string" },
    help: "The IDX file to write",
    arg: "FILE",
    defaultText: "output/samples-N-seed-S-idx3-ubyte",
  },
  {
    name: "force",
    key: "force",
    type: { kind: "boolean" },
    help: "Replace an existing --out file",
  },
  BACKEND_FLAG,
];

const USAGE =
  "Usage: deno task sample [--model DIR | --run NAME] [--count N] [--seed S] [--out FILE]\n\n" +
  "Writes N samples (z ~ N(0, I) from the seed, drawn with the weights renders use) at the\n" +
  "training size as an IDX file of unsigned bytes (idx3-ubyte: N x size x size), the format\n" +
  "of MNIST's own files.";

await runMain(async () => {
  const user = parseOrExit<Options>(Deno.args, FLAGS, USAGE, DEFAULTS);
  const o: Options = { ...DEFAULTS, ...user };
  const out = o.out || `output/samples-${o.count}-seed-${o.seed}-idx3-ubyte`;
  if (!o.force && await exists(out)) {
    throw new FlagError(`--out "${out}" exists: choose another file or add --force`);
  }
  const source = await resolveModel({ run: o.run, model: o.model, out: "output" });
  await initBackend(o.backend);
  await Deno.mkdir(out.replace(/[\\/][^\\/]*$/, "") || ".", { recursive: true });
  const bar = new Progress({ max: o.count, unit: "samples" });
  const file = await writeSampleIdx(source.checkpoint, o.count, o.seed, out, (n) => bar.update(n));
  await bar.stop();
  console.error(`${source.kind} ${source.name}: ${file.dims.join("x")} samples`);
  console.log(out);
});
