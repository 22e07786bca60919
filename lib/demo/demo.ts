/**
 * `deno task demo`: the main job in one command. Renders a short walk, a
 * zoom walk and a few large stills with the shipped model (or the one
 * named; with the shipped one, a colour walk and still of the shipped emoji
 * model too), a walk and a still of an untrained random network, at sizes
 * that finish in a few minutes on a 2-core laptop, then builds the gallery.
 * Running it again reuses what is already rendered.
 *
 * @module
 */
import { join } from "@std/path";
import { exists } from "../base/atomic_write.ts";
import type { SourceOptions } from "../render/flags.ts";
import { findFfmpeg } from "../media/ffmpeg.ts";
import {
  displayPath,
  type ModelSource,
  resolveModel,
  SHIPPED_COLOUR_MODEL,
  SHIPPED_MODEL,
} from "../model/source.ts";
import type { RenderEngine } from "../render/engine.ts";
import {
  RANDOM_DEFAULTS,
  randomSource,
  randomSpec,
  startSourceEngine,
} from "../render/random_source.ts";
import { buildSite, type SiteBuildResult } from "../site/build.ts";
import { RENDER_DEFAULTS, type RenderOptions, renderSingle } from "../latent/still.ts";
import { renderWalk } from "../latent/walk.ts";
import { WALK_DEFAULTS, type WalkSettings } from "../latent/walk_config.ts";

/**
 * The demo's walk: a drawn sample of each digit, 0 -> 9 -> 0 (samples are
 * the model's sharpest drawings; see `latent/keyframes.ts`).
 */
export const DEMO_WALK: WalkSettings = {
  ...WALK_DEFAULTS,
  keyframes: "drawn",
  id: "demo-digits",
  steps: 100,
  fps: 25,
  size: [720, 720],
  stillSize: [2048, 2048],
};

/**
 * The demo's zoom walk: one sample (an 8 with the shipped model), the
 * camera zooming into its crossing, from scale 8 to 1.5; every frame is
 * rendered from the function, not upscaled.
 */
export const DEMO_ZOOM: WalkSettings = {
  ...WALK_DEFAULTS,
  keyframes: "random:1",
  seed: 5,
  id: "demo-zoom",
  steps: 90,
  fps: 30,
  size: [480, 480],
  stillSize: [1024, 1024],
  loop: false,
  zoomTo: 1.5,
  zoomCenter: [0.2, 0.65],
};

/** The demo's single renders: a dream, a dark-on-white one, a zoom. */
export const DEMO_RENDERS: Partial<RenderOptions>[] = [
  { name: "demo-seed7", seed: 7 },
  { name: "demo-seed42-inverted", seed: 42, invert: true },
  { name: "demo-seed7-zoom", seed: 7, scale: 2.5, center: [1.5, -1] },
];

/** The colour walk: the shipped emoji model through 6 of its drawings (random draws). */
export const DEMO_COLOUR_WALK: WalkSettings = {
  ...WALK_DEFAULTS,
  keyframes: "random:6",
  seed: 4,
  id: "demo-emoji",
  steps: 90,
  fps: 25,
  size: [480, 480],
  stillSize: [1024, 1024],
};

/** The colour still: one emoji drawing, large. */
export const DEMO_COLOUR_RENDER: Partial<RenderOptions> = {
  name: "demo-emoji-seed3",
  seed: 3,
  size: [2048, 2048],
};

/** The untrained network of the demo's random-network pieces (`deno task art --seed 9`). */
export const DEMO_ART_SEED = 9;

/** The demo's random-network walk: the network's picture moving through 3 latent points. */
export const DEMO_ART_WALK: WalkSettings = {
  ...WALK_DEFAULTS,
  keyframes: "random:3",
  seed: DEMO_ART_SEED,
  id: "demo-art",
  steps: 60,
  fps: 20,
  size: [360, 360],
  stillSize: [720, 720],
};

/** The demo's random-network still. */
export const DEMO_ART_RENDER: Partial<RenderOptions> = {
  name: "demo-art",
  seed: DEMO_ART_SEED,
  size: [1536, 1536],
};

/** Sizes the demo uses (tests shrink them). */
export interface DemoSizes {
  /** The walks' settings over theirs (frames, sizes). */
  walk?: Partial<WalkSettings>;
  /** Size of the single renders (default 2048x2048, the art 1536x1536). */
  render?: [number, number];
}

/**
 * The demo's model: the run or folder the user names, else the shipped
 * model, never silently the latest run (which may be a one-minute test).
 */
export function demoChoice(source: SourceOptions): SourceOptions {
  return source.run || source.model ? source : { ...source, model: SHIPPED_MODEL };
}

/** What every phase of the demo shares. */
interface DemoJob {
  source: SourceOptions;
  log: (line: string) => void;
  onFrame?: (done: number, total: number) => void;
  sizes: DemoSizes;
}

/** Runs the demo; `log` receives progress lines. */
export async function runDemo(
  source: SourceOptions,
  log: (line: string) => void,
  onFrame?: (done: number, total: number) => void,
  sizes: DemoSizes = {},
): Promise<SiteBuildResult> {
  const job: DemoJob = { source, log, onFrame, sizes };
  const choice = demoChoice(source);
  const model = await resolveModel(choice);
  const why = choice === source ? "as asked" : "the shipped model; --run NAME uses a run of yours";
  log(
    `Model: ${model.kind} ${model.name}${model.step !== null ? ` (step ${model.step})` : ""}` +
      ` (${why})`,
  );
  await withEngine(job, model, async (pool) => {
    for (const walk of [DEMO_WALK, DEMO_ZOOM]) await demoWalk(job, pool, model, walk);
    for (const r of DEMO_RENDERS) await demoRender(job, pool, model, r);
  });
  // with the shipped digits, the shipped colour model too (a named model is shown alone)
  if (choice !== source && await exists(join(SHIPPED_COLOUR_MODEL, "checksums.sha256"))) {
    const colour = await resolveModel({ model: SHIPPED_COLOUR_MODEL, out: source.out });
    const colourJob = {
      ...job,
      source: { ...job.source, run: undefined, model: SHIPPED_COLOUR_MODEL },
    };
    await withEngine(colourJob, colour, async (pool) => {
      await demoWalk(colourJob, pool, colour, DEMO_COLOUR_WALK);
      await demoRender(colourJob, pool, colour, DEMO_COLOUR_RENDER);
    });
  }
  const art = randomSource(randomSpec(RANDOM_DEFAULTS, DEMO_ART_SEED));
  await withEngine(job, art, async (pool) => {
    await demoWalk(job, pool, art, DEMO_ART_WALK);
    await demoRender(job, pool, art, DEMO_ART_RENDER);
  });
  return await buildSite({ out: source.out, base: null, site: null, log });
}

/** Runs `work` with an engine for `model`, closing it after. */
async function withEngine(
  job: DemoJob,
  model: ModelSource,
  work: (pool: RenderEngine) => Promise<void>,
): Promise<void> {
  const { workers, backend, device } = job.source;
  const pool = await startSourceEngine(model, { workers, backend, device, log: job.log });
  try {
    await work(pool);
  } finally {
    pool.close();
  }
}

/** Renders (or resumes, or skips) one of the demo's walks. */
async function demoWalk(
  job: DemoJob,
  pool: RenderEngine,
  model: ModelSource,
  settings: WalkSettings,
): Promise<void> {
  const walk = await renderWalk({
    pool,
    source: model,
    ffmpeg: await findFfmpeg(),
    out: job.source.out,
    force: false,
    command: "deno task demo",
    onFrame: job.onFrame,
    onMessage: job.log,
  }, { ...settings, ...job.sizes.walk });
  job.log(`walk: ${walk.dir} (${walk.status})`);
}

/** Renders one of the demo's stills, unless it is there already. */
async function demoRender(
  job: DemoJob,
  pool: RenderEngine,
  model: ModelSource,
  r: Partial<RenderOptions>,
): Promise<void> {
  const { run, model: modelDir, out, workers, backend } = job.source;
  const path = join(out, "renders", `${r.name}.png`);
  if (await exists(path)) {
    job.log(`render: ${path} (already there)`);
    return;
  }
  const options: RenderOptions = {
    ...RENDER_DEFAULTS,
    ...(model.random ? { random: true } : { run, model: modelDir }),
    ...{ out, workers, backend },
    ...r,
    ...(job.sizes.render ? { size: job.sizes.render } : {}),
    force: false,
  };
  const { path: written } = await renderSingle(pool, model, options, renderCommand(model, r));
  job.log(`render: ${written}`);
}

/** The command that renders one of the demo's stills on its own. */
function renderCommand(model: ModelSource, r: Partial<RenderOptions>): string {
  if (model.random) return `deno task art --seed ${r.seed}${r.size ? ` --size ${r.size[0]}` : ""}`;
  const colour = model.kind === "model" && model.name === displayPath(SHIPPED_COLOUR_MODEL);
  return `deno task render ${colour ? `--model ${model.name} ` : ""}${
    r.seed !== undefined ? `--seed ${r.seed}` : `--digit ${r.digit}`
  }` +
    `${r.invert ? " --invert" : ""}${
      r.scale ? ` --scale ${r.scale} --center ${r.center!.join(",")}` : ""
    }`;
}
