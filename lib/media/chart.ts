/**
 * Loss curves as a picture: a small SVG line chart (one panel per group of
 * series), rasterised to PNG by sharp.
 *
 * @module
 */
import sharp from "sharp";
import { writeFileAtomic } from "../base/atomic_write.ts";

/** One line of a chart. */
export interface Series {
  /** Legend label. */
  name: string;
  /** Line colour (any SVG colour). */
  color: string;
  /** Points `[x, y]`; non-finite `y` values are skipped. */
  points: [number, number][];
}

/** One panel: a title, a y-axis and its lines. */
export interface Panel {
  /** Shown above the panel. */
  title: string;
  /** The lines drawn in it. */
  series: Series[];
}

const WIDTH = 900, PANEL_HEIGHT = 260, MARGIN = { left: 70, right: 20, top: 30, bottom: 36 };

function niceTicks(lo: number, hi: number, count = 5): number[] {
  const span = hi - lo || Math.abs(hi) || 1;
  const raw = span / count;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? raw;
  const ticks: number[] = [];
  for (let t = Math.ceil(lo / step) * step; t <= hi + step * 1e-9; t += step) {
    ticks.push(Number(t.toPrecision(12)));
  }
  return ticks;
}

function escapeXml(text: string): string {
  return text.replace(/[<>&"]/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** The SVG text of a chart with the given panels stacked vertically. */
export function chartSvg(panels: Panel[], xLabel = "step"): string {
  const height = panels.length * PANEL_HEIGHT;
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${height}" font-family="DejaVu Sans, Arial, sans-serif" font-size="12">`,
    `<rect width="100%" height="100%" fill="white"/>`,
  ];
  const allX = panels.flatMap((p) => p.series.flatMap((s) => s.points.map((q) => q[0])));
  const xMin = allX.length ? Math.min(...allX) : 0;
  const xMax = allX.length ? Math.max(...allX) : 1;
  panels.forEach((panel, index) => {
    const top = index * PANEL_HEIGHT + MARGIN.top;
    const plotH = PANEL_HEIGHT - MARGIN.top - MARGIN.bottom;
    const plotW = WIDTH - MARGIN.left - MARGIN.right;
    const ys = panel.series.flatMap((s) =>
      s.points.map((p) => p[1]).filter((y) => Number.isFinite(y))
    );
    let yMin = ys.length ? Math.min(...ys) : 0, yMax = ys.length ? Math.max(...ys) : 1;
    if (yMax - yMin < 1e-9) {
      yMin -= 0.5;
      yMax += 0.5;
    }
    const pad = (yMax - yMin) * 0.05;
    yMin -= pad;
    yMax += pad;
    const sx = (x: number) =>
      MARGIN.left + (xMax > xMin ? (x - xMin) / (xMax - xMin) : 0.5) * plotW;
    const sy = (y: number) => top + (1 - (y - yMin) / (yMax - yMin)) * plotH;
    parts.push(
      `<text x="${MARGIN.left}" y="${top - 10}" font-size="14" font-weight="bold">${
        escapeXml(panel.title)
      }</text>`,
      `<rect x="${MARGIN.left}" y="${top}" width="${plotW}" height="${plotH}" fill="none" stroke="#999"/>`,
    );
    for (const t of niceTicks(yMin, yMax)) {
      const y = sy(t).toFixed(1);
      parts.push(
        `<line x1="${MARGIN.left}" x2="${MARGIN.left + plotW}" y1="${y}" y2="${y}" stroke="#eee"/>`,
        `<text x="${
          MARGIN.left - 6
        }" y="${y}" text-anchor="end" dominant-baseline="middle">${t}</text>`,
      );
    }
    for (const t of niceTicks(xMin, xMax, 8)) {
      const x = sx(t).toFixed(1);
      parts.push(
        `<text x="${x}" y="${top + plotH + 16}" text-anchor="middle">${t}</text>`,
      );
    }
    parts.push(
      `<text x="${MARGIN.left + plotW / 2}" y="${
        top + plotH + 32
      }" text-anchor="middle" fill="#555">${xLabel}</text>`,
    );
    let legendX = MARGIN.left + plotW - 10;
    for (const s of [...panel.series].reverse()) {
      const pts = s.points.filter((p) => Number.isFinite(p[1]));
      if (pts.length) {
        const d = pts.map((p, i) => `${i ? "L" : "M"}${sx(p[0]).toFixed(1)},${sy(p[1]).toFixed(1)}`)
          .join("");
        parts.push(
          `<path d="${d}" fill="none" stroke="${s.color}" stroke-width="1.5"/>`,
        );
      }
      parts.push(
        `<text x="${legendX}" y="${top - 10}" text-anchor="end" fill="${s.color}">${
          escapeXml(s.name)
        }</text>`,
      );
      legendX -= 12 + 7 * s.name.length;
    }
  });
  parts.push("</svg>");
  return parts.join("\n");
}

/** Renders the chart to a PNG file atomically. */
export async function writeChartPng(
  path: string,
  panels: Panel[],
  xLabel = "step",
): Promise<void> {
  const svg = new TextEncoder().encode(chartSvg(panels, xLabel));
  const png = await sharp(svg).png().toBuffer();
  await writeFileAtomic(path, new Uint8Array(png.buffer, png.byteOffset, png.byteLength));
}
