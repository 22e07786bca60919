/**
 * `deno task demo`: renders a short walk and a few stills with the shipped
 * model (or the run or folder named), builds the gallery, and says how to
 * open it.
 *
 * @module
 */
import { parseOrExit, runMain } from "../lib/base/cli.ts";
import { DEMO_WALK, runDemo } from "../lib/demo/demo.ts";
import { Progress } from "../lib/base/progress.ts";
import { defaultWorkers } from "../lib/render/pool.ts";
import { WALK_DEFAULTS } from "../lib/latent/walk_config.ts";
import { SOURCE_FLAGS, type SourceOptions } from "../lib/render/flags.ts";
import { initBackend } from "../lib/base/backend.ts";
import { tfBackendFor } from "../lib/render/engine.ts";

const USAGE = "Usage: deno task demo [options]\n\n" +
  `Renders a ${DEMO_WALK.steps}-frame walk through the digits (${
    DEMO_WALK.size.join("x")
  }, with an MP4 and\n` +
  "2048x2048 keyframe stills), a zoom walk and three 2048x2048 stills with the shipped\n" +
  "model (or --run NAME / --model DIR), a walk and a still of an untrained random\n" +
  "network (deno task art), then builds the gallery in output/site/.\n" +
  "Takes a few minutes on 2 cores.";

const FLAGS = SOURCE_FLAGS.filter((f) => f.name !== "force").map((f) =>
  f.name === "run" ? { ...f, defaultText: "none: the shipped model" } : f
);

await runMain(async () => {
  const user = parseOrExit<SourceOptions>(Deno.args, FLAGS, USAGE, WALK_DEFAULTS);
  const options: SourceOptions = { ...WALK_DEFAULTS, ...user };
  options.workers ||= defaultWorkers();
  await initBackend(tfBackendFor(options.backend));
  let progress: Progress | null = null;
  const site = await runDemo(options, (line) => console.error(line), (done, total) => {
    progress ??= new Progress({ max: total, start: done, unit: "frames" });
    progress.update(done, "walk");
  });
  await (progress as Progress | null)?.stop();
  console.log(
    `\nDone. The gallery is in ${site.dir} (${site.pages} pages). Open it with:\n` +
      `  deno task preview        # then visit http://127.0.0.1:4321/\n` +
      `or upload ${site.dir} as it is to any static host.`,
  );
});
