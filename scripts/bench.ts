/**
 * `deno task bench`: speed and memory of rendering and training on this
 * machine, as a table and `output/bench/bench.json`.
 *
 * @module
 */
import { join } from "@std/path";
import type { BackendChoice } from "../lib/base/backend.ts";
import { writeJsonAtomic } from "../lib/base/atomic_write.ts";
import { benchTable, runBench } from "../lib/bench/bench.ts";
import { parseOrExit, runMain } from "../lib/base/cli.ts";
import { BACKEND_FLAG, OUT_FLAG, WORKERS_FLAG } from "../lib/base/common_flags.ts";
import type { FlagSpec } from "../lib/base/flags.ts";
import { defaultWorkers } from "../lib/render/pool.ts";
import { initBackend } from "../lib/base/backend.ts";

interface Options {
  quick: boolean;
  workers: number;
  width: number;
  backend: BackendChoice;
  out: string;
}

const DEFAULTS: Options = { quick: false, workers: 0, width: 128, backend: "wasm", out: "output" };

const FLAGS: FlagSpec[] = [
  {
    name: "quick",
    key: "quick",
    type: { kind: "boolean" },
    help: "A reduced run (under 2 minutes)",
  },
  { ...WORKERS_FLAG, help: "N for the multi-worker measurements" },
  {
    name: "width",
    key: "width",
    type: { kind: "int", min: 1 },
    help: "Generator width for rendering (128: the reference)",
    arg: "N",
  },
  {
    ...BACKEND_FLAG,
    help:
      "TensorFlow.js backend of the training and render workers (ONNX Runtime is timed beside them)",
  },
  { ...OUT_FLAG, help: "Output root (writes OUT/bench/bench.json)" },
];

const USAGE = "Usage: deno task bench [--quick] [options]\n\n" +
  "Measures matMul throughput, rendering with both engines (wasm workers and ONNX\n" +
  "Runtime, interleaved), training, memory and 1080x1080 frames on this machine;\n" +
  "prints a table and writes output/bench/bench.json.";

await runMain(async () => {
  const o: Options = { ...DEFAULTS, ...parseOrExit<Options>(Deno.args, FLAGS, USAGE, DEFAULTS) };
  await initBackend(o.backend);
  const [load] = Deno.loadavg();
  if (load > 0.5) {
    console.error(
      `warning: the load average is ${load.toFixed(1)}: other processes are running and ` +
        "will slow every measurement (and the multi-worker ones most)",
    );
  }
  const scratch = await Deno.makeTempDir({ prefix: "cppn-bench-" });
  try {
    const report = await runBench(
      {
        quick: o.quick,
        workers: o.workers || defaultWorkers(),
        width: o.width,
        backend: o.backend,
        scratch,
      },
      (line) => console.error(line),
    );
    const dir = join(o.out, "bench");
    await Deno.mkdir(dir, { recursive: true });
    await writeJsonAtomic(join(dir, "bench.json"), report);
    console.log(benchTable(report));
    console.log(`Wrote ${join(dir, "bench.json")}`);
  } finally {
    await Deno.remove(scratch, { recursive: true }).catch(() => {});
  }
});
