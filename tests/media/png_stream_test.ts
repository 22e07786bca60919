import { assertEquals, assertRejects } from "@std/assert";
import { join } from "@std/path";
import { crc32, PngStreamWriter, writeGreyPng } from "../../lib/media/png_stream.ts";
import { readGrey } from "../../lib/media/image.ts";
import { smallDisk, tempDir } from "../_helpers.ts";

Deno.test("crc32: the standard check value", () => {
  assertEquals(crc32(new TextEncoder().encode("123456789")), 0xcbf43926);
});

Deno.test("PngStreamWriter: decodes to the same pixels; bytes do not depend on row grouping", async () => {
  await using dir = await tempDir();
  const w = 301, h = 1000; // 302,000 filtered bytes: more than one piece for the compressor
  const px = new Uint8Array(w * h).map((_, i) => ((i % w) * 3 + Math.floor(i / w) * 7) % 256);
  const a = join(dir.path, "a.png"), b = join(dir.path, "b.png");
  await writeGreyPng(a, w, h, px);
  const writer = await PngStreamWriter.create(b, w, h);
  for (let r = 0; r < h; r += 10) {
    await writer.writeRows(px.subarray(r * w, Math.min(h, r + 10) * w));
  }
  await writer.close();
  assertEquals(await Deno.readFile(b), await Deno.readFile(a));
  const back = await readGrey(a);
  assertEquals([back.width, back.height], [w, h]);
  assertEquals(back.pixels, px);
  assertEquals([...Deno.readDirSync(dir.path)].length, 2); // no temp files left
});

Deno.test("PngStreamWriter: wrong row counts fail and leave no file", async () => {
  await using dir = await tempDir();
  const path = join(dir.path, "x.png");
  const writer = await PngStreamWriter.create(path, 4, 3);
  await writer.writeRows(new Uint8Array(8));
  await assertRejects(() => writer.writeRows(new Uint8Array(5)), Error, "not whole rows");
  await assertRejects(() => writer.close(), Error, "got 2 of 3 rows");
  assertEquals([...Deno.readDirSync(dir.path)].length, 0);
});

Deno.test("PngStreamWriter: a full disk is one clear error and leaves no temporary file", async (t) => {
  await using disk = await smallDisk(64);
  if (!disk) {
    console.warn("skipped: mounting a small disk needs root");
    return;
  }
  const path = join(disk.path, "big.png");
  const noise = crypto.getRandomValues(new Uint8Array(65536)); // incompressible
  await t.step("streamed rows", async () => {
    const writer = await PngStreamWriter.create(path, 256, 1024);
    const error = await assertRejects(async () => {
      for (let i = 0; i < 4; i++) await writer.writeRows(noise);
      await writer.close();
    });
    assertEquals((error as Error).message, `Cannot write "${path}": no space left on device`);
    await writer.abort();
    assertEquals([...Deno.readDirSync(disk.path)], []);
  });
  await t.step("a whole image", async () => {
    await assertRejects(
      () =>
        writeGreyPng(
          path,
          256,
          1024,
          new Uint8Array(4 * 65536).map((_, i) => noise[i % 65536] ^ (i >> 16)),
        ),
      Error,
      "no space left on device",
    );
    assertEquals([...Deno.readDirSync(disk.path)], []);
  });
});
