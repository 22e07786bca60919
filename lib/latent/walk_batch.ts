/**
 * Turns `deno task walk`'s options into the list of walks to render: one
 * walk, `--count N` walks (seeds `seed .. seed + N - 1`), or the walks of a
 * `--plan FILE.json` (a list of objects of walk flags, each over the
 * command line's settings).
 *
 * @module
 */
import { readJson } from "../base/atomic_write.ts";
import { checkKeys, FlagError, parseFlags, toArgs } from "../base/flags.ts";
import { parseCamera } from "./camera.ts";
import { WALK_SETTING_FLAGS, type WalkOptions, type WalkSettings } from "./walk_config.ts";

/** One walk to render and the command that reproduces it on its own. */
export interface PlannedWalk {
  settings: WalkSettings;
  command: string;
}

function settingsOf(o: WalkOptions): WalkSettings {
  const out: Record<string, unknown> = {};
  for (const f of WALK_SETTING_FLAGS) out[f.key] = (o as unknown as Record<string, unknown>)[f.key];
  return out as unknown as WalkSettings;
}

function commandFor(s: WalkSettings, sourceArgs: string[]): string {
  const args = [
    ...sourceArgs,
    ...toArgs(s as unknown as Record<string, unknown>, WALK_SETTING_FLAGS),
  ];
  return ["deno task walk", ...args.map((a) => (/^[\w.,/:=-]+$/.test(a) ? a : `'${a}'`))].join(" ");
}

/**
 * The walks to render.
 *
 * @param sourceArgs Flags naming the model (`--run`/`--model`), repeated in
 *   each walk's command.
 */
export async function planWalks(
  options: WalkOptions,
  sourceArgs: string[],
): Promise<PlannedWalk[]> {
  const base = settingsOf(options);
  const walks: WalkSettings[] = [];
  if (options.plan) {
    if (options.count !== 1) throw new FlagError("Give either --plan or --count, not both");
    const entries = await readJson<unknown>(options.plan);
    if (!Array.isArray(entries) || entries.length === 0) {
      throw new FlagError(
        `Cannot read plan "${options.plan}": expected a non-empty JSON list of walks`,
      );
    }
    entries.forEach((entry, i) => {
      const where = `Cannot read plan "${options.plan}": walk ${i}`;
      if (typeof entry !== "object" || entry === null || Array.isArray(entry)) {
        throw new FlagError(`${where} is not an object of walk settings`);
      }
      const { camera, ...flags } = entry as Record<string, unknown>;
      checkKeys(flags, WALK_SETTING_FLAGS, where);
      let parsed: Record<string, unknown>;
      try {
        parsed = parseFlags(toArgs(flags, WALK_SETTING_FLAGS), WALK_SETTING_FLAGS);
      } catch (error) {
        throw new FlagError(`${where}: ${(error as Error).message}`);
      }
      // a plan entry's keyframes replace the command line's
      const keyframeKeys = ["keyframes", "digits", "z"].filter((k) => k in parsed);
      const merged: Record<string, unknown> = {
        ...base,
        ...(keyframeKeys.length ? { keyframes: undefined, digits: undefined, z: undefined } : {}),
        ...parsed,
      };
      if (camera !== undefined) merged.camera = parseCamera(camera, where);
      walks.push(merged as unknown as WalkSettings);
    });
  } else {
    for (let i = 0; i < options.count; i++) {
      walks.push({
        ...base,
        seed: base.seed + i,
        id: base.id && options.count > 1 ? `${base.id}-${i + 1}` : base.id,
      });
    }
  }
  const ids = walks.map((w) => w.id).filter((id) => id !== undefined);
  const dup = ids.find((id, i) => ids.indexOf(id) !== i);
  if (dup) throw new FlagError(`Two walks have the same --id "${dup}"`);
  return walks.map((settings) => ({ settings, command: commandFor(settings, sourceArgs) }));
}
