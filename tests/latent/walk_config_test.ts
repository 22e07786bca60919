import { assertEquals, assertThrows } from "@std/assert";
import { FlagError, parseFlags } from "../../lib/base/flags.ts";
import { WALK_FLAGS } from "../../lib/latent/walk_config.ts";

Deno.test("walk flags: sizes, digits, the view and the loop parse to their values", () => {
  assertEquals(
    parseFlags(
      ["--size", "1920x1080", "--still-size", "512", "--digits", "3,1,4", "--ease", "quintic"],
      WALK_FLAGS,
    ),
    { size: [1920, 1080], stillSize: [512, 512], digits: [3, 1, 4], ease: "quintic" },
  );
  assertEquals(parseFlags(["--center", "1.5,-0.5", "--no-loop"], WALK_FLAGS), {
    center: [1.5, -0.5],
    loop: false,
  });
});

Deno.test("walk flags: out-of-range values are errors that say what is valid", () => {
  const cases: [string[], string][] = [
    [
      ["--size", "70000"],
      `--size must be a size in pixels, N or WxH, each from 1 to 65535, got "70000"`,
    ],
    [["--still-size", "0"], "--still-size must be a size in pixels"],
    [["--interp", "cubic"], `--interp must be one of slerp, lerp, got "cubic"`],
    [["--steps", "1"], "--steps must be an integer >= 2"],
    [["--fps", "0"], "--fps must be an integer >= 1 and <= 240"],
    [["--count", "0"], "--count must be an integer >= 1"],
    [["--scale", "0"], "--scale must be a number > 0"],
    [["--center", "x"], `--center must be a point x,y (two numbers), got "x"`],
  ];
  for (const [args, message] of cases) {
    assertThrows(() => parseFlags(args, WALK_FLAGS), FlagError, message);
  }
});
