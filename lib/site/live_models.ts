/**
 * The gallery's live models: finds the trained generators the gallery
 * shows (every run with a checkpoint, and every checkpoint folder a walk or
 * a render names), and exports each to the browser format of
 * `explore/browser_model.ts` for the live explorer: folded weights plus the digit
 * keyframes (one real test example per digit, encoded with the encoder's
 * mean, as `deno task walk` picks them).
 *
 * Incremental like the tiles: each export is named by the SHA-256 of the
 * checkpoint's generator and encoder files and the export settings
 * (`<root>/<key>.json` and `<key>.bin`), so an unchanged model is never
 * exported twice, a retrained one gets new URLs (cached forever by hosts),
 * and exports no model uses any more are deleted.
 *
 * @module
 */
import { basename, isAbsolute, join, resolve } from "@std/path";
import { writeFileAtomic } from "../base/atomic_write.ts";
import { initBackend } from "../base/backend.ts";
import {
  type BrowserKeyframe,
  type BrowserModelJson,
  browserModelJson,
  checkBrowserModelJson,
  packFoldedWeights,
} from "../explore/browser_model.ts";
import { loadGenerator, loadState, readNetwork, weightsFile } from "../model/network_files.ts";
import type { EncoderSpec } from "../model/encoder.ts";
import { unflatten } from "../model/params.ts";
import { packEncoder } from "../explore/browser_encoder.ts";
import { locateCheckpoint, readChecksums, readVerified } from "../base/checksummed_folder.ts";
import { removeInside, sha256Hex } from "../base/fs_safe.ts";
import type { GalleryManifest, ModelRef } from "./manifest.ts";
import { slugify } from "./manifest.ts";
import { channelsOf, type GeneratorSpec, isDigitModel } from "../model/generator.ts";
import { encodeDigits } from "../latent/keyframes.ts";
import { foldWeights } from "../render/renderer.ts";
import { tf } from "../base/tf.ts";

/** The seed that picks each digit's test example (the default of `deno task walk`). */
export const KEYFRAME_SEED = 1;
/** The digits exported as keyframes. */
export const KEYFRAME_DIGITS: readonly number[] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9];

/** A model the explorer can show. */
export interface LiveModelSource {
  /** URL-safe id, unique in the gallery (the `m=` of explorer links). */
  id: string;
  /** `run` or `model`, as in a {@link ModelRef}. */
  kind: "run" | "model";
  /** Run name, or the checkpoint folder as recorded. */
  name: string;
  /** Absolute path of the checkpoint folder. */
  checkpoint: string;
  /** The run's slug in the gallery (its page), or null. */
  runSlug: string | null;
}

/** An exported live model. */
export interface LiveModel extends LiveModelSource {
  /** Content key: the first 16 hex digits of the export's SHA-256. */
  key: string;
  /** Absolute path of the JSON half in the cache. */
  jsonPath: string;
  /** Absolute path of the binary half in the cache. */
  binPath: string;
  /** Absolute path of the encoder's weights in the cache, if exported. */
  encoderPath: string | null;
  /** The generator's architecture. */
  spec: GeneratorSpec;
  /** Size of the binary half. */
  bytes: number;
  /** Digit keyframes exported. */
  keyframes: number;
  /** Training steps behind the checkpoint, if recorded. */
  step: number | null;
}

/** What {@link syncLiveModels} did. */
export interface LiveModelSync {
  /** The exported models, in the order of their sources. */
  models: LiveModel[];
  /** Models exported now. */
  made: number;
  /** Models whose export was already in the cache. */
  reused: number;
  /** Stale cache files deleted. */
  removed: number;
  /** Models skipped or exported without keyframes, one line each. */
  warnings: string[];
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

async function realPathOrNull(path: string): Promise<string | null> {
  try {
    return await Deno.realPath(path);
  } catch {
    return null;
  }
}

/**
 * Resolves a recorded checkpoint path: absolute, or relative to `cwd`
 * (where the command that recorded it ran, usually the repository).
 */
function resolveCheckpoint(path: string, cwd: string): string {
  return isAbsolute(path) ? path : resolve(cwd, path);
}

/**
 * The models of a gallery the explorer shows: each run that has a
 * checkpoint (`runs/NAME/checkpoint/`), then each checkpoint folder
 * (`kind: "model"`) named by a walk or a render that exists on disk. A
 * folder reached twice is listed once.
 */
export async function liveModelSources(
  manifest: GalleryManifest,
  cwd: string = Deno.cwd(),
): Promise<LiveModelSource[]> {
  const sources: LiveModelSource[] = [];
  const seen = new Set<string>();
  const ids = new Set<string>();
  const add = async (source: Omit<LiveModelSource, "id">, id: string) => {
    let checkpoint: string;
    try {
      checkpoint = await locateCheckpoint(source.checkpoint);
    } catch {
      return; // no checkpoint (yet): nothing to explore
    }
    const real = (await realPathOrNull(checkpoint)) ?? checkpoint;
    if (seen.has(real)) return;
    seen.add(real);
    let unique = id;
    for (let n = 2; ids.has(unique.toLowerCase()); n++) unique = `${id}-${n}`;
    ids.add(unique.toLowerCase());
    sources.push({ ...source, id: unique, checkpoint });
  };
  for (const run of manifest.runs) {
    await add(
      { kind: "run", name: run.name, checkpoint: join(run.dir, "checkpoint"), runSlug: run.slug },
      run.slug,
    );
  }
  const refs = [...manifest.walks.map((w) => w.model), ...manifest.stills.map((s) => s.model)];
  for (const ref of refs) {
    if (!ref || ref.kind !== "model" || !ref.checkpoint) continue;
    const checkpoint = resolveCheckpoint(ref.checkpoint, cwd);
    await add(
      { kind: "model", name: ref.name, checkpoint, runSlug: null },
      slugify(basename(ref.name) || "model"),
    );
  }
  return sources;
}

/**
 * The live model that made an image: the gallery's run of that name, or
 * the exported checkpoint folder it names. Undefined if it is not exported.
 */
export async function matchLiveModel(
  models: readonly LiveModel[],
  ref: ModelRef | null,
  cwd: string = Deno.cwd(),
): Promise<LiveModel | undefined> {
  if (!ref) return undefined;
  if (ref.kind === "run") return models.find((m) => m.kind === "run" && m.name === ref.name);
  if (!ref.checkpoint) return undefined;
  const wanted = await realPathOrNull(resolveCheckpoint(ref.checkpoint, cwd));
  if (!wanted) return undefined;
  for (const model of models) {
    if (model.kind === "model" && (await realPathOrNull(model.checkpoint)) === wanted) return model;
  }
  return undefined;
}

/** The content key of a checkpoint's export (generator, encoder if any, settings). */
export async function exportKey(checkpoint: string, seed = KEYFRAME_SEED): Promise<string> {
  const dir = await locateCheckpoint(checkpoint);
  const listing = await readChecksums(dir);
  const generator = await readVerified(dir, ["generator.json", weightsFile(listing, "generator")]);
  let encoder = new Map<string, Uint8Array>();
  try {
    encoder = await readVerified(dir, ["encoder.json", weightsFile(listing, "encoder")]);
  } catch {
    // no encoder: exported without keyframes
  }
  const parts = [
    new TextEncoder().encode(
      `cppn-browser-model/1 seed ${seed} digits ${KEYFRAME_DIGITS} encoder\n`,
    ),
    ...generator.values(),
    ...encoder.values(),
  ];
  const total = parts.reduce((s, p) => s + p.byteLength, 0);
  const all = new Uint8Array(total);
  let offset = 0;
  for (const part of parts) {
    all.set(part, offset);
    offset += part.byteLength;
  }
  return (await sha256Hex(all)).slice(0, 16);
}

/**
 * Exports a checkpoint's generator for the browser: its folded weights,
 * the digit keyframes (a digit model's) and the encoder, for pictures the
 * page encodes. Both need the encoder; without one they are left out and
 * `warning` says so.
 *
 * @param weightsFile The file name the JSON gives for the binary half.
 */
export async function exportBrowserModel(
  checkpoint: string,
  weightsFile: string,
  seed = KEYFRAME_SEED,
): Promise<{
  json: BrowserModelJson;
  bin: Uint8Array;
  encoderBin: Uint8Array | null;
  warning: string | null;
}> {
  const net = await loadGenerator(checkpoint);
  const packed = packFoldedWeights(foldWeights(net));
  let items: BrowserKeyframe[] = [];
  let warning: string | null = null;
  try {
    if (isDigitModel(net.spec)) {
      const keys = await encodeDigits(checkpoint, [...KEYFRAME_DIGITS], seed);
      items = keys.map((k) => ({
        digit: k.digit!,
        label: k.label,
        testIndex: k.testIndex,
        z: Array.from(k.z),
      }));
    }
  } catch (error) {
    warning = `no digit keyframes (${message(error)})`;
  }
  const encoder = await packedEncoder(checkpoint, net.spec, encoderFileFor(weightsFile));
  const json = browserModelJson(net.spec, packed, weightsFile, { seed, items });
  if (!encoder) return { json, bin: packed.bytes, encoderBin: null, warning };
  return {
    json: { ...json, encoder: encoder.json },
    bin: packed.bytes,
    encoderBin: encoder.bytes,
    warning,
  };
}

/** The encoder's file that goes with a generator's (`KEY.bin` -> `KEY.enc.bin`). */
export function encoderFileFor(weightsFile: string): string {
  return weightsFile.replace(/(\.bin)?$/, ".enc.bin");
}

/** The checkpoint's encoder packed for the browser, or null if it has none. */
async function packedEncoder(checkpoint: string, spec: GeneratorSpec, file: string) {
  let net;
  try {
    net = await readNetwork<EncoderSpec>(await locateCheckpoint(checkpoint), "encoder");
  } catch {
    return null; // no encoder: pictures cannot be encoded in the page
  }
  const arrays = unflatten(net.values, net.manifest);
  return packEncoder(net.spec, arrays, { size: spec.size, channels: channelsOf(spec) }, file);
}

async function readCached(jsonPath: string, binPath: string): Promise<BrowserModelJson | null> {
  try {
    const json = checkBrowserModelJson(JSON.parse(await Deno.readTextFile(jsonPath)));
    const info = await Deno.stat(binPath);
    if (json.encoder) {
      const encoder = await Deno.stat(encoderFileFor(binPath));
      if (encoder.size !== json.encoder.bytes) return null;
    }
    return info.size === json.bytes ? json : null;
  } catch {
    return null;
  }
}

let backendReady: Promise<void> | null = null;

/** The backend exports are folded on: wasm, as `deno task render` and `walk` use by default. */
function ensureBackend(): Promise<void> {
  backendReady ??= (async () => {
    if (tf.getBackend() === "wasm") return;
    try {
      await initBackend("wasm");
    } catch {
      // the cpu backend folds the same algebra; only the last bits of a sum may differ
    }
  })();
  return backendReady;
}

/**
 * Makes sure every source has its export under `root` (a folder only this
 * function writes), reusing unchanged ones, and deletes every other file
 * of `root`. A model that cannot be exported is skipped with a warning.
 */
export async function syncLiveModels(
  sources: readonly LiveModelSource[],
  root: string,
  log: (line: string) => void = () => {},
): Promise<LiveModelSync> {
  await Deno.mkdir(root, { recursive: true });
  const result: LiveModelSync = { models: [], made: 0, reused: 0, removed: 0, warnings: [] };
  const keep = new Set<string>();
  for (const source of sources) {
    try {
      const key = await exportKey(source.checkpoint);
      const jsonPath = join(root, `${key}.json`);
      const binPath = join(root, `${key}.bin`);
      let json = await readCached(jsonPath, binPath);
      if (json) {
        result.reused++;
      } else {
        log(`Exporting ${source.kind} "${source.name}" for the live explorer`);
        await ensureBackend();
        const exported = await exportBrowserModel(source.checkpoint, `${key}.bin`);
        if (exported.warning) {
          result.warnings.push(`Live model "${source.name}": ${exported.warning}`);
        }
        await writeFileAtomic(binPath, exported.bin);
        if (exported.encoderBin) {
          await writeFileAtomic(encoderFileFor(binPath), exported.encoderBin);
        }
        await writeFileAtomic(jsonPath, JSON.stringify(exported.json) + "\n");
        json = exported.json;
        result.made++;
      }
      keep.add(`${key}.json`).add(`${key}.bin`);
      if (json.encoder) keep.add(encoderFileFor(`${key}.bin`));
      const step = await loadState(source.checkpoint).then((s) => s.step, () => null);
      result.models.push({
        ...source,
        key,
        jsonPath,
        binPath,
        encoderPath: json.encoder ? encoderFileFor(binPath) : null,
        spec: json.spec,
        bytes: json.bytes,
        keyframes: json.keyframes.items.length,
        step,
      });
    } catch (error) {
      result.warnings.push(
        `Live model "${source.name}" (${source.checkpoint}) was not exported: ${message(error)}`,
      );
    }
  }
  for await (const entry of Deno.readDir(root)) {
    if (keep.has(entry.name)) continue;
    await removeInside(root, join(root, entry.name));
    result.removed++;
  }
  return result;
}
