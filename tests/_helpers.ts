/** Shared test setup: the wasm backend, temp folders and tiny configs. */
import { initBackend } from "../lib/base/backend.ts";
import type { TrainConfig } from "../lib/train/config.ts";
import type { ModelSettings } from "../lib/model/model.ts";
import { join } from "@std/path";

let ready: Promise<unknown> | null = null;

/** Starts the wasm backend once per test process. */
export function useWasm(): Promise<unknown> {
  ready ??= initBackend("wasm");
  return ready;
}

/** A fresh temporary folder, removed by the returned function. */
export async function tempDir(): Promise<{ path: string; [Symbol.asyncDispose](): Promise<void> }> {
  const path = await Deno.makeTempDir({ prefix: "cppn-test-" });
  return {
    path,
    async [Symbol.asyncDispose]() {
      await Deno.remove(path, { recursive: true }).catch(() => {});
    },
  };
}

/** Model settings small enough for a network to build and run in milliseconds. */
export const TINY_SETTINGS: ModelSettings = {
  zDim: 4,
  width: 8,
  depth: 3,
  scale: 8,
  size: 26,
  encoderWidth: 16,
  discChannels: [4, 4, 4],
};

/** A training config small enough to run a step in well under a second. */
export function tinyConfig(out: string, extra: Partial<TrainConfig> = {}): Partial<TrainConfig> {
  return {
    out,
    backend: "wasm",
    width: 8,
    batch: 4,
    zDim: 4,
    encoderWidth: 16,
    discChannels: [4, 4, 4],
    ganAfter: 0,
    logEvery: 1,
    sampleEvery: 2,
    checkpointEvery: 2,
    ...extra,
  };
}

/** Runs a project script (`scripts/NAME.ts`) in a subprocess. */
export async function runScript(
  name: string,
  args: string[],
): Promise<{ code: number; stdout: string; stderr: string }> {
  const command = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", `scripts/${name}.ts`, ...args],
    stdout: "piped",
    stderr: "piped",
  });
  const { code, stdout, stderr } = await command.output();
  const text = new TextDecoder();
  return { code, stdout: text.decode(stdout), stderr: text.decode(stderr) };
}

/** Builds IDX bytes of unsigned bytes with the given dims. */
export function idxBytes(dims: number[], values?: Uint8Array, magic?: number): Uint8Array {
  const size = dims.reduce((a, b) => a * b, 1);
  const out = new Uint8Array(4 + 4 * dims.length + size);
  const view = new DataView(out.buffer);
  view.setUint32(0, magic ?? (0x08 << 8 | dims.length));
  dims.forEach((d, i) => view.setUint32(4 + 4 * i, d));
  out.set(values ?? new Uint8Array(size).map((_, i) => i % 256), 4 + 4 * dims.length);
  return out;
}

/**
 * A tiny trained checkpoint (width 16, one step) for rendering tests,
 * created once per test process in a temp folder.
 */
let tinyModelDir: Promise<string> | null = null;
export function tinyModel(): Promise<string> {
  tinyModelDir ??= (async () => {
    const { prepareRun, train } = await import("../lib/train/loop.ts");
    await useWasm();
    const out = await Deno.makeTempDir({ prefix: "cppn-model-" });
    const outcome = await train(
      await prepareRun(
        tinyConfig(out, { run: "m", steps: 1, width: 16, zDim: 8, sampleEvery: 100 }),
      ),
    );
    return outcome.paths.checkpoint;
  })();
  return tinyModelDir;
}

/**
 * A tiny colour model (width 16, size 16, one step on 8 pictures of
 * {@linkcode writePictures}), created once per test process.
 */
let tinyColourDir: Promise<string> | null = null;
export function tinyColourModel(): Promise<string> {
  tinyColourDir ??= (async () => {
    const { prepareRun, train } = await import("../lib/train/loop.ts");
    await useWasm();
    const out = await Deno.makeTempDir({ prefix: "cppn-colour-" });
    await writePictures(join(out, "pictures"), 8);
    const config = tinyConfig(out, {
      run: "c",
      data: join(out, "pictures"),
      size: 16,
      steps: 1,
      width: 16,
      zDim: 8,
      discChannels: [4, 4],
      sampleEvery: 100,
    });
    return (await train(await prepareRun(config))).paths.checkpoint;
  })();
  return tinyColourDir;
}

/**
 * A tiny RAM disk of `kib` KiB that fills up after a few writes, or null
 * where this process may not mount one (it needs root): the full-disk
 * tests skip there.
 */
export async function smallDisk(
  kib: number,
): Promise<{ path: string; [Symbol.asyncDispose](): Promise<void> } | null> {
  if (Deno.build.os !== "linux") return null;
  const path = await Deno.makeTempDir({ prefix: "cppn-full-" });
  const mount = await new Deno.Command("mount", {
    args: ["-t", "tmpfs", "-o", `size=${kib}k`, "tmpfs", path],
    stdout: "null",
    stderr: "null",
  }).output().catch(() => ({ success: false }));
  if (!mount.success) {
    await Deno.remove(path);
    return null;
  }
  return {
    path,
    async [Symbol.asyncDispose]() {
      await new Deno.Command("umount", { args: [path] }).output();
      await Deno.remove(path, { recursive: true }).catch(() => {});
    },
  };
}

/**
 * Writes `count` PNG pictures of different sizes (40..63 x 30..53) into
 * `dir`: a red-orange disc (radius 8..16 of the shorter side's 30) on a
 * dark blue ground, or the same in grey (R = G = B) with `grey`.
 * Returns their paths, in sorted order.
 */
export async function writePictures(
  dir: string,
  count: number,
  options: { grey?: boolean; format?: "png" | "jpeg" | "webp" } = {},
): Promise<string[]> {
  const { default: sharp } = await import("sharp");
  await Deno.mkdir(dir, { recursive: true });
  const paths: string[] = [];
  for (let i = 0; i < count; i++) {
    const w = 40 + (i % 24), h = 30 + (i % 24);
    const radius = ((8 + (i % 5) * 2) * h) / 30;
    const px = new Uint8Array(w * h * 3);
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        const inside = (x + 0.5 - w / 2) ** 2 + (y + 0.5 - h / 2) ** 2 < radius ** 2;
        const rgb = inside ? [230, 60 + 4 * (i % 20), 30] : [20, 40, 190];
        const grey = Math.round((rgb[0] + rgb[1] + rgb[2]) / 3);
        px.set(options.grey ? [grey, grey, grey] : rgb, (y * w + x) * 3);
      }
    }
    const format = options.format ?? "png";
    const path = join(
      dir,
      `pic${String(i).padStart(3, "0")}.${format === "jpeg" ? "jpg" : format}`,
    );
    const image = sharp(px, { raw: { width: w, height: h, channels: 3 } });
    await (format === "png" ? image.png() : format === "jpeg" ? image.jpeg() : image.webp())
      .toFile(path);
    paths.push(path);
  }
  return paths;
}
