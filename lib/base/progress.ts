/**
 * A progress line for long work: a bar with counts, a rate and an ETA on a
 * terminal (std's ProgressBar), or a plain line every few seconds when the
 * output is a pipe or file (CI logs stay readable).
 *
 * @module
 */
import { ProgressBar } from "@std/cli/unstable-progress-bar";

/** Options for {@linkcode Progress}. */
export interface ProgressOptions {
  /** Total units of work. */
  max: number;
  /** Units already done (resumed work, or the first unit when the display starts after it). */
  start?: number;
  /** Word for one unit, for the rate ("img", "frames"). */
  unit: string;
  /** Multiplier from progress units to rate units (e.g. batch size). */
  rateScale?: number;
  /** Seconds between plain lines when not on a terminal (default 10). */
  plainEvery?: number;
  /** The work stops after at most this many seconds: the ETA never says more. */
  limitSeconds?: number;
}

/** Formats seconds as `h:mm:ss` or `mm:ss`. */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return "--:--";
  const s = Math.round(seconds);
  const h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60), r = s % 60;
  const mm = String(m).padStart(2, "0"), ss = String(r).padStart(2, "0");
  return h ? `${h}:${mm}:${ss}` : `${mm}:${ss}`;
}

/** A progress display with rate and ETA. */
export class Progress {
  readonly #options: Required<ProgressOptions>;
  readonly #bar: ProgressBar | null;
  readonly #startTime = performance.now();
  #value: number;
  #detail = "";
  #lastPlain = 0;

  constructor(options: ProgressOptions) {
    this.#options = {
      start: 0,
      rateScale: 1,
      plainEvery: 10,
      limitSeconds: Infinity,
      ...options,
    };
    this.#value = this.#options.start;
    this.#bar = Deno.stderr.isTerminal()
      ? new ProgressBar({
        max: options.max,
        value: this.#value,
        barLength: 24,
        formatter: () => this.line(),
      })
      : null;
  }

  /** Units per second since this display started (in rate units). */
  rate(): number {
    const seconds = (performance.now() - this.#startTime) / 1000;
    const done = this.#value - this.#options.start;
    return seconds > 0 ? (done * this.#options.rateScale) / seconds : 0;
  }

  /** The current line of text. */
  line(): string {
    const { max, unit, rateScale, limitSeconds } = this.#options;
    const seconds = (performance.now() - this.#startTime) / 1000;
    // in the first second a rate says little (the first unit may have been ready at once)
    const rate = seconds >= 1 ? this.rate() : NaN;
    const left = Math.min(
      rate > 0 ? ((max - this.#value) * rateScale) / rate : NaN,
      Math.max(0, limitSeconds - seconds),
    );
    const pct = max ? Math.floor((100 * this.#value) / max) : 100;
    const filled = Math.round((24 * Math.min(this.#value, max)) / Math.max(max, 1));
    const bar = "#".repeat(filled) + "-".repeat(24 - filled);
    const rateText = Number.isNaN(rate) ? "-" : rate >= 10 ? rate.toFixed(0) : rate.toFixed(2);
    return `[${bar}] ${pct}% ${this.#value}/${max} ${this.#detail} | ${rateText} ${unit}/s | ${
      formatDuration(seconds)
    } elapsed, ETA ${formatDuration(left)}`;
  }

  /** Sets the units done and an optional detail text (losses, names). */
  update(value: number, detail = this.#detail): void {
    this.#value = value;
    this.#detail = detail;
    if (this.#bar) {
      this.#bar.value = value;
      return;
    }
    const now = performance.now();
    if (now - this.#lastPlain >= this.#options.plainEvery * 1000 || value >= this.#options.max) {
      this.#lastPlain = now;
      console.error(this.line());
    }
  }

  /** Ends the display (the bar's last state stays on screen). */
  async stop(): Promise<void> {
    if (this.#bar) await this.#bar.stop();
  }
}
