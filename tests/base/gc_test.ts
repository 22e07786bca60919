import { assertEquals } from "@std/assert";
import { COLLECT_PIXELS, collectPerPixels } from "../../lib/base/gc.ts";

Deno.test("collectPerPixels collects once per `every` pixels, counted across calls", () => {
  let collections = 0;
  const collect = collectPerPixels(1000, () => collections++);
  collect(400);
  collect(400);
  assertEquals(collections, 0);
  collect(400); // 1,200 pixels: the first collection, the count starts again
  assertEquals(collections, 1);
  collect(900);
  assertEquals(collections, 1);
  collect(5000); // one large band: one collection, not five
  assertEquals(collections, 2);
});

Deno.test("collectPerPixels: a render's bands of 2,048 pixels collect once per 512 bands", () => {
  let collections = 0;
  const collect = collectPerPixels(COLLECT_PIXELS, () => collections++);
  for (let band = 0; band < 1024; band++) collect(2048);
  assertEquals(collections, 2);
});
