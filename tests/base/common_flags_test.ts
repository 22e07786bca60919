import { assertEquals, assertStringIncludes, assertThrows } from "@std/assert";
import {
  BACKEND_FLAG,
  OUT_FLAG,
  RUN_FLAG,
  SEED_FLAG,
  WORKERS_FLAG,
} from "../../lib/base/common_flags.ts";
import { FlagError, parseFlags } from "../../lib/base/flags.ts";

const FLAGS = [OUT_FLAG, RUN_FLAG, BACKEND_FLAG, WORKERS_FLAG, SEED_FLAG];

Deno.test("common flags: each sets its key, with its value's type", () => {
  assertEquals(
    parseFlags(
      ["--out", "o", "--run", "r-1.a_b", "--backend", "wasm", "--workers", "2", "--seed", "0"],
      FLAGS,
    ),
    { out: "o", run: "r-1.a_b", backend: "wasm", workers: 2, seed: 0 },
  );
});

Deno.test("common flags: bad values are errors that name the flag and what is valid", () => {
  const cases: [string[], string][] = [
    [["--run", "a b"], `--run must be a name of letters, digits, '.', '-' or '_'`],
    [["--run", "latest"], "not '.', '..' or 'latest'"],
    [["--workers", "0"], "--workers must be an integer >= 1"],
    [["--seed", "-1"], "--seed must be an integer >= 0"],
    [["--backend", "tpu"], "--backend must be one of auto, gpu, node, wasm, cpu"],
  ];
  for (const [args, message] of cases) {
    const error = assertThrows(() => parseFlags(args, FLAGS), FlagError);
    assertStringIncludes(error.message, message);
  }
});

Deno.test("common flags: a command's own help line leaves the rest of the flag as it is", () => {
  const own = { ...WORKERS_FLAG, help: "Render workers" };
  assertEquals(parseFlags(["--workers", "3"], [own]), { workers: 3 });
  assertEquals({ ...own, help: WORKERS_FLAG.help }, WORKERS_FLAG);
});
