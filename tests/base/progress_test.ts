import { assertEquals, assertMatch } from "@std/assert";
import { formatDuration, Progress } from "../../lib/base/progress.ts";

Deno.test("formatDuration: mm:ss, h:mm:ss, and --:-- when unknown", () => {
  assertEquals(formatDuration(65), "01:05");
  assertEquals(formatDuration(3725), "1:02:05");
  assertEquals(formatDuration(NaN), "--:--");
});

Deno.test("Progress: counts, rate and ETA after the first second; a time limit caps the ETA", async () => {
  const open = new Progress({ max: 1_000_000, unit: "img", rateScale: 64 });
  const capped = new Progress({ max: 1_000_000, unit: "img", limitSeconds: 90 });
  open.update(1, "vae 0.300");
  assertMatch(open.line(), / 1\/1000000 vae 0\.300 \| - img\/s \| 00:00 elapsed, ETA --:--$/);
  await new Promise((r) => setTimeout(r, 1100));
  open.update(10, "vae 0.250");
  capped.update(10);
  // ~10 units in ~1.1 s: about 30 hours left by rate, but at most 90 s by the limit
  assertMatch(
    open.line(),
    / 10\/1000000 vae 0\.250 \| \d+ img\/s \| 00:01 elapsed, ETA \d+:\d\d:\d\d$/,
  );
  assertMatch(capped.line(), /ETA 01:(29|28)$/);
});
