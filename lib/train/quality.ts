/**
 * Sample quality measured while a run trains (`deno task train
 * --eval-every N`): every N steps the saved checkpoint goes through
 * `deno task eval`'s measurements, one line is appended to the run's
 * `quality.jsonl`, and `quality.png` charts them against minutes of
 * training. A digit model trained on MNIST-format data is measured with the
 * MNIST classifier (FD, confident, coverage); a model of pictures by FD in
 * random-network features against the held-out tenth of its pictures (and
 * that FD's floor), as `deno task eval` measures it. The loss curves say
 * whether training is stable; these say whether the samples are getting
 * better, and they make runs comparable at equal training time.
 *
 * @module
 */
import { writeChartPng } from "../media/chart.ts";
import { evaluate, evaluatePictureModel } from "../eval/evaluate.ts";
import { EVAL_DEFAULTS } from "../eval/config.ts";
import { type PictureReference, pictureReference } from "../eval/pictures.ts";
import { type DataOptions, isIdxData } from "../data/dataset.ts";
import { FlagError } from "../base/flags.ts";

/** One measurement, as a line of `quality.jsonl`. */
export interface QualityEntry {
  /** Training steps done. */
  step: number;
  /** Seconds of training so far (the run's clock, across resumes). */
  time_s: number;
  /**
   * Fréchet distance of the samples to the test images (digits: classifier
   * features; pictures: random-network features, held-out pictures). Lower
   * is better.
   */
  fd: number;
  /** Pictures: the FD of the training pictures to the held-out ones (what real pictures score). */
  fd_floor?: number;
  /** Digits: class entropy / ln 10 of the samples. */
  coverage?: number;
  /** Digits: share of samples classified with p >= 0.9. */
  confident?: number;
  /** VAE loss per pixel (per value, for colour) on the test (held-out) images. */
  reconstruction: number;
}

/** When a measurement is taken: steps and seconds of training. */
export interface QualityAt {
  step: number;
  time_s: number;
}

/**
 * Measures a run's checkpoints as `deno task eval` does, with `deno task
 * eval`'s seed, so the numbers match a later `deno task eval` of the same
 * checkpoint and sample count. For pictures, the held-out and training
 * pictures are loaded and measured once, at the first measurement.
 */
export class QualityMeter {
  readonly #pictures: (DataOptions & { channels: number }) | null;
  #reference: PictureReference | null = null;

  private constructor(pictures: (DataOptions & { channels: number }) | null) {
    this.#pictures = pictures;
  }

  /**
   * The meter for a run on `data`: the MNIST classifier for IDX data, else
   * the run's pictures.
   *
   * @throws {FlagError} for IDX data at another size than 26 (the classifier's).
   */
  static async of(data: DataOptions & { channels: number }): Promise<QualityMeter> {
    const { size, fit, channels } = data;
    if (!(await isIdxData(data.data))) {
      return new QualityMeter({ data: data.data, size, fit, channels });
    }
    if (size !== 26) {
      throw new FlagError(
        `--eval-every measures IDX data with the MNIST classifier, which takes 26x26 digits, ` +
          `not --size ${size}: use --size 26, or leave --eval-every out`,
      );
    }
    return new QualityMeter(null);
  }

  /** Measures the checkpoint `checkpoint` with `samples` samples. */
  async measure(checkpoint: string, samples: number, at: QualityAt): Promise<QualityEntry> {
    const seed = EVAL_DEFAULTS.seed;
    if (!this.#pictures) {
      const { report } = await evaluate({
        checkpoint,
        classifierDir: EVAL_DEFAULTS.classifier,
        samples,
        seed,
      });
      const { fd, coverage, confident, reconstruction } = report;
      return { ...at, fd, coverage, confident, reconstruction };
    }
    this.#reference ??= await pictureReference(this.#pictures);
    const { report } = await evaluatePictureModel({
      checkpoint,
      samples,
      seed,
      data: this.#pictures,
      reference: this.#reference,
    });
    return {
      ...at,
      fd: report.fd,
      fd_floor: report.fd_floor,
      reconstruction: report.reconstruction,
    };
  }
}

/** Chart points `[minutes of training, f(entry)]` (NaN where an entry lacks the value). */
function againstMinutes(
  entries: QualityEntry[],
  f: (e: QualityEntry) => number | undefined,
): [number, number][] {
  return entries.map((e) => [e.time_s / 60, f(e) ?? NaN]);
}

/**
 * Charts a run's measurements against minutes of training: FD, then
 * confident and coverage (digits), or FD and its floor, then the
 * reconstruction loss (pictures).
 */
export async function writeQualityChart(path: string, entries: QualityEntry[]): Promise<void> {
  const pts = (f: (e: QualityEntry) => number | undefined) => againstMinutes(entries, f);
  if (entries.some((e) => e.fd_floor !== undefined)) {
    await writeChartPng(path, [
      {
        title: "FD to the held-out pictures (lower is better; the floor: real pictures)",
        series: [
          { name: "FD", color: "#1f77b4", points: pts((e) => e.fd) },
          { name: "floor", color: "#7f7f7f", points: pts((e) => e.fd_floor) },
        ],
      },
      {
        title: "reconstruction: VAE loss per value on the held-out pictures",
        series: [{
          name: "reconstruction",
          color: "#d62728",
          points: pts((e) => e.reconstruction),
        }],
      },
    ], "minutes of training");
    return;
  }
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

/**
 * Charts FD and confident against minutes of training for several runs
 * side by side; `xLabel` says how the minutes were counted.
 */
export async function writeQualityComparison(
  path: string,
  runs: QualitySeries[],
  xLabel = "minutes of training",
): Promise<void> {
  const series = (f: (e: QualityEntry) => number | undefined) =>
    runs.map((r) => ({ name: r.name, color: r.color, points: againstMinutes(r.entries, f) }));
  await writeChartPng(path, [
    { title: "FD to the test images (lower is better)", series: series((e) => e.fd) },
    {
      title: "confident: share of samples classified with p >= 0.9",
      series: series((e) => e.confident),
    },
  ], xLabel);
}
