import { assertEquals } from "@std/assert";
import { derivedKey, derivedName, thumbWidths } from "../../lib/site/assets.ts";

Deno.test("thumbWidths: 320, 640 and 960 px, never wider than the source", () => {
  assertEquals(thumbWidths(2048), [320, 640, 960]);
  assertEquals(thumbWidths(960), [320, 640, 960]);
  assertEquals(thumbWidths(700), [320, 640, 700]);
  assertEquals(thumbWidths(200), [200]);
});

Deno.test("derivedName: the source's hash, the recipe and its quality in the name", () => {
  const sha = "0123456789abcdef".repeat(4);
  assertEquals(derivedName(sha, { kind: "thumb", width: 640 }), "0123456789abcdef-w640-q80.webp");
  assertEquals(derivedName(sha, { kind: "poster" }), "0123456789abcdef-poster-q85.webp");
  assertEquals(derivedName(sha, { kind: "og" }), "0123456789abcdef-og1200x630.jpg");
  assertEquals(derivedKey({ source: "a.png", recipe: { kind: "og" } }), 'a.png\n{"kind":"og"}');
});
