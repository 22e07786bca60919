import { assert, assertEquals } from "@std/assert";
import { join } from "@std/path";
import sharp from "sharp";
import { type QualityEntry, writeQualityComparison } from "../../lib/train/quality.ts";
import { tempDir } from "../_helpers.ts";

const entry = (minutes: number, fd: number, confident: number): QualityEntry => ({
  step: minutes * 10,
  time_s: minutes * 60,
  fd,
  coverage: 0.95,
  confident,
  reconstruction: 0.2,
});

/** Pixels of exactly this colour in the RGB image. */
async function count(path: string, [r, g, b]: number[]): Promise<number> {
  const { data, info } = await sharp(path).removeAlpha().raw().toBuffer({
    resolveWithObject: true,
  });
  let n = 0;
  for (let i = 0; i < info.width * info.height * 3; i += 3) {
    if (data[i] === r && data[i + 1] === g && data[i + 2] === b) n++;
  }
  return n;
}

Deno.test("writeQualityComparison: one line per run in each panel, in the runs' colours", async () => {
  await using dir = await tempDir();
  const path = join(dir.path, "q.png");
  await writeQualityComparison(path, [
    { name: "GAN + VAE", color: "#d62728", entries: [entry(5, 300, 0.4), entry(10, 100, 0.8)] },
    { name: "VAE only", color: "#1f77b4", entries: [entry(5, 250, 0.5), entry(10, 150, 0.6)] },
  ]);
  const meta = await sharp(path).metadata();
  assertEquals(meta.width, 900);
  assert((await count(path, [0xd6, 0x27, 0x28])) > 100, "no red line");
  assert((await count(path, [0x1f, 0x77, 0xb4])) > 100, "no blue line");
});
