import { assert, assertEquals, assertRejects, assertThrows } from "@std/assert";
import { join } from "@std/path";
import { sha256Hex } from "../../lib/base/fs_safe.ts";
import {
  floatBytes,
  floatsOf,
  locateCheckpoint,
  parseJson,
  readChecksums,
  readVerified,
  replaceFolder,
} from "../../lib/base/checksummed_folder.ts";
import { tempDir } from "../_helpers.ts";

const FILES = { "a.json": '{"x": 1}\n', "b.bin": floatBytes(Float32Array.from([1.5, -2, 3])) };

Deno.test("replaceFolder: the files and a sha256sum listing of them; read back verified", async () => {
  await using tmp = await tempDir();
  const dir = join(tmp.path, "folder");
  await replaceFolder(dir, FILES);
  const listing = await Deno.readTextFile(join(dir, "checksums.sha256"));
  const a = await sha256Hex(new TextEncoder().encode(FILES["a.json"]));
  const b = await sha256Hex(FILES["b.bin"]);
  assertEquals(listing, `${a}  a.json\n${b}  b.bin\n`);
  assertEquals(await readChecksums(dir), new Map([["a.json", a], ["b.bin", b]]));
  const read = await readVerified(dir);
  assertEquals(parseJson(dir, "a.json", read.get("a.json")!), { x: 1 });
  assertEquals(floatsOf(dir, "b.bin", read.get("b.bin")!, 3), Float32Array.from([1.5, -2, 3]));
  // replaced as a whole: no file of the old folder survives, no temporary folder is left
  await replaceFolder(dir, { "c.txt": "c" });
  assertEquals([...Deno.readDirSync(dir)].map((e) => e.name).sort(), ["c.txt", "checksums.sha256"]);
  assertEquals([...Deno.readDirSync(tmp.path)].map((e) => e.name), ["folder"]);
});

Deno.test("readVerified: a changed, missing or unlisted file is refused, naming the folder's kind", async () => {
  await using tmp = await tempDir();
  const dir = join(tmp.path, "m");
  await replaceFolder(dir, FILES);
  await Deno.writeTextFile(join(dir, "a.json"), '{"x": 2}\n');
  await assertRejects(
    () => readVerified(dir, ["a.json"], "model"),
    Error,
    `Cannot read model "${dir}": a.json does not match its checksum`,
  );
  await Deno.remove(join(dir, "a.json"));
  await assertRejects(() => readVerified(dir, ["a.json"]), Error, "a.json is missing");
  await assertRejects(
    () => readVerified(dir, ["c.bin"]),
    Error,
    "c.bin is not in checksums.sha256",
  );
  await Deno.remove(join(dir, "checksums.sha256"));
  assertEquals(await readChecksums(dir), null);
  await assertRejects(() => readVerified(dir), Error, "checksums.sha256 is missing");
});

Deno.test("locateCheckpoint: the folder, or DIR.prev when a swap stopped between its renames", async () => {
  await using tmp = await tempDir();
  const dir = join(tmp.path, "checkpoint");
  await assertRejects(() => locateCheckpoint(dir), Error, "no such folder");
  await replaceFolder(dir, FILES);
  assertEquals(await locateCheckpoint(dir), dir);
  await Deno.rename(dir, `${dir}.prev`);
  assertEquals(await locateCheckpoint(dir), `${dir}.prev`);
  await Deno.mkdir(dir);
  assertEquals(await locateCheckpoint(dir), `${dir}.prev`);
  await Deno.remove(`${dir}.prev`, { recursive: true });
  await assertRejects(() => locateCheckpoint(dir), Error, "checksums.sha256 is missing");
});

Deno.test("floatsOf and parseJson: a truncated .bin or bad JSON is a clear error", () => {
  const bytes = floatBytes(Float32Array.from([1, 2, 3]));
  assertThrows(
    () => floatsOf("d", "w.bin", bytes.subarray(0, 10), 3),
    Error,
    `Cannot read checkpoint "d": w.bin holds 10 bytes, expected 12 (file is truncated)`,
  );
  const error = assertThrows(
    () => parseJson("d", "a.json", new TextEncoder().encode("{"), "model"),
    Error,
  );
  assertEquals(error.message, `Cannot read model "d": a.json is not valid JSON`);
  assert(floatsOf("d", "w.bin", bytes, 3) instanceof Float32Array);
});
