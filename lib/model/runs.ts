/**
 * Where runs live: `<out>/runs/NAME/` with `config.json`, `checkpoint/`,
 * `log.jsonl`, `samples/` and `losses.png` (and with `--eval-every`,
 * `quality.jsonl`, `quality.png` and `best/`), and `<out>/runs/latest`
 * pointing at the newest run.
 *
 * @module
 */
import { join } from "@std/path";
import { exists, writeFileAtomic } from "../base/atomic_write.ts";
import { checkName } from "../base/flags.ts";

/** Paths of one run's files. */
export interface RunPaths {
  /** The run's folder. */
  dir: string;
  /** Resolved training config. */
  config: string;
  /** The checkpoint folder. */
  checkpoint: string;
  /** One JSON line per logged step. */
  log: string;
  /** Sample grids. */
  samples: string;
  /** The loss chart. */
  losses: string;
  /** Sample quality measured while training (`--eval-every`), one JSON line each. */
  quality: string;
  /** The chart of those measurements. */
  qualityChart: string;
  /** A copy of the checkpoint with the lowest FD those measurements found. */
  best: string;
}

/** The folder holding all runs. */
export function runsDir(out: string): string {
  return join(out, "runs");
}

/**
 * The paths of run `name` under `out`.
 *
 * @throws {FlagError} if `name` is not a plain folder name (`.`, `..`,
 *   `latest` and path separators are refused).
 */
export function runPaths(out: string, name: string): RunPaths {
  const dir = join(runsDir(out), checkName(name, "run name"));
  return {
    dir,
    config: join(dir, "config.json"),
    checkpoint: join(dir, "checkpoint"),
    log: join(dir, "log.jsonl"),
    samples: join(dir, "samples"),
    losses: join(dir, "losses.png"),
    quality: join(dir, "quality.jsonl"),
    qualityChart: join(dir, "quality.png"),
    best: join(dir, "best"),
  };
}

/**
 * Points `<out>/runs/latest` at run `name`: a relative symlink swapped in
 * atomically, or a text file holding the name where symlinks are not
 * allowed.
 */
export async function setLatest(out: string, name: string): Promise<void> {
  checkName(name, "run name");
  const link = join(runsDir(out), "latest");
  const temp = `${link}.tmp-${Deno.pid}`;
  try {
    await Deno.remove(temp).catch(() => {});
    await Deno.symlink(name, temp);
    await Deno.rename(temp, link);
  } catch {
    await Deno.remove(temp).catch(() => {});
    await Deno.remove(link).catch(() => {});
    await writeFileAtomic(link, name + "\n");
  }
}

/** The name of the latest run, or `null` if there is none. */
export async function latestRun(out: string): Promise<string | null> {
  const link = join(runsDir(out), "latest");
  try {
    const info = await Deno.lstat(link);
    const name = info.isSymlink
      ? await Deno.readLink(link)
      : (await Deno.readTextFile(link)).trim();
    checkName(name, "run name");
    return (await exists(join(runsDir(out), name, "config.json"))) ? name : null;
  } catch {
    return null;
  }
}
