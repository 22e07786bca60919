import { assertEquals } from "@std/assert";
import { forwardFlops, updateFlops } from "../../lib/bench/flops.ts";
import { modelSpec } from "../../lib/model/model.ts";

const SPEC = modelSpec({
  zDim: 2,
  width: 4,
  depth: 2,
  scale: 8,
  size: 4,
  encoderWidth: 8,
  discChannels: [2, 3],
});

Deno.test("forwardFlops: the encoder and the discriminator, counted by hand (a multiply-add is 2)", () => {
  const f = forwardFlops(SPEC);
  // encoder: 16 -> 8 -> 8 -> 2 * zDim
  assertEquals(f.enc, 2 * 16 * 8 + 2 * 8 * 8 + 2 * 8 * 4);
  // discriminator: 5x5 convolutions 4 -> 2 -> 1 pixels a side, 1 -> 2 -> 3 channels, dense 3 -> 1
  assertEquals(f.disc, 2 * 2 * 2 * 25 * 1 * 2 + 2 * 1 * 1 * 25 * 2 * 3 + 2 * 3);
});

Deno.test("updateFlops: a backward pass counts twice its forward", () => {
  const f = forwardFlops(SPEC);
  const vae = f.gen + f.enc;
  assertEquals(updateFlops(SPEC, "vae", 10), 10 * 3 * vae);
  assertEquals(updateFlops(SPEC, "g", 10), 10 * 3 * (vae + f.disc));
  assertEquals(updateFlops(SPEC, "d-eval", 10), 10 * (vae + 2 * f.disc));
  assertEquals(updateFlops(SPEC, "d", 10), 10 * (vae + 6 * f.disc));
});
