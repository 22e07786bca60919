import { assertEquals, assertStringIncludes } from "@std/assert";
import { shapeProblem, specProblem } from "../../lib/model/checkpoint_checks.ts";
import { initGenerator } from "../../lib/model/generator.ts";
import { disposeParams, manifestOf } from "../../lib/model/params.ts";
import { Rng } from "../../lib/base/rng.ts";

const SPEC = { zDim: 4, width: 8, depth: 3, scale: 8, size: 26, zEveryLayer: true };

Deno.test("specProblem: a generator's zMap is an integer from 0 to 8", () => {
  for (const zMap of [0, 1, 8]) assertEquals(specProblem({ ...SPEC, zMap }, "generator"), null);
  for (const zMap of [-1, 9, 1.5, "2"]) {
    assertEquals(
      specProblem({ ...SPEC, zMap }, "generator"),
      `its spec has zMap ${JSON.stringify(zMap)}, expected an integer from 0 to 8`,
    );
  }
});

Deno.test("shapeProblem: a generator with a mapping network needs its tensors, one without refuses them", () => {
  const params = initGenerator({ ...SPEC, zMap: 2 }, new Rng(1));
  const manifest = manifestOf(params);
  disposeParams(params);
  assertEquals(manifest.slice(-5).map((t) => `${t.name}[${t.shape}]`), [
    "m1[4,8]",
    "c1[8]",
    "m2[8,8]",
    "c2[8]",
    "mout[8,4]",
  ]);
  assertEquals(shapeProblem("generator", { ...SPEC, zMap: 2 }, manifest), null);
  assertStringIncludes(shapeProblem("generator", SPEC, manifest)!, "do not fit its spec");
  assertStringIncludes(
    shapeProblem("generator", { ...SPEC, zMap: 1 }, manifest)!,
    "do not fit its spec",
  );
});
