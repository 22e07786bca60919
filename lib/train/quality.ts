/**
 * Sample quality measured while a run trains (`deno task train
 * --eval-every N`): every N steps the saved checkpoint goes through
 * `deno task eval`'s measurements, one line is appended to the run's
 * `quality.jsonl`, and `quality.png` charts FD, confident and coverage
 * against minutes of training. The loss curves say whether training is
 * stable; these say whether the digits are getting better, and they make
 * runs comparable at equal training time.
 *
 * @module
 */
import { writeChartPng } from "../media/chart.ts";
import { evaluate } from "../eval/evaluate.ts";
import { EVAL_DEFAULTS } from "../eval/config.ts";

/** One measurement, as a line of `quality.jsonl`. */
export interface QualityEntry {
  /** Training steps done. */
  step: number;
  /** Seconds of training so far (the run's clock, across resumes). */
  time_s: number;
  /** Fréchet distance of the samples to the test images (lower is better). */
  fd: number;
  /** Class entropy / ln 10 of the samples. */
  coverage: number;
  /** Share of samples classified with p >= 0.9. */
  confident: number;
  /** VAE loss per pixel on the test images. */
  reconstruction: number;
}

/**
 * Evaluates a checkpoint as `deno task eval` does (the project's
 * classifier, `samples` samples of `z ~ N(0, I)` from `deno task eval`'s
 * seed), so the numbers match a later `deno task eval` of it.
 */
export async function measureQuality(
  checkpoint: string,
  samples: number,
  at: { step: number; time_s: number },
): Promise<QualityEntry> {
  const { report } = await evaluate({
    checkpoint,
    classifierDir: EVAL_DEFAULTS.classifier,
    samples,
    seed: EVAL_DEFAULTS.seed,
  });
  return {
    step: at.step,
    time_s: at.time_s,
    fd: report.fd,
    coverage: report.coverage,
    confident: report.confident,
    reconstruction: report.reconstruction,
  };
}

/** Charts FD, then confident and coverage, against minutes of training. */
export async function writeQualityChart(path: string, entries: QualityEntry[]): Promise<void> {
  const pts = (f: (e: QualityEntry) => number) =>
    entries.map((e) => [e.time_s / 60, f(e)] as [number, number]);
  await writeChartPng(path, [
    {
      title: "FD to the test images (lower is better)",
      series: [{ name: "FD", color: "#1f77b4", points: pts((e) => e.fd) }],
    },
    {
      title: "samples: share classified with p >= 0.9, class coverage",
      series: [
        { name: "confident", color: "#d62728", points: pts((e) => e.confident) },
        { name: "coverage", color: "#2ca02c", points: pts((e) => e.coverage) },
      ],
    },
  ], "minutes of training");
}

/** One run's measurements, for {@linkcode writeQualityComparison}. */
export interface QualitySeries {
  /** The run's label in the legend. */
  name: string;
  /** Its line colour (CSS). */
  color: string;
  /** Its measurements (`quality.jsonl`). */
  entries: QualityEntry[];
}

/** Charts FD and confident against minutes of training for several runs side by side. */
export async function writeQualityComparison(path: string, runs: QualitySeries[]): Promise<void> {
  const pts = (entries: QualityEntry[], f: (e: QualityEntry) => number) =>
    entries.map((e) => [e.time_s / 60, f(e)] as [number, number]);
  const series = (f: (e: QualityEntry) => number) =>
    runs.map((r) => ({ name: r.name, color: r.color, points: pts(r.entries, f) }));
  await writeChartPng(path, [
    { title: "FD to the test images (lower is better)", series: series((e) => e.fd) },
    {
      title: "confident: share of samples classified with p >= 0.9",
      series: series((e) => e.confident),
    },
  ], "minutes of training (one core each, side by side)");
}
