import { assertEquals, assertStringIncludes } from "@std/assert";
import { printable } from "../../lib/base/cli.ts";
import { runScript } from "../_helpers.ts";

Deno.test("printable: control characters escaped, line breaks kept", () => {
  assertEquals(printable("a\x1b[2J\nb\r"), "a\\x1b[2J\nb\\x0d");
});

Deno.test("a command's error never sends terminal escape sequences", async () => {
  const r = await runScript("render", ["--model", "/nonexistent/\x1b[2Jx", "--seed", "1"]);
  assertEquals(r.code, 2, r.stderr);
  assertStringIncludes(r.stderr, "/nonexistent/\\x1b[2Jx");
  assertEquals(r.stderr.includes("\x1b"), false);
});
