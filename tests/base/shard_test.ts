import { assertEquals, assertThrows } from "@std/assert";
import { ownsItem, resolveShard } from "../../lib/base/shard.ts";

const env = (vars: Record<string, string>) => (name: string) => vars[name];

Deno.test("resolveShard: K/N, auto/N from the Kubernetes or Slurm index, clear errors", () => {
  assertEquals(resolveShard(undefined, env({})), null);
  assertEquals(resolveShard("2/3", env({})), { index: 2, count: 3 });
  assertEquals(resolveShard("auto/4", env({ JOB_COMPLETION_INDEX: "3" })), { index: 3, count: 4 });
  assertEquals(
    resolveShard("auto/4", env({ SLURM_ARRAY_TASK_ID: "4", SLURM_ARRAY_TASK_MIN: "1" })),
    { index: 3, count: 4 },
  );
  assertThrows(() => resolveShard("3/3", env({})), Error, "must be 0..2");
  assertThrows(() => resolveShard("0/0", env({})), Error, "N must be at least 1");
  assertThrows(() => resolveShard("auto/2", env({})), Error, "JOB_COMPLETION_INDEX");
  assertThrows(() => resolveShard("a/b", env({})), Error, "K/N or auto/N");
});

Deno.test("ownsItem: the shards split the items, each exactly once", () => {
  const owners = [0, 1, 2, 3, 4, 5, 6].map((i) =>
    [0, 1, 2].filter((k) => ownsItem({ index: k, count: 3 }, i))
  );
  assertEquals(owners, [[0], [1], [2], [0], [1], [2], [0]]);
  assertEquals(ownsItem(null, 5), true);
});
