/**
 * Loads the gallery data written by `deno task site` (lib/site/data.ts)
 * and formats values for the pages.
 *
 * @module
 */
import { readFileSync } from "node:fs";
import process from "node:process";
import type { ResponsiveImage, SiteData, SiteImage, SiteModel } from "../../../lib/site/data.ts";

export type { ResponsiveImage, SiteData, SiteImage, SiteModel };

let cached: SiteData | null = null;

/** The gallery data (`CPPN_SITE_DATA` names the JSON file). */
export function siteData(): SiteData {
  if (cached) return cached;
  const path = process.env.CPPN_SITE_DATA;
  if (!path) throw new Error("CPPN_SITE_DATA is not set: build the gallery with `deno task site`");
  cached = JSON.parse(readFileSync(path, "utf8")) as SiteData;
  return cached;
}

/** The base every URL starts with (rewritten after the build). */
export const BASE = import.meta.env.BASE_URL.endsWith("/")
  ? import.meta.env.BASE_URL
  : `${import.meta.env.BASE_URL}/`;

/** A site-root-relative path (`walks/x/`) as a URL under the base. */
export function url(path: string): string {
  return BASE + path.replace(/^\/+/, "");
}

/** An absolute URL for Open Graph when `--site` was given, else a URL under the base. */
export function absoluteUrl(path: string): string {
  const site = siteData().site;
  return site ? new URL(path.replace(/^\/+/, ""), site).href : url(path);
}

/** The `srcset` attribute of a responsive image. */
export function srcset(image: ResponsiveImage): string {
  return image.srcset.map((s) => `${url(s.src)} ${s.width}w`).join(", ");
}

/** `2026-01-02 03:04 UTC`. */
export function showDate(iso: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return `${d.toISOString().slice(0, 10)} ${d.toISOString().slice(11, 16)} UTC`;
}

/** `1.2 MB`. */
export function showBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(0)} kB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

/** A model reference in one line. */
export function showModel(model: SiteModel): string {
  const step = model.step === null ? "" : `, step ${model.step}`;
  const spec = model.spec
    ? ` (z ${model.spec.zDim}, width ${model.spec.width}, depth ${model.spec.depth}, scale ${model.spec.scale})`
    : "";
  const kind = model.kind === "random" ? "untrained random network" : model.kind;
  return `${kind} "${model.name}"${step}${spec}`;
}

/** The latent vector, short. */
export function showZ(z: number[] | null): string {
  if (!z || !z.length) return "-";
  const head = z.slice(0, 8).map((v) => v.toFixed(3)).join(", ");
  return z.length > 8 ? `[${head}, ... ${z.length} values]` : `[${head}]`;
}

/** Re-exported for pages that only need the image type. */
export type Image = SiteImage;
