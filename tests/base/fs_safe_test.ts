import { assertEquals, assertRejects } from "@std/assert";
import { join } from "@std/path";
import { escapeText, linkOrCopy, readRegularFile } from "../../lib/base/fs_safe.ts";
import { tempDir } from "../_helpers.ts";

Deno.test("escapeText: control characters and bidirectional overrides become visible escapes", () => {
  assertEquals(escapeText("a\x1b[2Jb\r\n\x07\u202e"), "a\\x1b[2Jb\\x0d\\x0a\\x07\\u202e");
  assertEquals(escapeText("plain ünïcode ✓"), "plain ünïcode ✓");
});

Deno.test("linkOrCopy / readRegularFile: a symbolic link or a FIFO is refused, not followed", async () => {
  await using tmp = await tempDir();
  await Deno.writeTextFile(join(tmp.path, "secret"), "x");
  await Deno.symlink(join(tmp.path, "secret"), join(tmp.path, "link"));
  await new Deno.Command("mkfifo", { args: [join(tmp.path, "pipe")] }).output();
  for (const name of ["link", "pipe"]) {
    await assertRejects(
      () => linkOrCopy(join(tmp.path, name), join(tmp.path, "site", name)),
      Error,
      "is not a regular file",
    );
    await assertRejects(() => readRegularFile(join(tmp.path, name)), Error, "not a regular file");
  }
  await linkOrCopy(join(tmp.path, "secret"), join(tmp.path, "site", "copy"));
  assertEquals(await Deno.readTextFile(join(tmp.path, "site", "copy")), "x");
});
