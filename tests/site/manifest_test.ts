import { assert, assertEquals, assertMatch, assertNotEquals } from "@std/assert";
import { join } from "@std/path";
import { parseModelRef, resolveInside, scanGallery, slugify } from "../../lib/site/manifest.ts";
import { discPng, makeRender, makeRun, makeWalk } from "../_gallery_fixtures.ts";
import { tempDir } from "../_helpers.ts";

Deno.test("gallery manifest: an empty or missing output folder gives an empty gallery", async () => {
  await using dir = await tempDir();
  const manifest = await scanGallery(join(dir.path, "nothing"));
  assertEquals([manifest.walks, manifest.stills, manifest.runs, manifest.warnings], [
    [],
    [],
    [],
    [],
  ]);
});

Deno.test("gallery manifest: walks, stills and runs are read and listed newest first", async () => {
  await using dir = await tempDir();
  const out = dir.path;
  await makeWalk(out, "old-walk", { created: "2026-01-01T00:00:00Z" });
  await makeWalk(out, "new-walk", { created: "2026-02-01T00:00:00Z" });
  await makeRender(out, "five", { created: "2026-01-15T00:00:00Z", width: 320, height: 200 });
  await makeRun(out, "run1");

  const m = await scanGallery(out);
  assertEquals(m.warnings, []);
  assertEquals(m.walks.map((w) => w.id), ["new-walk", "old-walk"]);
  const walk = m.walks[0];
  assertEquals(walk.created, "2026-02-01T00:00:00.000Z");
  assertEquals(walk.model?.name, "run1");
  assertEquals(walk.model?.step, 42);
  assertEquals(walk.model?.spec, { zDim: 4, width: 8, depth: 4, scale: 8, size: 26 });
  assertEquals(walk.keyframes.map((k) => [k.label, k.digit, k.stillId]), [
    ["digit 3", 3, "new-walk-key-00"],
    ["digit 8", 8, "new-walk-key-01"],
  ]);
  assertEquals(walk.keyframes[0].still, join(out, "walks", "new-walk", "stills", "key-00.png"));
  assertEquals(walk.keyframes[1].z, [-0.5, 0.2, 0.1, 0]);
  assertEquals(walk.frameCount, 8);
  assertEquals(walk.firstFrame, join(out, "walks", "new-walk", "frames", "000000.png"));
  assertEquals(walk.video, null); // the fixture was made without ffmpeg
  assertEquals(walk.contact, join(out, "walks", "new-walk", "contact.png"));
  assertEquals(walk.settings.interp, "slerp");
  assertEquals(walk.command, "deno task walk --steps 8 --digits 3,8");

  // Stills: newest first; a walk's keyframe stills in keyframe order.
  assertEquals(m.stills.map((s) => s.id), [
    "new-walk-key-00",
    "new-walk-key-01",
    "five",
    "old-walk-key-00",
    "old-walk-key-01",
  ]);
  const five = m.stills[2];
  assertEquals([five.origin, five.width, five.height], ["render", 320, 200]);
  assertEquals(five.render?.source, { digit: 5 });
  assertEquals(five.render?.view, { scale: 8, center: [0, 0] });
  assertEquals(five.render?.invert, false);
  assertEquals(five.z, [0.5, 0.5, -0.5, 0]);
  assertMatch(five.command ?? "", /^deno task render --digit 5/);
  const key = m.stills[1];
  assertEquals(key.origin, "keyframe");
  assertEquals(key.walk, {
    id: "new-walk",
    slug: "new-walk",
    index: 1,
    label: "digit 8",
    digit: 8,
  });
  assertEquals([key.width, key.height], [300, 300]);

  // Runs: "latest" is skipped; samples sorted by step; the last log line is kept.
  assertEquals(m.runs.map((r) => r.name), ["run1"]);
  const run = m.runs[0];
  assertEquals(run.samples.map((s) => s.step), [0, 2, 4]);
  assertEquals(run.losses, join(out, "runs", "run1", "losses.png"));
  assertEquals(run.lastLog?.step, 4);
  assertEquals(run.logLines, 4);
  assertEquals(run.config.zDim, 4);
});

Deno.test("gallery manifest: broken entries are skipped with warnings that say why", async () => {
  await using dir = await tempDir();
  const out = dir.path;
  await makeWalk(out, "good");
  await Deno.mkdir(join(out, "walks", "bad-json"), { recursive: true });
  await Deno.writeTextFile(join(out, "walks", "bad-json", "walk.json"), "{ nope");
  await Deno.mkdir(join(out, "walks", "wrong-format"), { recursive: true });
  await Deno.writeTextFile(
    join(out, "walks", "wrong-format", "walk.json"),
    JSON.stringify({ format: "cppn-walk/9", keyframes: [] }),
  );
  await Deno.mkdir(join(out, "walks", "in-progress"), { recursive: true });
  await makeWalk(out, "unfinished");
  const unfinished = join(out, "walks", "unfinished", "walk.json");
  await Deno.writeTextFile(
    unfinished,
    JSON.stringify({ ...JSON.parse(await Deno.readTextFile(unfinished)), complete: false }),
  );
  // A keyframe whose still is missing, one that points outside the folder, a missing video.
  const goodPath = join(out, "walks", "good", "walk.json");
  const good = JSON.parse(await Deno.readTextFile(goodPath));
  good.keyframes[1].still = "stills/key-09.png";
  good.keyframes.push({ label: "sneaky", digit: null, z: [], still: "../../secret.png" });
  good.video = "walk.mp4";
  await Deno.writeTextFile(goodPath, JSON.stringify(good));
  await Deno.writeFile(join(out, "secret.png"), await discPng(10, 10));
  // Renders: bad sidecar; sidecar without image; image without sidecar.
  await Deno.mkdir(join(out, "renders"), { recursive: true });
  await Deno.writeTextFile(join(out, "renders", "broken.json"), "[");
  await Deno.writeFile(join(out, "renders", "broken.png"), await discPng(10, 10));
  await Deno.writeTextFile(
    join(out, "renders", "orphan.json"),
    JSON.stringify({ format: "cppn-render/1", image: "orphan.png" }),
  );
  await Deno.writeFile(join(out, "renders", "bare.png"), await discPng(12, 8));
  // Runs: no config; bad config.
  await Deno.mkdir(join(out, "runs", "empty"), { recursive: true });
  await Deno.mkdir(join(out, "runs", "badconf"), { recursive: true });
  await Deno.writeTextFile(join(out, "runs", "badconf", "config.json"), "nope");
  await Deno.writeTextFile(join(out, "runs", "latest"), "empty\n"); // the text-file form

  const m = await scanGallery(out);
  assertEquals(m.walks.map((w) => w.id), ["good"]);
  assertEquals(m.walks[0].keyframes.map((k) => k.stillId), ["good-key-00", null, null]);
  assertEquals(m.walks[0].video, null);
  assertEquals(m.stills.map((s) => s.id).sort(), ["bare", "good-key-00"]);
  const bare = m.stills.find((s) => s.id === "bare")!;
  assertEquals([bare.width, bare.height, bare.model, bare.command], [12, 8, null, null]);
  assertEquals(m.runs, []);
  const w = m.warnings.join("\n");
  for (
    const expected of [
      `Cannot read walk "bad-json": walk.json is not valid JSON`,
      `Cannot read walk "wrong-format": walk.json has format "cppn-walk/9" (expected "cppn-walk/1")`,
      `Skipped walk "in-progress": it has no walk.json`,
      `Skipped walk "unfinished": it is not complete yet`,
      `Walk "good": still "stills/key-09.png" of keyframe 1 is missing`,
      `Walk "good": still "../../secret.png" of keyframe 2 is outside the walk folder`,
      `Walk "good": video "walk.mp4" is missing`,
      `Cannot read render "broken": broken.json is not valid JSON`,
      `Skipped render "orphan": image "orphan.png" is missing`,
      `Render "bare" has no bare.json sidecar`,
      `Skipped run "empty": it has no config.json`,
      `Cannot read run "badconf": config.json is not valid JSON`,
    ]
  ) {
    assert(w.includes(expected), `missing warning: ${expected}\n--- got:\n${w}`);
  }
  assertEquals(m.warnings.length, 12);
});

Deno.test("gallery manifest: slugs are URL-safe, stable and distinct", () => {
  assertEquals(slugify("2026-01-02_walk.1"), "2026-01-02_walk.1");
  const a = slugify("my walk");
  assertMatch(a, /^my-walk-[0-9a-f]{6}$/);
  assertEquals(slugify("my walk"), a);
  assertNotEquals(slugify("my walk"), slugify("my-walk"));
  assertNotEquals(slugify("my walk"), slugify("my/walk"));
  assertMatch(slugify("../etc"), /^etc-[0-9a-f]{6}$/);
  assertMatch(slugify("ü"), /^u-[0-9a-f]{6}$/);
  assertMatch(slugify("%%%"), /^item-[0-9a-f]{6}$/);
});

Deno.test("gallery manifest: helpers keep paths inside their folder and read model refs", () => {
  assertEquals(resolveInside("/o/walks/w", "stills/a.png"), "/o/walks/w/stills/a.png");
  assertEquals(resolveInside("/o/walks/w", "../w2/a.png"), null);
  assertEquals(resolveInside("/o/walks/w", "/etc/passwd"), null);
  assertEquals(resolveInside("/o/walks/w", 5), null);
  assertEquals(parseModelRef({ kind: "model", name: "m", checkpoint: "c", step: null }), {
    kind: "model",
    name: "m",
    checkpoint: "c",
    step: null,
    spec: null,
  });
  assertEquals(parseModelRef("nope"), null);
});

Deno.test("gallery manifest: a symbolic link is never taken for a file to publish", async () => {
  await using dir = await tempDir();
  const out = dir.path;
  await makeWalk(out, "linked");
  await Deno.writeTextFile(join(out, "secret.txt"), "not for the web");
  const still = join(out, "walks", "linked", "stills", "key-00.png");
  await Deno.remove(still);
  await Deno.symlink(join(out, "secret.txt"), still);
  await Deno.mkdir(join(out, "renders"));
  await Deno.symlink("/etc/passwd", join(out, "renders", "passwd.png"));
  const m = await scanGallery(out);
  assertEquals(m.walks[0].keyframes.map((k) => k.stillId), [null, "linked-key-01"]);
  assertEquals(m.stills.map((s) => s.id), ["linked-key-01"]);
  assert(m.warnings.join("\n").includes('still "stills/key-00.png" of keyframe 0 is missing'));
});
