import { assertEquals, assertRejects } from "@std/assert";
import { join } from "@std/path";
import { FlagError } from "../../lib/base/flags.ts";
import { planWalks } from "../../lib/latent/walk_batch.ts";
import { WALK_DEFAULTS } from "../../lib/latent/walk_config.ts";
import { tempDir } from "../_helpers.ts";

Deno.test("planWalks: --count N walks, seeds seed..seed+N-1, ids numbered, each with its command", async () => {
  const walks = await planWalks(
    { ...WALK_DEFAULTS, count: 2, id: "x", digits: [3, 1], seed: 5 },
    ["--run", "r"],
  );
  assertEquals(walks.map((w) => [w.settings.id, w.settings.seed]), [["x-1", 5], ["x-2", 6]]);
  assertEquals(walks[0].settings.digits, [3, 1]);
  assertEquals(
    walks[1].command,
    "deno task walk --run r --id x-2 --digits 3,1 --seed 6 --steps 120 --fps 30 --size 1080 " +
      "--still-size 2048 --interp slerp --ease cosine --loop --format mp4 --gif-max-side 720 " +
      "--center 0,0 --no-invert",
  );
  const one = await planWalks({ ...WALK_DEFAULTS }, []);
  assertEquals(one.length, 1);
  assertEquals(one[0].settings.id, undefined);
});

Deno.test("planWalks: a plan's entries override the command line; their keyframes replace its own", async () => {
  await using tmp = await tempDir();
  const plan = join(tmp.path, "plan.json");
  await Deno.writeTextFile(
    plan,
    JSON.stringify([{ digits: [1, 7], steps: 60 }, { keyframes: "random:3", id: "b" }, {}]),
  );
  const walks = await planWalks({ ...WALK_DEFAULTS, plan, digits: [2], fps: 24 }, []);
  assertEquals(walks.map((w) => w.settings.digits), [[1, 7], undefined, [2]]);
  assertEquals(walks.map((w) => w.settings.keyframes), [undefined, "random:3", undefined]);
  assertEquals(walks.map((w) => w.settings.steps), [60, 120, 120]);
  assertEquals(walks.map((w) => w.settings.fps), [24, 24, 24]);
  assertEquals(walks[1].settings.id, "b");
});

Deno.test("planWalks: bad plans are errors that name the plan and the walk", async () => {
  await using tmp = await tempDir();
  const plan = join(tmp.path, "plan.json");
  const fails = async (entries: unknown, message: string, count = 1) => {
    await Deno.writeTextFile(plan, JSON.stringify(entries));
    await assertRejects(() => planWalks({ ...WALK_DEFAULTS, plan, count }, []), FlagError, message);
  };
  await fails([{}], "Give either --plan or --count, not both", 2);
  await fails([], `Cannot read plan "${plan}": expected a non-empty JSON list of walks`);
  await fails([{}, 3], `Cannot read plan "${plan}": walk 1 is not an object of walk settings`);
  await fails([{ steps: 0 }], `Cannot read plan "${plan}": walk 0: --steps`);
  await fails([{ id: "a" }, { id: "a" }], `Two walks have the same --id "a"`);
});

Deno.test("planWalks: a plan's camera list and zoom flags reach the walk; bad ones are clear errors", async () => {
  await using tmp = await tempDir();
  const plan = join(tmp.path, "plan.json");
  await Deno.writeTextFile(
    plan,
    JSON.stringify([
      { digits: [1, 7], camera: [{ scale: 8 }, { scale: 0.1, center: [1, 2] }] },
      { "zoom-to": 0.01, "zoom-center": "0.5,-0.25" },
    ]),
  );
  const walks = await planWalks({ ...WALK_DEFAULTS, plan }, []);
  assertEquals(walks[0].settings.camera, [{ scale: 8, center: [0, 0] }, {
    scale: 0.1,
    center: [1, 2],
  }]);
  assertEquals([walks[1].settings.zoomTo, walks[1].settings.zoomCenter], [0.01, [0.5, -0.25]]);
  for (
    const [entry, text] of [
      [{ camera: [{ scale: 0 }] }, "walk 0: camera 0: scale must be a number > 0"],
      [{ camera: [{ scale: 1, center: ["NaN", 0] }] }, "center must be two finite numbers"],
      [{ "zoom-to": -1 }, "--zoom-to must be"],
      [{ "zoom-center": "NaN,1" }, "--zoom-center must be"],
    ] as const
  ) {
    await Deno.writeTextFile(plan, JSON.stringify([entry]));
    await assertRejects(() => planWalks({ ...WALK_DEFAULTS, plan }, []), FlagError, text);
  }
});
