/// <reference lib="dom" />
/**
 * Headless Chromium for the browser tests: Debian's `chromium` driven by
 * `npm:playwright-core`, with a fresh profile per launch, and a watcher
 * for what a page reports (console errors, uncaught exceptions, failed
 * requests, HTTP errors).
 */
import fs from "node:fs";
import type { Browser, Page } from "playwright-core";
import type { ExplorerSnapshot } from "../lib/explore/state.ts";

/** The Chromium binary (`CHROMIUM_PATH` overrides). */
export const CHROMIUM = Deno.env.get("CHROMIUM_PATH") ?? "/usr/bin/chromium";

function chromiumFound(): boolean {
  try {
    return Deno.statSync(CHROMIUM).isFile;
  } catch {
    return false;
  }
}

/**
 * Whether the browser tests are skipped: Chromium is missing and this is
 * not CI (`CI=true`), where a missing Chromium is a failure instead.
 */
export const SKIP_BROWSER = !chromiumFound() && Deno.env.get("CI") !== "true";
if (SKIP_BROWSER) {
  console.warn(
    `\nNOTICE: Chromium is not installed at ${CHROMIUM}: the browser tests are skipped ` +
      "(ignored). Install it to run them: sudo apt-get install chromium (or set CHROMIUM_PATH). " +
      "In CI (CI=true) a missing Chromium fails them.\n",
  );
}

/** Flags for a quiet, sandbox-free headless Chromium with no network of its own. */
export const CHROMIUM_ARGS: readonly string[] = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

// Node's fs.existsSync never throws, but Deno's throws NotCapable for a few /proc paths unless
// run with --allow-all; playwright-core probes one (/proc/sys/fs/binfmt_misc/WSLInterop, to
// detect WSL) when it loads. Give it Node's behaviour, then load it.
const existsSync = fs.existsSync;
fs.existsSync = (path: fs.PathLike) => {
  try {
    return existsSync(path);
  } catch {
    return false;
  }
};
const { chromium } = await import("playwright-core");

/** Launches Chromium (playwright gives every launch a fresh, empty profile folder). */
export async function launch(): Promise<Browser> {
  try {
    await Deno.stat(CHROMIUM);
  } catch {
    throw new Error(
      `Chromium is not installed at ${CHROMIUM}: the browser test needs it ` +
        `(apt-get install -y chromium; .ci/run installs it; outside CI the test is skipped)`,
    );
  }
  return await chromium.launch({
    executablePath: CHROMIUM,
    args: [...CHROMIUM_ARGS],
    timeout: 30_000,
  });
}

/** Elements of the page that reach past the right edge of the window (or make it scroll sideways). */
export function horizontalOverflow(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const width = document.documentElement.clientWidth;
    const out: string[] = [];
    if (document.documentElement.scrollWidth > width) out.push("the page scrolls sideways");
    for (const e of document.querySelectorAll("body *")) {
      const r = e.getBoundingClientRect();
      if (r.width > 1 && r.right > width + 0.5) out.push(`${e.tagName}#${e.id}.${e.className}`);
    }
    return out;
  });
}

/**
 * Where a browser test saves its screenshots: the folder `GALLERY_SCREENSHOTS`
 * names (to look at them), else `fallback` (the test's temporary folder).
 */
export function screenshotDir(fallback: string): string {
  return Deno.env.get("GALLERY_SCREENSHOTS") || fallback;
}

/** Problems a page reports: console errors, uncaught exceptions, failed requests. */
export function watch(page: Page): string[] {
  const problems: string[] = [];
  page.on("console", (msg) => {
    if (msg.type() === "error") problems.push(`console error on ${page.url()}: ${msg.text()}`);
  });
  page.on("pageerror", (error) => problems.push(`uncaught on ${page.url()}: ${error.message}`));
  page.on("requestfailed", (request) => {
    // A media element may cancel its own range request once it has enough; that is not a failure.
    if (request.failure()?.errorText === "net::ERR_ABORTED" && request.resourceType() === "media") {
      return;
    }
    problems.push(`request failed: ${request.url()} (${request.failure()?.errorText})`);
  });
  page.on("response", (response) => {
    if (response.status() >= 400) problems.push(`HTTP ${response.status()}: ${response.url()}`);
  });
  return problems;
}

/** Waits for the live explorer to load and finish rendering; returns its state. */
export async function settled(page: Page): Promise<ExplorerSnapshot> {
  await page.waitForFunction(() => "cppnExplorer" in window, undefined, { timeout: 15_000 });
  return await page.evaluate(async () => {
    // deno-lint-ignore no-explicit-any
    const explorer = (window as any).cppnExplorer;
    await explorer.ready;
    await explorer.idle();
    return explorer.state();
  });
}
