/**
 * Tiny gallery inputs that follow the walk / render / run formats: a walk
 * with two keyframe stills, frames, a contact sheet and (when an ffmpeg is
 * available) a real MP4; renders with sidecars; a run with sample grids.
 */
import { findFfmpeg } from "../lib/media/ffmpeg.ts";
import { join } from "@std/path";
import sharp from "sharp";
import { exists } from "../lib/base/atomic_write.ts";
import { floatBytes } from "../lib/base/checksummed_folder.ts";
import { sha256Hex } from "../lib/base/fs_safe.ts";
import { Rng } from "../lib/base/rng.ts";

/** A greyscale PNG: a soft bright disc on black, offset by `seed`. */
export async function discPng(width: number, height: number, seed = 0): Promise<Uint8Array> {
  const pixels = new Uint8Array(width * height);
  const cx = width * (0.4 + 0.05 * (seed % 5)), cy = height * 0.5;
  const r = Math.min(width, height) * 0.3;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const d = Math.hypot(x - cx, y - cy) - r;
      const ring = 0.5 + 0.5 * Math.sin((x + y + seed * 7) / 9);
      pixels[y * width + x] = Math.round(255 / (1 + Math.exp(d / 4)) * (0.6 + 0.4 * ring));
    }
  }
  return new Uint8Array(
    await sharp(pixels, { raw: { width, height, channels: 1 } }).png().toBuffer(),
  );
}

const MODEL = {
  kind: "run",
  name: "run1",
  checkpoint: "output/runs/run1/checkpoint",
  step: 42,
  spec: { zDim: 4, width: 8, depth: 4, scale: 8, size: 26 },
};

/** A working ffmpeg (as `deno task walk` finds one), or null. */
export async function findTestFfmpeg(): Promise<string | null> {
  return (await findFfmpeg())?.path ?? null;
}

/** Options of {@link makeWalk}. */
export interface WalkFixtureOptions {
  /** Created time (ISO). */
  created?: string;
  /** Side of the keyframe stills. */
  stillSize?: number;
  /** Write a real MP4 with this ffmpeg (null: no video, `video: null`). */
  ffmpeg?: string | null;
}

/** Writes `out/walks/ID/` in the cppn-walk/1 format. Returns whether it has a video. */
export async function makeWalk(
  out: string,
  id: string,
  options: WalkFixtureOptions = {},
): Promise<{ video: boolean }> {
  const dir = join(out, "walks", id);
  const side = options.stillSize ?? 300;
  await Deno.mkdir(join(dir, "stills"), { recursive: true });
  await Deno.mkdir(join(dir, "frames"), { recursive: true });
  for (let k = 0; k < 2; k++) {
    await Deno.writeFile(join(dir, "stills", `key-0${k}.png`), await discPng(side, side, k + 1));
  }
  const frameCount = 8;
  for (let f = 0; f < frameCount; f++) {
    await Deno.writeFile(
      join(dir, "frames", `${String(f).padStart(6, "0")}.png`),
      await discPng(64, 64, f),
    );
  }
  await Deno.writeFile(join(dir, "contact.png"), await discPng(256, 64, 3));
  let video = false;
  if (options.ffmpeg) {
    const { success } = await new Deno.Command(options.ffmpeg, {
      args: [
        "-hide_banner",
        "-loglevel",
        "error",
        "-y",
        "-framerate",
        "8",
        "-i",
        join(dir, "frames", "%06d.png"),
        "-c:v",
        "libx264",
        "-pix_fmt",
        "yuv420p",
        "-movflags",
        "+faststart",
        join(dir, "walk.mp4"),
      ],
      stdout: "null",
      stderr: "piped",
    }).output();
    video = success;
  }
  const walk = {
    format: "cppn-walk/1",
    id,
    created: options.created ?? "2026-01-02T03:04:05.000Z",
    model: MODEL,
    keyframes: [
      { label: "digit 3", digit: 3, z: [0.1, -0.2, 0.3, 0.4], still: "stills/key-00.png" },
      { label: "digit 8", digit: 8, z: [-0.5, 0.2, 0.1, 0], still: "stills/key-01.png" },
    ],
    settings: {
      steps: frameCount,
      fps: 8,
      width: 64,
      height: 64,
      stillWidth: side,
      stillHeight: side,
      interp: "slerp",
      ease: "cosine",
      loop: true,
      scale: 8,
      center: [0, 0],
      invert: false,
      seed: 1,
    },
    frames: { count: frameCount, dir: "frames" },
    video: video ? "walk.mp4" : null,
    contact: "contact.png",
    command: `deno task walk --steps ${frameCount} --digits 3,8`,
    timings: { total_s: 1.5 },
  };
  await Deno.writeTextFile(join(dir, "walk.json"), JSON.stringify(walk, null, 2));
  return { video };
}

/** Writes `out/renders/NAME.png` and its cppn-render/1 sidecar. */
export async function makeRender(
  out: string,
  name: string,
  options: {
    width?: number;
    height?: number;
    created?: string;
    seed?: number;
    /** The latent vector recorded (default: 4 values). */
    z?: number[];
    /** The view recorded (default: scale 8 at the origin). */
    view?: { scale: number; center: [number, number] };
    /** The model recorded (default: run "run1"). */
    model?: Record<string, unknown>;
  } = {},
): Promise<void> {
  const dir = join(out, "renders");
  await Deno.mkdir(dir, { recursive: true });
  const width = options.width ?? 300, height = options.height ?? 300;
  await Deno.writeFile(join(dir, `${name}.png`), await discPng(width, height, options.seed ?? 4));
  const sidecar = {
    format: "cppn-render/1",
    image: `${name}.png`,
    created: options.created ?? "2026-01-03T00:00:00.000Z",
    width,
    height,
    z: options.z ?? [0.5, 0.5, -0.5, 0],
    source: { digit: 5 },
    view: options.view ?? { scale: 8, center: [0, 0] },
    invert: false,
    model: options.model ?? MODEL,
    command: `deno task render --digit 5 --width ${width} --height ${height} --out ${name}.png`,
  };
  await Deno.writeTextFile(join(dir, `${name}.json`), JSON.stringify(sidecar, null, 2));
}

/**
 * Writes `out/runs/NAME/` (config, samples, losses, log) and points `latest` at it.
 *
 * @param options.checkpoint a checkpoint folder to copy in as the run's `checkpoint/`
 *   (a real trained model, for the live explorer).
 */
export async function makeRun(
  out: string,
  name: string,
  options: { checkpoint?: string } = {},
): Promise<void> {
  const dir = join(out, "runs", name);
  await Deno.mkdir(join(dir, "samples"), { recursive: true });
  if (options.checkpoint) {
    await Deno.mkdir(join(dir, "checkpoint"));
    for await (const entry of Deno.readDir(options.checkpoint)) {
      if (entry.isFile) {
        await Deno.copyFile(
          join(options.checkpoint, entry.name),
          join(dir, "checkpoint", entry.name),
        );
      }
    }
  }
  await Deno.writeTextFile(
    join(dir, "config.json"),
    JSON.stringify({ run: name, zDim: 4, width: 8, depth: 4, scale: 8, size: 26, batch: 4 }),
  );
  for (const step of [0, 2, 4]) {
    await Deno.writeFile(
      join(dir, "samples", `step-${String(step).padStart(6, "0")}.png`),
      await discPng(120, 120, step),
    );
  }
  await Deno.writeFile(join(dir, "losses.png"), await discPng(320, 160, 9));
  const log = [1, 2, 3, 4].map((step) =>
    JSON.stringify({ step, epoch: 0, vae_loss: 0.5 / step, g_loss: 0.7, d_loss: 0.6, time_s: step })
  );
  await Deno.writeTextFile(join(dir, "log.jsonl"), log.join("\n") + "\n");
  await Deno.remove(join(out, "runs", "latest")).catch(() => {});
  await Deno.symlink(name, join(out, "runs", "latest"));
}

/**
 * Copies checkpoint folder `from` to `to` with the generator's weights
 * (and their moving average, which readers prefer) replaced by N(0, `std`)
 * draws (seed `seed`), and its checksums updated.
 * A trained tiny model draws an almost flat grey; these weights draw
 * contrasty patterns, so that comparing renders means something.
 */
export async function contrastyCheckpoint(
  from: string,
  to: string,
  std = 0.5,
  seed = 3,
): Promise<void> {
  await Deno.mkdir(to, { recursive: true });
  for await (const entry of Deno.readDir(from)) {
    if (entry.isFile) await Deno.copyFile(join(from, entry.name), join(to, entry.name));
  }
  const values = new Rng(seed, "contrasty").normal(
    (await Deno.stat(join(to, "generator.bin"))).size / 4,
    0,
    std,
  );
  await Deno.writeFile(join(to, "generator.bin"), floatBytes(values));
  if (await exists(join(to, "generator.ema.bin"))) {
    await Deno.writeFile(join(to, "generator.ema.bin"), floatBytes(values));
  }
  const lines = (await Deno.readTextFile(join(to, "checksums.sha256"))).trim().split("\n");
  const updated: string[] = [];
  for (const line of lines) {
    const name = line.slice(66);
    updated.push(`${await sha256Hex(await Deno.readFile(join(to, name)))}  ${name}`);
  }
  await Deno.writeTextFile(join(to, "checksums.sha256"), updated.join("\n") + "\n");
}
