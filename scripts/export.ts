/**
 * `deno task export`: publishes a trained run's generator and encoder as a
 * small model folder (default `models/mnist-cppn/`, the model every render
 * command falls back to).
 *
 * @module
 */
import { parseOrExit, runMain } from "../lib/base/cli.ts";
import { exportModel } from "../lib/train/export.ts";
import { addOnnxModels, ONNX_FILES } from "../lib/render/onnx_export.ts";
import { OUT_FLAG, RUN_FLAG } from "../lib/base/common_flags.ts";
import { FlagError, type FlagSpec } from "../lib/base/flags.ts";
import { latestRun, runPaths } from "../lib/model/runs.ts";
import { SHIPPED_MODEL } from "../lib/model/source.ts";

interface Options {
  run?: string;
  out: string;
  to: string;
  force: boolean;
  format: "cppn" | "onnx";
  best: boolean;
}

const DEFAULTS: Options = {
  out: "output",
  to: SHIPPED_MODEL,
  force: false,
  format: "cppn",
  best: false,
};

const FLAGS: FlagSpec[] = [
  { ...RUN_FLAG, help: "The run to export" },
  { ...OUT_FLAG, help: "Folder holding runs/" },
  {
    name: "to",
    key: "to",
    type: { kind: "string" },
    help: "Destination folder",
    arg: "DIR",
    defaultText: "models/mnist-cppn",
  },
  {
    name: "force",
    key: "force",
    type: { kind: "boolean" },
    help: "Replace an exported model whose files were changed since it was exported",
  },
  {
    name: "best",
    key: "best",
    type: { kind: "boolean" },
    help:
      "Export the checkpoint with the lowest FD that --eval-every measured (the run's best/), " +
      "not the last",
  },
  {
    name: "format",
    key: "format",
    type: { kind: "enum", values: ["cppn", "onnx"] },
    help: `cppn, or onnx: also ${ONNX_FILES.generator} and ${ONNX_FILES.encoder}, standard ` +
      "ONNX models (docs/onnx.md)",
    arg: "NAME",
    defaultText: "cppn",
  },
];

const USAGE = "Usage: deno task export [--run NAME] [--best] [--to DIR] [--format onnx]\n\n" +
  "Copies a run's generator and encoder (what rendering needs), its config, eval.json,\n" +
  "training command and time into a small model folder with checksums.";

await runMain(async () => {
  const o: Options = { ...DEFAULTS, ...parseOrExit<Options>(Deno.args, FLAGS, USAGE, DEFAULTS) };
  const name = o.run ?? await latestRun(o.out);
  if (!name) throw new FlagError(`No runs in ${o.out}/runs: train one first with deno task train`);
  const { record, bytes } = await exportModel(runPaths(o.out, name), o.to, o.force, o.best);
  const onnxBytes = o.format === "onnx" ? await addOnnxModels(o.to) : 0;
  console.log(
    `Exported run "${name}" (${o.best ? "best checkpoint, " : ""}step ${record.step}, ${
      (record.training_time_s / 60).toFixed(0)
    } min of training) ` +
      `to ${o.to} (${((bytes + onnxBytes) / 1024).toFixed(0)} KiB${
        onnxBytes ? `, with ${ONNX_FILES.generator} and ${ONNX_FILES.encoder}` : ""
      })`,
  );
});
