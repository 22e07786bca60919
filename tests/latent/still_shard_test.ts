import { assertEquals, assertRejects } from "@std/assert";
import { join } from "@std/path";
import { RENDER_DEFAULTS, type RenderOptions, renderSingle } from "../../lib/latent/still.ts";
import {
  bandName,
  defaultBandRows,
  renderStill,
  type StillContext,
} from "../../lib/latent/still_shard.ts";
import { loadGenerator } from "../../lib/model/network_files.ts";
import { resolveModel } from "../../lib/model/source.ts";
import { RenderPool } from "../../lib/render/pool.ts";
import { foldWeights } from "../../lib/render/renderer.ts";
import { initModel, modelSpec } from "../../lib/model/model.ts";
import { saveCheckpoint } from "../../lib/train/checkpoint.ts";
import { tempDir, TINY_SETTINGS, tinyModel, useWasm } from "../_helpers.ts";

await useWasm();

/** 37 rows in bands of 5 (the last one 2 rows); the pool renders 3-row chunks across them. */
const OPTIONS: RenderOptions = {
  ...RENDER_DEFAULTS,
  seed: 5,
  size: [40, 37],
  bandRows: 5,
  name: "still",
};

async function setup(out: string, model?: string) {
  model ??= await tinyModel();
  const source = await resolveModel({ model, out });
  const engine = await RenderPool.create(foldWeights(await loadGenerator(model)), {
    workers: 2,
    chunkPixels: 120,
  });
  const ctx = (shard: [number, number] | null): StillContext => ({
    engine,
    source,
    command: "test",
    shard: shard && { index: shard[0], count: shard[1] },
  });
  return { engine, source, ctx };
}

/** Every band file's bytes in a band folder. */
async function bandBytes(dir: string): Promise<Map<string, Uint8Array>> {
  const files = new Map<string, Uint8Array>();
  for await (const e of Deno.readDir(dir)) {
    if (e.isFile && e.name.startsWith("band-")) {
      files.set(e.name, await Deno.readFile(join(dir, e.name)));
    }
  }
  return files;
}

Deno.test("defaultBandRows: about 256 bands of whole render chunks, never more rows than the image", () => {
  assertEquals(defaultBandRows(16384, 16384), 64);
  assertEquals(defaultBandRows(2048, 2048), 8); // 8-row chunks
  assertEquals(defaultBandRows(1000, 3000), 16); // 16-row chunks, 188 bands
  assertEquals(defaultBandRows(48, 36), 36);
});

Deno.test("render --shard K/N: N = 1, 2, 3 shards then the merge equal one unsharded render, byte for byte", async () => {
  await using tmp = await tempDir();
  const { engine, source, ctx } = await setup(tmp.path);
  try {
    const whole = await renderSingle(
      engine,
      source,
      { ...OPTIONS, out: join(tmp.path, "whole") },
      "",
    );
    const expected = await Deno.readFile(whole.path);
    for (const n of [1, 2, 3]) {
      const o = { ...OPTIONS, out: join(tmp.path, `shards${n}`) };
      const bands = join(o.out, "renders", "still.bands");
      for (let k = n - 1; k >= 0; k--) {
        const r = await renderStill(ctx([k, n]), o);
        assertEquals([r.status, r.path], ["shard", bands]);
      }
      // a retried shard renders nothing and changes nothing
      const before = await bandBytes(bands);
      assertEquals(before.size, 8);
      assertEquals((await renderStill(ctx([0, n]), o)).bands?.rendered, 0);
      assertEquals(await bandBytes(bands), before);
      // the same command without --shard merges (--merge for N = 2)
      const merged = await renderStill(ctx(null), { ...o, merge: n === 2 });
      assertEquals(merged.status, "merged");
      assertEquals(await Deno.readFile(merged.path), expected, `${n} shards`);
      assertEquals(merged.record?.sharded?.bands, 8);
      assertEquals(merged.record?.z, whole.record.z);
      // merging again: already done
      assertEquals((await renderStill(ctx(null), o)).status, "skipped");
    }
  } finally {
    engine.close();
  }
});

Deno.test("render: the merge refuses clearly when a shard is missing or was made with other settings", async () => {
  await using tmp = await tempDir();
  const { engine, ctx } = await setup(tmp.path);
  const o = { ...OPTIONS, out: tmp.path };
  const bands = join(tmp.path, "renders", "still.bands");
  try {
    await assertRejects(
      () => renderStill(ctx(null), { ...o, merge: true }),
      Error,
      `Cannot merge render "still": ${bands} does not exist; render its bands first (--shard K/N)`,
    );
    await renderStill(ctx([0, 3]), o);
    await renderStill(ctx([2, 3]), o);
    await assertRejects(
      () => renderStill(ctx(null), o),
      Error,
      `Cannot merge render "still": 3 of 8 band(s) missing in ${bands} ` +
        `(band-00001.png, band-00004.png, band-00007.png); run again shard(s) 1/3 (--shard K/N)`,
    );
    // a shard or a merge with other flags under the same name
    await assertRejects(
      () => renderStill(ctx([1, 3]), { ...o, invert: true }),
      Error,
      `Cannot render shard 1/3 of "still": ${bands} holds bands made with different settings: ` +
        `--invert off (this run: on); use the same flags, or another --name`,
    );
    await assertRejects(
      () => renderStill(ctx(null), { ...o, size: [40, 36], seed: 6 }),
      Error,
      "different settings: --size 40x37 (this run: 40x36), " +
        "the latent vector (--digit, --seed or --z)",
    );
    // a shard that found no settings.json (started at once with others) is caught by its mark
    await Deno.remove(join(bands, "settings.json"));
    await renderStill(ctx([1, 3]), { ...o, bandRows: 4 });
    await assertRejects(
      () => renderStill(ctx(null), o),
      Error,
      `Cannot merge render "still": ${bands} holds bands made with different settings: ` +
        "--band-rows 4 (this run: 5)",
    );
    await Deno.remove(join(bands, "settings.json"));
    await assertRejects(
      () => renderStill(ctx(null), o),
      Error,
      `Cannot merge render "still": shard 1/3 was made with different settings: ` +
        "--band-rows 4 (this run: 5)",
    );
    // redone with the right flags, the merge goes through; a partial band never counts
    await Deno.remove(join(bands, "shards", "1-of-3.json"));
    for (const b of [1, 4, 7]) await Deno.remove(join(bands, bandName(b)));
    const partial = join(bands, `.${bandName(1)}.tmp-999999-0123abcd`);
    await Deno.writeFile(partial, new Uint8Array(9));
    await renderStill(ctx([1, 3]), o);
    assertEquals((await renderStill(ctx(null), o)).status, "merged");
    assertEquals(await Deno.stat(partial).then(() => true, () => false), false);
  } finally {
    engine.close();
  }
});

Deno.test("render --shard K/N: a colour model's RGB bands merge into the unsharded PNG", async () => {
  await using tmp = await tempDir();
  const model = join(tmp.path, "colour");
  await saveCheckpoint(
    model,
    initModel(modelSpec({ ...TINY_SETTINGS, channels: 3 }), 5),
    null,
    null,
    [
      "generator",
    ],
  );
  const { engine, source, ctx } = await setup(tmp.path, model);
  try {
    const o = { ...OPTIONS, out: join(tmp.path, "sharded") };
    const whole = await renderSingle(engine, source, { ...o, out: join(tmp.path, "whole") }, "");
    for (const k of [0, 1]) await renderStill(ctx([k, 2]), o);
    const merged = await renderStill(ctx(null), o);
    assertEquals(await Deno.readFile(merged.path), await Deno.readFile(whole.path));
    assertEquals(engine.channels, 3);
  } finally {
    engine.close();
  }
});
