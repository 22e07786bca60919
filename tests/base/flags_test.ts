import { assertEquals, assertStringIncludes, assertThrows } from "@std/assert";
import { FlagError, type FlagSpec, helpText, parseFlags } from "../../lib/base/flags.ts";

const SPECS: FlagSpec[] = [
  { name: "steps", key: "steps", type: { kind: "int", min: 1 }, help: "steps" },
  { name: "lr", key: "lr", type: { kind: "number", min: 0, exclusiveMin: true }, help: "lr" },
  { name: "mode", key: "mode", type: { kind: "enum", values: ["a", "b"] }, help: "mode" },
  { name: "gan", key: "gan", type: { kind: "boolean" }, help: "gan" },
  { name: "list", key: "list", type: { kind: "intList", min: 1 }, help: "list" },
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
    [["--stpes", "3"], "Unknown flag --stpes. Valid flags: --steps, --lr"],
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
