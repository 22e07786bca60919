import { assertEquals, assertStringIncludes, assertThrows } from "@std/assert";
import {
  checkKeys,
  checkName,
  FlagError,
  type FlagSpec,
  helpText,
  parseFlags,
  toArgs,
} from "../../lib/base/flags.ts";

const SPECS: FlagSpec[] = [
  { name: "steps", key: "steps", type: { kind: "int", min: 1 }, help: "steps" },
  { name: "lr", key: "lr", type: { kind: "number", min: 0, exclusiveMin: true }, help: "lr" },
  { name: "mode", key: "mode", type: { kind: "enum", values: ["a", "b"] }, help: "mode" },
  { name: "gan", key: "gan", type: { kind: "boolean" }, help: "gan" },
  { name: "list", key: "list", type: { kind: "intList", min: 1 }, help: "list" },
  { name: "size", key: "size", type: { kind: "size" }, help: "size" },
  { name: "id", key: "id", type: { kind: "name" }, help: "id" },
  { name: "out", key: "out", type: { kind: "string" }, help: "out" },
  { name: "at", key: "at", type: { kind: "point" }, help: "at" },
];

Deno.test("parseFlags: returns only the given options, typed", () => {
  assertEquals(parseFlags([], SPECS), {});
  assertEquals(
    parseFlags(["--steps", "3", "--lr=0.5", "--mode", "b", "--no-gan", "--list", "1,2"], SPECS),
    { steps: 3, lr: 0.5, mode: "b", gan: false, list: [1, 2] },
  );
  assertEquals(parseFlags(["--gan"], SPECS), { gan: true });
});

Deno.test("parseFlags: bad input names the flag and what is valid", () => {
  const cases: [string[], string][] = [
    [["--steps", "0"], '--steps must be an integer >= 1, got "0"'],
    [["--steps", "-5"], '--steps must be an integer >= 1, got "-5"'],
    [["--steps", "2.5"], "--steps must be an integer >= 1"],
    [["--steps", "abc"], '--steps must be an integer >= 1, got "abc"'],
    [["--steps"], "--steps needs a value"],
    [["--lr", "0"], "--lr must be a number > 0"],
    [["--mode", "c"], '--mode must be one of a, b, got "c"'],
    [["--list", "1,x"], "--list must be an integer >= 1"],
    [["--stpes", "3"], "Unknown flag --stpes: did you mean --steps?"],
    [["--zzzzzz", "3"], "Unknown flag --zzzzzz. Valid flags: --steps, --lr"],
    [["oops"], 'Unexpected argument "oops"'],
    [["--steps", "1", "--steps", "2"], "--steps was given more than once"],
  ];
  for (const [args, message] of cases) {
    assertThrows(() => parseFlags(args, SPECS), FlagError, message);
  }
});

Deno.test("helpText: lists every flag with its default", () => {
  const text = helpText("Usage: x", SPECS, { steps: 5, gan: true });
  assertStringIncludes(text, "--steps");
  assertStringIncludes(text, "(default: 5)");
  assertStringIncludes(text, "--no-gan");
  assertStringIncludes(text, "--help");
});

Deno.test("parseFlags: numbers are decimal only (0x10 is not 16)", () => {
  for (const raw of ["0x10", "0b1", "0o7", "1_000", "Infinity"]) {
    assertThrows(() => parseFlags(["--steps", raw], SPECS), FlagError, `got "${raw}"`);
  }
  assertThrows(() => parseFlags(["--at", "0x1,2"], SPECS), FlagError, "--at must be a point");
  assertEquals(parseFlags(["--lr", "1e-3", "--steps", "+16", "--at", "-.5,2"], SPECS), {
    lr: 0.001,
    steps: 16,
    at: [-0.5, 2],
  });
});

Deno.test("parseFlags: a switch refuses a value (--gan=no does not turn it on)", () => {
  for (const arg of ["--gan=no", "--gan=false", "--gan=", "--no-gan=1"]) {
    assertThrows(() => parseFlags([arg], SPECS), FlagError, "is a switch and takes no value");
  }
});

Deno.test("parseFlags: an empty value names the flag", () => {
  const cases: [string[], string][] = [
    [["--out="], "--out needs a value"],
    [["--out", ""], "--out needs a value"],
    [["--id="], "--id needs a value"],
    [["--out", "--steps", "3"], "--out needs a value"],
    [["--steps", ""], "--steps needs a value"],
  ];
  for (const [args, message] of cases) {
    assertThrows(() => parseFlags(args, SPECS), FlagError, message);
  }
});

Deno.test("parseFlags: a name that becomes a path refuses '.', '..', 'latest' and separators", () => {
  for (const bad of [".", "..", "latest", "a/b", "..\\x", "a b"]) {
    assertThrows(() => parseFlags(["--id", bad], SPECS), FlagError, `--id must be a name`);
  }
  assertEquals(parseFlags(["--id", "run.1-a_b"], SPECS), { id: "run.1-a_b" });
  assertThrows(() => checkName("..", "run name"), FlagError, "run name must be a name");
});

Deno.test("helpText: defaults are shown in the syntax the flag accepts", () => {
  const text = helpText("Usage: x", SPECS, { size: [2048, 2048], list: [24, 48], at: [0, 1] });
  assertStringIncludes(text, "(default: 2048)");
  assertStringIncludes(text, "(default: 24,48)");
  const wide = helpText("Usage: x", SPECS, { size: [1920, 1080] });
  assertStringIncludes(wide, "(default: 1920x1080)");
  assertEquals(parseFlags(["--size", "1920x1080"], SPECS), { size: [1920, 1080] });
  assertEquals(toArgs({ size: [1920, 1080] }, SPECS), ["--size", "1920x1080"]);
  // a plan file's object where a value belongs is refused, not read as "[object Object]"
  assertThrows(() => toArgs({ out: {} }, SPECS), FlagError, "--out must be a string, got {}");
  assertThrows(() => toArgs({ gan: "false" }, SPECS), FlagError, "--gan must be true or false");
});

Deno.test("parseFlags: text from the command line or a plan file is shown escaped", () => {
  const cases: [string[], string][] = [
    [["--steps", "1\x1b[2J"], '--steps must be an integer >= 1, got "1\\x1b[2J"'],
    [["--\x1b]0;x\x07"], "Unknown flag --\\x1b]0;x\\x07"],
    [["\x1b[31mred"], 'Unexpected argument "\\x1b[31mred"'],
  ];
  for (const [args, message] of cases) {
    const error = assertThrows(() => parseFlags(args, SPECS), FlagError, message);
    // deno-lint-ignore no-control-regex
    assertEquals(/[\x00-\x1f]/.test(error.message), false);
  }
  assertThrows(
    () => checkKeys({ "\x1b[2J": 1 }, SPECS, "plan"),
    FlagError,
    'plan: unknown setting "\\x1b[2J"',
  );
});
