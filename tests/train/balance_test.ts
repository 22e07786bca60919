import { assertEquals } from "@std/assert";
import {
  generatorDone,
  REFERENCE_BALANCE,
  shouldTrainDiscriminator,
} from "../../lib/train/balance.ts";

Deno.test("balance: the reference thresholds", () => {
  const r = REFERENCE_BALANCE;
  assertEquals([r.vaeSteps, r.gSteps, r.gStopBelow, r.dTrainAbove, r.dTrainIfGBelow], [
    4,
    4,
    0.6,
    0.6,
    0.75,
  ]);
  assertEquals(generatorDone(0.59, r), true);
  assertEquals(generatorDone(0.6, r), false);
  assertEquals(generatorDone(2, r), false);
  assertEquals(shouldTrainDiscriminator(0.61, 0.74, r), true);
  assertEquals(shouldTrainDiscriminator(0.6, 0.5, r), false); // D already winning
  assertEquals(shouldTrainDiscriminator(0.9, 0.75, r), false); // G losing: let it catch up
  assertEquals(shouldTrainDiscriminator(0.9, 0.2, r), true);
});
