import { assertEquals, assertThrows } from "@std/assert";
import {
  checkSavedConfig,
  rateScale,
  resolveTrainConfig,
  resumeConfig,
  totalSteps,
  TRAIN_DEFAULTS,
  TRAIN_FLAGS,
} from "../../lib/train/config.ts";
import { FlagError } from "../../lib/base/flags.ts";

Deno.test("resolveTrainConfig: user over preset over defaults, every field filled", () => {
  const c = resolveTrainConfig({ preset: "reference", batch: 7 });
  assertEquals(c.batch, 7);
  assertEquals(c.width, 128); // from the preset
  assertEquals(c.lrVae, 0.001);
  assertEquals(c.beta1, 0.65);
  assertEquals(Object.keys(c).sort(), Object.keys(TRAIN_DEFAULTS).sort());
  assertEquals(resolveTrainConfig().width, TRAIN_DEFAULTS.width);
  // the 2016 model and loop: z in the first layer only, reconstructions as fakes
  assertEquals([c.zEveryLayer, c.loop, c.ganFakes, c.ganWeight], [
    false,
    "balanced",
    "reconstructions",
    1,
  ]);
  // label smoothing and the class head: defaults, not in the reference or quick presets
  const heads = (preset?: "reference" | "quick") => {
    const r = resolveTrainConfig({ preset });
    return [r.realLabel, r.classWeight];
  };
  assertEquals([heads(), heads("reference"), heads("quick")], [[0.9, 8], [1, 0], [1, 0]]);
});

Deno.test("resumeConfig: a run saved before the newer settings resumes with the reference's", () => {
  const {
    loop: _l,
    ganFakes: _f,
    ganWeight: _w,
    zEveryLayer: _z,
    zMap: _m,
    realLabel: _r,
    classWeight: _c,
    ...old
  } = resolveTrainConfig({ run: "old" });
  const c = resumeConfig(old as typeof TRAIN_DEFAULTS, {});
  assertEquals(
    [c.zEveryLayer, c.zMap, c.loop, c.ganFakes, c.ganWeight, c.realLabel, c.classWeight],
    [
      false,
      0,
      "balanced",
      "reconstructions",
      1,
      1,
      0,
    ],
  );
  assertThrows(
    () => resumeConfig(old as typeof TRAIN_DEFAULTS, { zMap: 2 }),
    FlagError,
    '--z-map cannot change on --resume: run "old" was trained with 0',
  );
  assertThrows(
    () => resumeConfig(old as typeof TRAIN_DEFAULTS, { zEveryLayer: true }),
    FlagError,
    '--z-every-layer cannot change on --resume: run "old" was trained with false',
  );
});

Deno.test("every config field has a flag (--size too, since pictures of any size)", () => {
  const keys = new Set(TRAIN_FLAGS.map((f) => f.key));
  const missing = Object.keys(TRAIN_DEFAULTS).filter((k) => !keys.has(k));
  assertEquals(missing, []);
});

Deno.test("resumeConfig: length, rates and balancing may change, the model may not", () => {
  const saved = resolveTrainConfig({ run: "r", width: 16 });
  assertEquals(resumeConfig(saved, { steps: 9 }).steps, 9);
  assertEquals(resumeConfig(saved, { dTrainIfGBelow: 0.8 }).dTrainIfGBelow, 0.8);
  assertEquals(resumeConfig(saved, { lrVae: 1e-3 }).lrVae, 1e-3);
  assertEquals(resumeConfig(saved, { width: 16 }).width, 16);
  assertThrows(
    () => resumeConfig(saved, { width: 32 }),
    FlagError,
    '--width cannot change on --resume: run "r" was trained with 16',
  );
  // a preset would silently mean nothing on a resume: refused, with the way out
  for (const preset of ["quick", "default"] as const) {
    assertThrows(
      () => resumeConfig(saved, { preset }),
      FlagError,
      '--preset cannot be used with --resume: run "r" goes on with the settings it started with',
    );
  }
});

Deno.test("totalSteps: --steps wins, else epochs x whole batches", () => {
  assertEquals(totalSteps(resolveTrainConfig({ steps: 5 }), 60000), 5);
  assertEquals(totalSteps(resolveTrainConfig({ epochs: 2, batch: 64 }), 60000), 2 * 937);
});

Deno.test("checkSavedConfig: a run's config.json with a bad setting is refused naming the file", () => {
  const saved = resolveTrainConfig({ run: "r", width: 16 });
  assertEquals(checkSavedConfig(JSON.parse(JSON.stringify(saved)), "c.json"), saved);
  const cases: [unknown, string][] = [
    [[], "it is not an object of settings"],
    [null, "it is not an object of settings"],
    [{ ...saved, batch: "x" }, '--batch must be an integer >= 1, got "x"'],
    [{ ...saved, width: -3 }, '--width must be an integer >= 1, got "-3"'],
    [{ ...saved, gan: "false" }, '--gan must be true or false, got "false"'],
    [{ ...saved, run: ".." }, "--run must be a name"],
  ];
  for (const [value, message] of cases) {
    assertThrows(
      () => checkSavedConfig(value, "c.json"),
      FlagError,
      `Cannot read run config "c.json": ${message}`,
    );
  }
});

Deno.test("rateScale: constant, then linear to zero over the last fraction of the steps", () => {
  assertEquals([0, 500, 999].map((s) => rateScale(s, 1000, 0)), [1, 1, 1]);
  // the second half of 1,000 steps: 1 up to step 500, then 1 - (s - 500) / 500
  assertEquals([0, 500, 750, 999].map((s) => rateScale(s, 1000, 0.5)), [1, 1, 0.5, 0.002]);
  assertEquals(rateScale(0, 1000, 1), 1);
  assertEquals(rateScale(1000, 1000, 1), 0);
});
