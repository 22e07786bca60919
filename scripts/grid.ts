/**
 * `deno task grid`: a sheet of a generator's images (a trained model's, or
 * with `--random` an untrained network's): random samples, a 2-D
 * interpolation between four corners, or an analogy row.
 *
 * @module
 */
import { parseOrExit, runMain } from "../lib/base/cli.ts";
import { describeEngine } from "../lib/render/engine.ts";
import { resolveSource, startCommandEngine } from "../lib/render/random_source.ts";
import { renderGrid } from "../lib/latent/grid.ts";
import { GRID_DEFAULTS, GRID_FLAGS, type GridOptions } from "../lib/latent/grid_config.ts";

const USAGE = "Usage: deno task grid [--corners A,B,C,D | --analogy A,B,C] [options]\n\n" +
  "Renders a sheet of images into output/grids/NAME.png with a NAME.json sidecar:\n" +
  "random samples (default), a 2-D interpolation between four corners, or an\n" +
  "analogy row a, b, c, a - b + c. --random: of an untrained random network.";

await runMain(async () => {
  const user = parseOrExit<GridOptions>(Deno.args, GRID_FLAGS, USAGE, GRID_DEFAULTS);
  const options: GridOptions = { ...GRID_DEFAULTS, ...user };
  const source = await resolveSource(options, options.seed);
  const { engine, workers } = await startCommandEngine(source, options);
  try {
    const command = ["deno task grid", ...Deno.args].join(" ");
    const { path, record: r } = await renderGrid(engine, source, options, command);
    console.log(
      `Wrote ${path} (${r.kind}, ${r.cols}x${r.rows} cells of ${r.cell.join("x")}, ` +
        `${r.width}x${r.height}, ${r.timings.render_s.toFixed(1)} s, ` +
        `${describeEngine(engine, workers)}) and its sidecar .json`,
    );
  } finally {
    engine.close();
  }
});
