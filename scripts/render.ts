/**
 * `deno task render`: one image of a trained generator at any size.
 *
 * @module
 */
import { initBackend } from "../lib/base/backend.ts";
import { loadGenerator } from "../lib/model/network_files.ts";
import { parseOrExit, runMain } from "../lib/base/cli.ts";
import { resolveModel } from "../lib/model/source.ts";
import { foldWeights } from "../lib/render/renderer.ts";
import { defaultWorkers } from "../lib/render/pool.ts";
import { describeEngine, startEngine, tfBackendFor } from "../lib/render/engine.ts";
import {
  RENDER_DEFAULTS,
  RENDER_FLAGS,
  type RenderOptions,
  renderSingle,
} from "../lib/latent/still.ts";

const USAGE = "Usage: deno task render (--digit D | --seed N | --z FILE.json) [options]\n\n" +
  "Renders one image (any size; 16384x16384 streams to disk in bounded memory)\n" +
  "into output/renders/NAME.png with a NAME.json sidecar to reproduce it.";

await runMain(async () => {
  const user = parseOrExit<RenderOptions>(Deno.args, RENDER_FLAGS, USAGE, RENDER_DEFAULTS);
  const options: RenderOptions = { ...RENDER_DEFAULTS, ...user };
  const source = await resolveModel(options);
  await initBackend(tfBackendFor(options.backend));
  const workers = options.workers || defaultWorkers();
  const engine = await startEngine(foldWeights(await loadGenerator(source.checkpoint)), {
    workers,
    backend: options.backend,
    device: options.device,
    log: (line) => console.error(line),
  });
  try {
    const command = ["deno task render", ...Deno.args].join(" ");
    const { path, record } = await renderSingle(engine, source, options, command);
    console.log(
      `Wrote ${path} (${record.width}x${record.height}, ${record.timings.render_s.toFixed(1)} s, ` +
        `${describeEngine(engine, workers)}) and its sidecar .json`,
    );
  } finally {
    engine.close();
  }
});
