import { assertEquals, assertRejects, assertThrows } from "@std/assert";
import { join } from "@std/path";
import { parseIdx, readIdx } from "../../lib/data/idx.ts";
import { idxBytes, tempDir } from "../_helpers.ts";

Deno.test("parseIdx: reads dims and values", () => {
  const parsed = parseIdx(idxBytes([2, 3, 4]), "x", 3);
  assertEquals(parsed.dims, [2, 3, 4]);
  assertEquals(parsed.data.length, 24);
  assertEquals(parsed.data[23], 23);
});

Deno.test("parseIdx: bad magic, truncation and extra bytes are clear errors", () => {
  assertThrows(
    () => parseIdx(idxBytes([2, 3, 4], undefined, 0x0d03), "imgs", 3),
    Error,
    'Cannot read IDX file "imgs": bad magic number 0x00000d03 (expected 0x00000803',
  );
  const good = idxBytes([2, 3, 4]);
  assertThrows(
    () => parseIdx(good.subarray(0, good.length - 1), "imgs", 3),
    Error,
    "file is truncated (39 bytes; 2x3x4 needs 40)",
  );
  assertThrows(() => parseIdx(good.subarray(0, 6), "imgs", 3), Error, "too short for a header");
  const extra = new Uint8Array(good.length + 2);
  extra.set(good);
  assertThrows(() => parseIdx(extra, "imgs", 3), Error, "2 unexpected bytes");
  assertThrows(() => parseIdx(good, "labels", 1), Error, "bad magic number");
});

Deno.test("readIdx: reads gzipped files; corrupt gzip is a clear error", async () => {
  await using dir = await tempDir();
  const bytes = idxBytes([5]);
  const gz = new Uint8Array(
    await new Response(
      new Blob([bytes as Uint8Array<ArrayBuffer>]).stream().pipeThrough(
        new CompressionStream("gzip"),
      ),
    ).arrayBuffer(),
  );
  await Deno.writeFile(join(dir.path, "l.gz"), gz);
  assertEquals((await readIdx(join(dir.path, "l.gz"), 1)).data, new Uint8Array([0, 1, 2, 3, 4]));
  await Deno.writeFile(join(dir.path, "bad.gz"), bytes);
  await assertRejects(() => readIdx(join(dir.path, "bad.gz"), 1), Error, "not valid gzip");
});
