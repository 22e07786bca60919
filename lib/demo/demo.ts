/**
 * `deno task demo`: the main job in one command. Renders a short walk and
 * a few large stills with the shipped model (or the one named) at sizes that
 * finish in a few minutes on a 2-core laptop, then builds the gallery.
 * Running it again reuses what is already rendered.
 *
 * @module
 */
import { join } from "@std/path";
import { exists } from "../base/atomic_write.ts";
import type { SourceOptions } from "../render/flags.ts";
import { loadGenerator } from "../model/network_files.ts";
import { findFfmpeg } from "../media/ffmpeg.ts";
import { resolveModel, SHIPPED_MODEL } from "../model/source.ts";
import { foldWeights } from "../render/renderer.ts";
import { startEngine } from "../render/engine.ts";
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

/** The demo's single renders: a dream, a dark-on-white one, a zoom. */
export const DEMO_RENDERS: Partial<RenderOptions>[] = [
  { name: "demo-seed7", seed: 7 },
  { name: "demo-seed42-inverted", seed: 42, invert: true },
  { name: "demo-seed7-zoom", seed: 7, scale: 2.5, center: [1.5, -1] },
];

/** Sizes the demo uses (tests shrink them). */
export interface DemoSizes {
  /** The walk's settings over {@linkcode DEMO_WALK}. */
  walk?: Partial<WalkSettings>;
  /** Size of the single renders (default 2048x2048). */
  render?: [number, number];
}

/**
 * The demo's model: the run or folder the user names, else the shipped
 * model, never silently the latest run (which may be a one-minute test).
 */
export function demoChoice(source: SourceOptions): SourceOptions {
  return source.run || source.model ? source : { ...source, model: SHIPPED_MODEL };
}

/** Runs the demo; `log` receives progress lines. */
export async function runDemo(
  source: SourceOptions,
  log: (line: string) => void,
  onFrame?: (done: number, total: number) => void,
  sizes: DemoSizes = {},
): Promise<SiteBuildResult> {
  const choice = demoChoice(source);
  const model = await resolveModel(choice);
  const why = choice === source ? "as asked" : "the shipped model; --run NAME uses a run of yours";
  log(
    `Model: ${model.kind} ${model.name}${model.step !== null ? ` (step ${model.step})` : ""}` +
      ` (${why})`,
  );
  const pool = await startEngine(foldWeights(await loadGenerator(model.checkpoint)), {
    workers: source.workers,
    backend: source.backend,
    device: source.device,
    log,
  });
  try {
    const walk = await renderWalk({
      pool,
      source: model,
      ffmpeg: await findFfmpeg(),
      out: source.out,
      force: false,
      command: "deno task demo",
      onFrame,
      onMessage: log,
    }, { ...DEMO_WALK, ...sizes.walk });
    log(`walk: ${walk.dir} (${walk.status})`);
    for (const r of DEMO_RENDERS) {
      const path = join(source.out, "renders", `${r.name}.png`);
      if (await exists(path)) {
        log(`render: ${path} (already there)`);
        continue;
      }
      const { run, model: modelDir, out, workers, backend } = source;
      const options: RenderOptions = {
        ...RENDER_DEFAULTS,
        ...{ run, model: modelDir, out, workers, backend },
        ...r,
        ...(sizes.render ? { size: sizes.render } : {}),
        force: false,
      };
      const command =
        `deno task render ${r.seed !== undefined ? `--seed ${r.seed}` : `--digit ${r.digit}`}` +
        `${r.invert ? " --invert" : ""}${
          r.scale ? ` --scale ${r.scale} --center ${r.center!.join(",")}` : ""
        }`;
      const { path: written } = await renderSingle(pool, model, options, command);
      log(`render: ${written}`);
    }
  } finally {
    pool.close();
  }
  return await buildSite({ out: source.out, base: null, site: null, log });
}
