import { assertEquals, assertStringIncludes } from "@std/assert";
import { interruptHandler, printable, REPEAT_AFTER_MS } from "../../lib/base/cli.ts";
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

Deno.test("interruptHandler: one Ctrl-C delivered twice stops once; a later second one exits 130", () => {
  let clock = 0, stops = 0;
  const exits: number[] = [];
  const handle = interruptHandler(() => stops++, (code) => exits.push(code), () => clock);
  handle();
  // the same Ctrl-C, forwarded by `deno task` a few milliseconds later
  clock = 5;
  handle();
  assertEquals([stops, exits], [1, []]);
  clock = REPEAT_AFTER_MS + 1;
  handle();
  assertEquals([stops, exits], [1, [130]]);
});
