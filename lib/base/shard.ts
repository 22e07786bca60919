/**
 * `--shard K/N`: one of N processes of a batch job (a Kubernetes Indexed
 * Job, a Slurm array, a CI matrix) doing its deterministic share of the
 * work. Item i belongs to shard i mod N. `--shard auto/N` takes K from
 * `JOB_COMPLETION_INDEX` or `SLURM_ARRAY_TASK_ID` (minus
 * `SLURM_ARRAY_TASK_MIN`, so arrays may start at 1).
 *
 * @module
 */
import { join } from "@std/path";
import { exists, readJson, writeJsonAtomic } from "./atomic_write.ts";
import type { FlagSpec } from "./flags.ts";

/** Shard `index` of `count`. */
export interface Shard {
  index: number;
  count: number;
}

/** The `--shard` flag, shared by the commands that can be sharded. */
export const SHARD_FLAG: FlagSpec = {
  name: "shard",
  key: "shard",
  type: { kind: "string", pattern: /^(\d+|auto)\/\d+$/, hint: "K/N or auto/N, e.g. 0/4" },
  help: "Do shard K of N of the work (auto: K from JOB_COMPLETION_INDEX or SLURM_ARRAY_TASK_ID)",
  arg: "K/N",
};

/** `--merge`: finish a sharded job from its shards' work, refusing if any is missing. */
export const MERGE_FLAG: FlagSpec = {
  name: "merge",
  key: "merge",
  type: { kind: "boolean" },
  help: "Finish the work of --shard runs; refuse if any is missing",
};

/**
 * Resolves `--shard`; null without the flag.
 *
 * @throws a clear error when K is not in 0..N-1 or `auto` finds no index.
 */
export function resolveShard(
  flag: string | undefined,
  env: (name: string) => string | undefined = (name) => Deno.env.get(name),
): Shard | null {
  if (flag === undefined) return null;
  const match = /^(\d+|auto)\/(\d+)$/.exec(flag);
  if (!match) throw new Error(`--shard must be K/N or auto/N (e.g. 0/4), got "${flag}"`);
  const count = Number(match[2]);
  if (count < 1) throw new Error(`--shard ${flag}: N must be at least 1`);
  let index: number;
  let from = "--shard";
  if (match[1] === "auto") {
    const k8s = env("JOB_COMPLETION_INDEX"), slurm = env("SLURM_ARRAY_TASK_ID");
    if (k8s !== undefined) [index, from] = [Number(k8s), "JOB_COMPLETION_INDEX"];
    else if (slurm !== undefined) {
      index = Number(slurm) - Number(env("SLURM_ARRAY_TASK_MIN") ?? 0);
      from = "SLURM_ARRAY_TASK_ID";
    } else {
      throw new Error(
        `--shard ${flag}: neither JOB_COMPLETION_INDEX nor SLURM_ARRAY_TASK_ID is set; pass K/N`,
      );
    }
  } else index = Number(match[1]);
  if (!Number.isInteger(index) || index < 0 || index >= count) {
    throw new Error(`--shard ${flag}: the shard index from ${from} must be 0..${count - 1}`);
  }
  return { index, count };
}

/** Whether item `i` is this shard's work (every item, without a shard). */
export function ownsItem(shard: Shard | null, i: number): boolean {
  return shard === null || i % shard.count === shard.index;
}

/** What every shard's mark in a `shards/` folder holds. */
export interface ShardMark {
  index: number;
  count: number;
}

/** The mark file of `shard` in `dir`: `dir/shards/K-of-N.json`. */
export function shardMarkPath(dir: string, shard: Shard): string {
  return join(dir, "shards", `${shard.index}-of-${shard.count}.json`);
}

/** Writes a shard's mark (atomically): its share of the work in `dir` is on disk. */
export async function writeShardMark<T extends ShardMark>(dir: string, mark: T): Promise<void> {
  await Deno.mkdir(join(dir, "shards"), { recursive: true });
  await writeJsonAtomic(shardMarkPath(dir, mark), mark);
}

/** The marks in `dir/shards/`, by N then K; none if the folder is absent. */
export async function readShardMarks<T extends ShardMark>(dir: string): Promise<T[]> {
  const marks: T[] = [];
  if (!(await exists(join(dir, "shards")))) return marks;
  for await (const entry of Deno.readDir(join(dir, "shards"))) {
    if (entry.isFile && entry.name.endsWith(".json")) {
      marks.push(await readJson<T>(join(dir, "shards", entry.name)));
    }
  }
  return marks.sort((a, b) => a.count - b.count || a.index - b.index);
}

/**
 * What to run again for the missing items: `; run again shard(s) 1/3, 2/3
 * (--shard K/N)` when every mark has the same N, else how items map to
 * shards. `item` names one item ("frame or still", "band").
 */
export function rerunHint(missing: readonly number[], marks: ShardMark[], item: string): string {
  const counts = [...new Set(marks.map((m) => m.count))];
  if (counts.length !== 1) {
    return `; run the shards that own them (--shard K/N: ${item} i is shard i mod N)`;
  }
  const n = counts[0];
  const owners = [...new Set(missing.map((i) => i % n))].sort((a, b) => a - b);
  return `; run again shard(s) ${owners.map((k) => `${k}/${n}`).join(", ")} (--shard K/N)`;
}

/** `a, b, c, d, ...`: the first `shown` names of a list. */
export function listSome(names: readonly string[], shown = 4): string {
  return names.slice(0, shown).join(", ") + (names.length > shown ? ", ..." : "");
}
