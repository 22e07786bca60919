import { assert, assertEquals, assertStringIncludes } from "@std/assert";
import { join } from "@std/path";
import { chartSvg, writeChartPng } from "../../lib/media/chart.ts";
import { readGrey } from "../../lib/media/image.ts";
import { tempDir } from "../_helpers.ts";

Deno.test("chart: panels, legends and lines; PNG has the chart's size", async () => {
  const panels = [
    {
      title: "VAE",
      series: [{ name: "vae", color: "#00f", points: [[1, 0.5], [2, 0.3]] as [number, number][] }],
    },
    {
      title: "GAN",
      series: [{ name: "g", color: "#f00", points: [[1, NaN], [2, 0.7]] as [number, number][] }],
    },
  ];
  const svg = chartSvg(panels);
  assertStringIncludes(svg, "VAE");
  assertStringIncludes(svg, ">vae<");
  assertEquals(svg.match(/<path /g)?.length, 2);
  await using dir = await tempDir();
  const path = join(dir.path, "c.png");
  await writeChartPng(path, panels);
  const img = await readGrey(path);
  assertEquals([img.width, img.height], [900, 520]);
  assert(img.pixels.some((p) => p < 128)); // something was drawn
});
