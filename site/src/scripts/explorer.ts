/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
/**
 * The live explorer: runs a trained generator in the browser with
 * TensorFlow.js (WebGL, or the CPU backend with a notice) and renders the
 * view again from the network at every pan, zoom and change of latent.
 *
 * The maths is the project's own: `Renderer` (lib/render/renderer.ts) evaluates the
 * folded weights exported by `deno task site` (lib/explore/browser_model.ts) over
 * `pixelCoords` (lib/model/coords.ts) in row bands (lib/explore/bands.ts);
 * morphs and walks use `slerp` and `walkLatent` (lib/latent/walk_math.ts); the
 * URL fragment is lib/explore/state.ts.
 *
 * @module
 */
import { tf } from "../../../lib/base/tf.ts";
import type { View } from "../../../lib/model/coords.ts";
import { Renderer } from "../../../lib/render/renderer.ts";
import {
  type BrowserModelJson,
  checkBrowserModelJson,
  unpackFoldedWeights,
} from "../../../lib/explore/browser_model.ts";
import {
  type ExplorerSnapshot,
  formatHash,
  panBy,
  parseHash,
  roundLatent,
  roundView,
  sizeWithLongestSide,
  zoomAt,
} from "../../../lib/explore/state.ts";
import { renderBands, Throughput } from "../../../lib/explore/bands.ts";
import { slerp, walkLatent } from "../../../lib/latent/walk_math.ts";
import { Rng } from "../../../lib/base/rng.ts";
import { toggleFullScreen, wireFullScreenButton } from "./full_screen.ts";

/** A model as the page lists it. */
interface ModelEntry {
  id: string;
  title: string;
  step: number | null;
  zDim: number;
  json: string;
  keyframes: number;
  info: string;
}

/** A loaded model. */
interface LoadedModel {
  entry: ModelEntry;
  json: BrowserModelJson;
  renderer: Renderer;
  keys: Float32Array[];
  /** Digit of each keyframe. */
  digits: number[];
}

/** What the page exposes for debugging and tests (`window.cppnExplorer`). */
interface ExplorerHandle {
  /** Resolves once the first model is loaded. */
  ready: Promise<void>;
  /** The current state. */
  state(): ExplorerSnapshot;
  /** Live tensors in the engine. */
  numTensors(): number;
  /** Resolves when no render is running or pending. */
  idle(): Promise<void>;
}

const root = document.getElementById("explorer");
if (root) main(root);

function element<T extends HTMLElement>(id: string): T {
  const found = document.getElementById(id);
  if (!found) throw new Error(`The explorer page has no #${id}`);
  return found as T;
}

/**
 * A `pause` for `renderBands`: gives the page a frame once more than 10 ms
 * of work have passed since the last one.
 */
function framePauser(): () => Promise<void> {
  let lastYield = performance.now();
  return async () => {
    if (performance.now() - lastYield > 10) {
      await nextFrame();
      lastYield = performance.now();
    }
  };
}

/** The next animation frame, or 100 ms if frames are not running (a hidden tab). */
function nextFrame(): Promise<void> {
  return new Promise((resolve) => {
    let done = false;
    const finish = () => {
      if (!done) {
        done = true;
        resolve();
      }
    };
    requestAnimationFrame(finish);
    setTimeout(finish, 100);
  });
}

/** Grey bytes as opaque RGBA pixels. */
function greyImage(bytes: Uint8Array, width: number, rows: number): ImageData {
  const image = new ImageData(width, rows);
  const rgba = image.data;
  for (let i = 0, j = 0; i < bytes.length; i++, j += 4) {
    const v = bytes[i];
    rgba[j] = v;
    rgba[j + 1] = v;
    rgba[j + 2] = v;
    rgba[j + 3] = 255;
  }
  return image;
}

async function startBackend(forced: string | null): Promise<{ name: string; notice: string }> {
  if (forced !== "cpu") {
    try {
      if (await tf.setBackend("webgl")) {
        await tf.ready();
        return { name: "webgl", notice: "" };
      }
    } catch {
      // no WebGL: fall through to the CPU backend
    }
  }
  await tf.setBackend("cpu");
  await tf.ready();
  return {
    name: "cpu",
    notice: forced === "cpu"
      ? "Running on the CPU backend, as the address asks (?backend=cpu)."
      : "WebGL is not available in this browser, so the model runs on TensorFlow.js's CPU " +
        "backend: the same images, more slowly.",
  };
}

async function loadModel(entry: ModelEntry): Promise<LoadedModel> {
  const jsonUrl = new URL(entry.json, document.baseURI);
  const response = await fetch(jsonUrl);
  if (!response.ok) {
    throw new Error(
      `Cannot load model "${entry.title}": ${jsonUrl.pathname} answered ${response.status}`,
    );
  }
  const json = checkBrowserModelJson(await response.json(), `model "${entry.title}"`);
  const binUrl = new URL(json.weights, jsonUrl);
  const bin = await fetch(binUrl);
  if (!bin.ok) {
    throw new Error(
      `Cannot load model "${entry.title}": ${binUrl.pathname} answered ${bin.status}`,
    );
  }
  const weights = unpackFoldedWeights(json, await bin.arrayBuffer());
  const items = [...json.keyframes.items].sort((a, b) => a.digit - b.digit);
  return {
    entry,
    json,
    renderer: new Renderer(weights),
    keys: items.map((k) => Float32Array.from(k.z)),
    digits: items.map((k) => k.digit),
  };
}

function main(root: HTMLElement): void {
  const models = JSON.parse(root.dataset.models ?? "[]") as ModelEntry[];
  const canvas = element<HTMLCanvasElement>("explore-canvas");
  const ctx = canvas.getContext("2d", { alpha: false })!;
  const stage = element<HTMLDivElement>("explore-stage");
  const status = element<HTMLParagraphElement>("explore-status");
  const notice = element<HTMLParagraphElement>("explore-notice");
  const readout = element<HTMLSpanElement>("explore-readout");
  const modelSelect = element<HTMLSelectElement>("explore-model");
  const modelInfo = element<HTMLParagraphElement>("model-info");
  const digitButtons = [...root.querySelectorAll<HTMLButtonElement>("button[data-digit]")];
  const blendFrom = element<HTMLSelectElement>("blend-from");
  const blendTo = element<HTMLSelectElement>("blend-to");
  const blendT = element<HTMLInputElement>("blend-t");
  const playButton = element<HTMLButtonElement>("walk-play");
  const speed = element<HTMLInputElement>("walk-speed");
  const speedValue = element<HTMLOutputElement>("walk-speed-value");
  const randomise = element<HTMLButtonElement>("randomise");
  const dims = element<HTMLDivElement>("latent-dims");
  const saveSize = element<HTMLSelectElement>("save-size");
  const saveButton = element<HTMLButtonElement>("save-png");
  const saveStatus = element<HTMLParagraphElement>("save-status");

  const showNotice = (text: string) => {
    notice.textContent = text;
    notice.hidden = text === "";
  };

  // ---- state ---------------------------------------------------------------
  let model: LoadedModel | null = null;
  let z: Float32Array = new Float32Array(0);
  let digit: number | null = null;
  let view: View = { scale: 8, center: [0, 0] };
  let generation = 0;
  let running = false;
  let renders = 0;
  let playing = false;
  let walkStart = 0;
  let walkOffset = 0;
  let saving: { cancelled: boolean } | null = null;
  const retired: Renderer[] = [];
  const idleWaiters: (() => void)[] = [];
  let backend = "";
  let throughput = new Throughput(50);

  const ready = (async () => {
    const forced = new URLSearchParams(location.search).get("backend");
    const started = await startBackend(forced);
    backend = started.name;
    throughput = new Throughput(backend === "webgl" ? 2000 : 30);
    showNotice(started.notice);
    const parsed = parseHash(location.hash);
    const entry = models.find((m) => m.id === parsed.model) ?? models[0];
    if (parsed.model !== null && entry.id !== parsed.model) {
      showNotice(`There is no model "${parsed.model}" here; showing ${entry.title}.`);
    }
    await useModel(entry);
    applyHash(location.hash, true);
    changed();
  })();

  ready.catch((error) => {
    status.textContent = error instanceof Error ? error.message : String(error);
    showNotice(status.textContent);
  });

  const handle: ExplorerHandle = {
    ready,
    state: () => ({
      backend,
      model: model?.entry.id ?? null,
      z: Array.from(z),
      view: { scale: view.scale, center: [view.center[0], view.center[1]] },
      width: canvas.width,
      height: canvas.height,
      rendering: running,
      renders,
      hash: currentHash(),
    }),
    numTensors: () => tf.memory().numTensors,
    idle: () =>
      !running && !playing
        ? Promise.resolve()
        : new Promise<void>((resolve) => idleWaiters.push(resolve)),
  };
  (window as unknown as { cppnExplorer: ExplorerHandle }).cppnExplorer = handle;

  // ---- the model and the latent --------------------------------------------
  async function useModel(entry: ModelEntry): Promise<void> {
    status.textContent = `Loading ${entry.title}…`;
    const loaded = await loadModel(entry);
    if (model) retired.push(model.renderer);
    model = loaded;
    modelSelect.value = entry.id;
    modelInfo.textContent = entry.info;
    const hasKeys = loaded.keys.length > 0;
    for (const button of digitButtons) {
      button.disabled = !loaded.digits.includes(Number(button.dataset.digit));
    }
    for (const select of [blendFrom, blendTo]) {
      for (const option of select.options) {
        option.disabled = !loaded.digits.includes(Number(option.value));
      }
    }
    blendT.disabled = !hasKeys;
    playButton.disabled = loaded.keys.length < 2;
    if (!hasKeys) showNotice("This model was exported without digit keyframes (no encoder).");
    buildDimSliders(loaded.json.spec.zDim);
    view = { scale: loaded.json.spec.scale, center: [0, 0] };
    setLatent(
      hasKeys ? loaded.keys[0] : new Float32Array(loaded.json.spec.zDim),
      loaded.digits[0] ?? null,
    );
  }

  function keyOf(d: number): Float32Array | null {
    const i = model?.digits.indexOf(d) ?? -1;
    return i >= 0 ? model!.keys[i] : null;
  }

  /**
   * Shows latent `next` (a digit's keyframe when `nextDigit` is given);
   * anything else is rounded as the URL writes it, so a link reopens it exactly.
   */
  function setLatent(next: Float32Array, nextDigit: number | null, from?: HTMLInputElement): void {
    z = nextDigit !== null && keyOf(nextDigit) === next ? next.slice() : roundLatent(next);
    digit = nextDigit !== null && keyOf(nextDigit) === next ? nextDigit : null;
    for (const button of digitButtons) {
      button.setAttribute("aria-pressed", String(Number(button.dataset.digit) === digit));
    }
    syncDimSliders(from);
    changed();
  }

  function buildDimSliders(zDim: number): void {
    dims.replaceChildren();
    for (let i = 0; i < zDim; i++) {
      const row = document.createElement("div");
      row.className = "dim";
      const label = document.createElement("label");
      label.htmlFor = `z-${i}`;
      label.textContent = `z${i}`;
      const input = document.createElement("input");
      input.type = "range";
      input.id = `z-${i}`;
      input.min = "-3";
      input.max = "3";
      input.step = "0.01";
      input.dataset.index = String(i);
      const output = document.createElement("output");
      output.htmlFor.add(input.id);
      row.append(label, input, output);
      dims.append(row);
    }
  }

  function syncDimSliders(except?: HTMLInputElement): void {
    for (const input of dims.querySelectorAll<HTMLInputElement>("input[data-index]")) {
      const v = z[Number(input.dataset.index)] ?? 0;
      if (input !== except) input.value = String(v);
      (input.nextElementSibling as HTMLOutputElement).textContent = v.toFixed(2);
    }
  }

  // ---- the URL ---------------------------------------------------------------
  let lastHash = "";
  let hashTimer: ReturnType<typeof setTimeout> | undefined;

  function currentHash(): string {
    const key = digit === null ? null : keyOf(digit);
    const isKey = key !== null && key.every((v, i) => v === z[i]);
    return formatHash({
      model: model?.entry.id ?? null,
      digit: isKey ? digit : null,
      z: isKey ? null : z,
      scale: view.scale,
      center: view.center,
    });
  }

  function writeHash(): void {
    clearTimeout(hashTimer);
    hashTimer = undefined;
    const hash = currentHash();
    if (hash === lastHash) return;
    lastHash = hash;
    history.replaceState(null, "", `#${hash}`);
  }

  function applyHash(hash: string, initial: boolean): void {
    if (!model) return;
    const parsed = parseHash(hash);
    const problems = [...parsed.problems];
    const zDim = model.json.spec.zDim;
    if (parsed.z !== null && parsed.z.length !== zDim) {
      problems.push(`z has ${parsed.z.length} values; this model needs ${zDim}`);
      parsed.z = null;
    }
    if (parsed.digit !== null && keyOf(parsed.digit) === null) {
      problems.push(`this model has no keyframe for digit ${parsed.digit}`);
      parsed.digit = null;
    }
    view = {
      scale: parsed.scale ?? model.json.spec.scale,
      center: parsed.center ?? [0, 0],
    };
    if (parsed.z !== null) setLatent(parsed.z, null);
    else if (parsed.digit !== null) setLatent(keyOf(parsed.digit)!, parsed.digit);
    else if (!initial) changed();
    if (problems.length) showNotice(`Parts of the address were ignored: ${problems.join("; ")}.`);
    lastHash = "";
    writeHash();
  }

  addEventListener("hashchange", () => {
    if (location.hash.replace(/^#/, "") === lastHash) return;
    stopWalk();
    const parsed = parseHash(location.hash);
    const entry = parsed.model === null ? null : models.find((m) => m.id === parsed.model);
    if (entry && entry.id !== model?.entry.id) {
      useModel(entry).then(() => applyHash(location.hash, false)).catch((error) =>
        showNotice(error instanceof Error ? error.message : String(error))
      );
    } else applyHash(location.hash, false);
  });

  // ---- rendering -------------------------------------------------------------
  function changed(): void {
    view = roundView(view);
    generation++;
    readout.textContent = `scale ${Number(view.scale.toPrecision(4))} · centre ${
      view.center.map((v) => Number(v.toPrecision(6))).join(", ")
    }`;
    // Not before a model is shown: the address holds the view the page was opened with.
    if (model && !playing && hashTimer === undefined) hashTimer = setTimeout(writeHash, 250);
    if (!running) void renderLoop();
  }

  function fitCanvas(): boolean {
    const dpr = devicePixelRatio || 1;
    const rect = canvas.getBoundingClientRect();
    const width = Math.max(1, Math.round(rect.width * dpr));
    const height = Math.max(1, Math.round(rect.height * dpr));
    if (canvas.width === width && canvas.height === height) return false;
    canvas.width = width;
    canvas.height = height;
    return true;
  }
  new ResizeObserver(() => {
    if (fitCanvas()) changed();
  }).observe(canvas);
  // Moving to a screen of another pixel density changes no CSS size: watch it too.
  const watchDensity = () =>
    matchMedia(`(resolution: ${devicePixelRatio}dppx)`).addEventListener("change", () => {
      if (fitCanvas()) changed();
      watchDensity();
    }, { once: true });
  watchDensity();
  fitCanvas();

  const small = document.createElement("canvas");
  const smallCtx = small.getContext("2d", { alpha: false })!;

  /** One pass at `1/factor` of the canvas resolution; false if it was overtaken. */
  async function pass(renderer: Renderer, factor: number, stale: () => boolean): Promise<boolean> {
    const width = Math.ceil(canvas.width / factor);
    const height = Math.ceil(canvas.height / factor);
    const request = { z, width, height, view };
    const target = factor === 1 ? ctx : smallCtx;
    if (factor > 1) {
      small.width = width;
      small.height = height;
    }
    const result = await renderBands(renderer, request, {
      cancelled: stale,
      // WebGL bands wait for the GPU without blocking the page; CPU bands block it.
      targetMs: backend === "webgl" ? 30 : 16,
      powerOfTwoRows: backend === "webgl",
      pause: framePauser(),
      onBand: (rowStart, rowEnd, bytes) => {
        target.putImageData(greyImage(bytes, width, rowEnd - rowStart), 0, rowStart);
      },
    });
    throughput.add(result.rows * width, result.ms);
    if (!result.completed) return false;
    if (factor > 1) {
      ctx.imageSmoothingEnabled = true;
      ctx.drawImage(small, 0, 0, width, height, 0, 0, canvas.width, canvas.height);
    }
    return true;
  }

  async function renderLoop(): Promise<void> {
    running = true;
    canvas.dataset.state = "rendering";
    try {
      for (;;) {
        for (const old of retired.splice(0)) old.dispose();
        if (!model) break;
        const renderer = model.renderer;
        if (playing) advanceWalk();
        const gen = generation;
        const stale = () => generation !== gen || model?.renderer !== renderer;
        const started = performance.now();
        let done: boolean;
        if (playing) {
          done = await pass(renderer, throughput.factorFor(canvas.width, canvas.height, 40), stale);
        } else {
          const quick = throughput.factorFor(canvas.width, canvas.height, 25);
          done = quick === 1 || await pass(renderer, Math.max(2, quick), stale);
          done = done && await pass(renderer, 1, stale);
        }
        if (done && !playing) {
          renders++;
          status.textContent = `${canvas.width} × ${canvas.height} px rendered in ${
            Math.round(performance.now() - started)
          } ms on ${backend === "webgl" ? "WebGL" : "the CPU"}.`;
        }
        if (playing) {
          await nextFrame();
          continue;
        }
        if (generation === gen && model?.renderer === renderer) break;
      }
    } catch (error) {
      status.textContent = `Rendering failed: ${error instanceof Error ? error.message : error}`;
      showNotice(status.textContent);
      playing = false;
      playButton.setAttribute("aria-pressed", "false");
      playButton.textContent = "Play walk";
    } finally {
      running = false;
      canvas.dataset.state = "idle";
      canvas.dataset.renders = String(renders);
      for (const old of retired.splice(0)) old.dispose();
      for (const resolve of idleWaiters.splice(0)) resolve();
    }
  }

  // ---- the walk ---------------------------------------------------------------
  function walkPosition(): number {
    const seconds = Number(speed.value);
    return walkOffset + (performance.now() - walkStart) / 1000 / seconds;
  }

  function advanceWalk(): void {
    if (!model || model.keys.length < 2) return;
    const per = 1000;
    const frames = model.keys.length * per;
    const frame = Math.floor(walkPosition() * per) % frames;
    z = walkLatent(model.keys, frame, frames, { loop: true, interp: "slerp", ease: "cosine" });
    digit = null;
    for (const button of digitButtons) button.setAttribute("aria-pressed", "false");
    syncDimSliders();
  }

  function startWalk(): void {
    if (!model || model.keys.length < 2 || playing) return;
    walkOffset = digit === null ? 0 : Math.max(0, model.digits.indexOf(digit));
    walkStart = performance.now();
    playing = true;
    playButton.setAttribute("aria-pressed", "true");
    playButton.textContent = "Pause walk";
    changed();
  }

  function stopWalk(): void {
    if (!playing) return;
    playing = false;
    playButton.setAttribute("aria-pressed", "false");
    playButton.textContent = "Play walk";
    z = roundLatent(z);
    changed();
  }

  speed.addEventListener("input", () => {
    if (playing) {
      walkOffset = walkPosition();
      walkStart = performance.now();
    }
    speedValue.textContent = speed.value;
  });
  playButton.addEventListener("click", () => (playing ? stopWalk() : startWalk()));

  // ---- latent controls ------------------------------------------------------
  for (const button of digitButtons) {
    button.addEventListener("click", () => {
      const d = Number(button.dataset.digit);
      const key = keyOf(d);
      if (!key) return;
      stopWalk();
      blendFrom.value = String(d);
      blendT.value = "0";
      setLatent(key, d);
    });
  }
  const blend = () => {
    const a = keyOf(Number(blendFrom.value)), b = keyOf(Number(blendTo.value));
    if (!a || !b) return;
    stopWalk();
    const t = Number(blendT.value);
    if (t === 0) setLatent(a, Number(blendFrom.value));
    else if (t === 1) setLatent(b, Number(blendTo.value));
    else setLatent(slerp(a, b, t), null);
  };
  blendT.addEventListener("input", blend);
  blendFrom.addEventListener("change", blend);
  blendTo.addEventListener("change", blend);
  randomise.addEventListener("click", () => {
    if (!model) return;
    stopWalk();
    const seed = crypto.getRandomValues(new Uint32Array(1))[0];
    setLatent(roundLatent(new Rng(seed, "explorer").normal(model.json.spec.zDim)), null);
  });
  dims.addEventListener("input", (event) => {
    const input = event.target as HTMLInputElement;
    if (!input.dataset.index) return;
    stopWalk();
    const next = z.slice();
    next[Number(input.dataset.index)] = Number(input.value);
    setLatent(next, null, input);
  });
  modelSelect.addEventListener("change", () => {
    const entry = models.find((m) => m.id === modelSelect.value);
    if (!entry || entry.id === model?.entry.id) return;
    stopWalk();
    if (saving) saving.cancelled = true;
    useModel(entry).catch((error) =>
      showNotice(error instanceof Error ? error.message : String(error))
    );
  });

  // ---- panning and zooming -----------------------------------------------------
  /** Moves the drawn image at once (a preview until the network redraws it). */
  const snapshot = document.createElement("canvas");
  function preview(apply: (c: CanvasRenderingContext2D) => void): void {
    snapshot.width = canvas.width;
    snapshot.height = canvas.height;
    snapshot.getContext("2d")!.drawImage(canvas, 0, 0);
    ctx.save();
    ctx.fillStyle = "#000";
    ctx.fillRect(0, 0, canvas.width, canvas.height);
    apply(ctx);
    ctx.drawImage(snapshot, 0, 0);
    ctx.restore();
  }

  function pan(dx: number, dy: number): void {
    view = panBy(view, canvas.width, canvas.height, dx, dy);
    preview((c) => c.translate(dx, dy));
    changed();
  }

  function zoom(factor: number, px = (canvas.width - 1) / 2, py = (canvas.height - 1) / 2): void {
    const next = zoomAt(view, canvas.width, canvas.height, px, py, factor);
    const actual = view.scale / next.scale;
    if (actual === 1) return;
    view = next;
    preview((c) => {
      c.translate(px, py);
      c.scale(actual, actual);
      c.translate(-px, -py);
    });
    changed();
  }

  function resetView(): void {
    if (!model) return;
    view = { scale: model.json.spec.scale, center: [0, 0] };
    changed();
  }

  const toCanvas = (event: { clientX: number; clientY: number }): [number, number] => {
    const rect = canvas.getBoundingClientRect();
    return [
      ((event.clientX - rect.left) * canvas.width) / rect.width,
      ((event.clientY - rect.top) * canvas.height) / rect.height,
    ];
  };

  const pointers = new Map<number, [number, number]>();
  canvas.addEventListener("pointerdown", (event) => {
    canvas.setPointerCapture(event.pointerId);
    pointers.set(event.pointerId, toCanvas(event));
  });
  canvas.addEventListener("pointermove", (event) => {
    const previous = pointers.get(event.pointerId);
    if (!previous) return;
    const now = toCanvas(event);
    if (pointers.size === 1) {
      pointers.set(event.pointerId, now);
      pan(now[0] - previous[0], now[1] - previous[1]);
      return;
    }
    // Pinch: zoom by the change of distance around the midpoint, pan by its movement.
    const [other] = [...pointers.entries()].filter(([id]) => id !== event.pointerId);
    const o = other[1];
    const before = Math.hypot(previous[0] - o[0], previous[1] - o[1]);
    const after = Math.hypot(now[0] - o[0], now[1] - o[1]);
    pointers.set(event.pointerId, now);
    const mid: [number, number] = [(now[0] + o[0]) / 2, (now[1] + o[1]) / 2];
    const midBefore: [number, number] = [(previous[0] + o[0]) / 2, (previous[1] + o[1]) / 2];
    if (before > 0 && after > 0) zoom(after / before, mid[0], mid[1]);
    pan(mid[0] - midBefore[0], mid[1] - midBefore[1]);
  });
  const release = (event: PointerEvent) => pointers.delete(event.pointerId);
  canvas.addEventListener("pointerup", release);
  canvas.addEventListener("pointercancel", release);
  canvas.addEventListener("wheel", (event) => {
    event.preventDefault();
    const lines = event.deltaMode === 1 ? 16 : event.deltaMode === 2 ? 400 : 1;
    const [px, py] = toCanvas(event);
    zoom(Math.exp((-event.deltaY * lines) / 500), px, py);
  }, { passive: false });
  canvas.addEventListener("dblclick", (event) => {
    const [px, py] = toCanvas(event);
    zoom(event.shiftKey ? 0.5 : 2, px, py);
  });
  canvas.addEventListener("keydown", (event) => {
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    const step = Math.round(0.1 * Math.min(canvas.width, canvas.height));
    const moves: Record<string, [number, number]> = {
      ArrowLeft: [step, 0],
      a: [step, 0],
      ArrowRight: [-step, 0],
      d: [-step, 0],
      ArrowUp: [0, step],
      w: [0, step],
      ArrowDown: [0, -step],
      s: [0, -step],
    };
    const move = moves[event.key];
    if (move) pan(move[0], move[1]);
    else if (event.key === "+" || event.key === "=") zoom(1.5);
    else if (event.key === "-" || event.key === "_") zoom(1 / 1.5);
    else if (event.key === "0") resetView();
    else return;
    event.preventDefault();
  });

  wireFullScreenButton(stage);
  stage.addEventListener("click", (event) => {
    const button = (event.target as Element).closest<HTMLButtonElement>("button[data-action]");
    if (!button) return;
    switch (button.dataset.action) {
      case "zoom-in":
        zoom(2);
        break;
      case "zoom-out":
        zoom(0.5);
        break;
      case "reset":
        resetView();
        break;
      case "full-screen":
        toggleFullScreen(stage);
        break;
    }
  });

  // ---- saving ---------------------------------------------------------------------
  saveButton.addEventListener("click", async () => {
    if (saving) {
      saving.cancelled = true;
      return;
    }
    if (!model) return;
    const longest = Number(saveSize.value);
    const size = longest > 0
      ? sizeWithLongestSide(canvas.width, canvas.height, longest)
      : { width: canvas.width, height: canvas.height };
    const job = { cancelled: false };
    saving = job;
    saveButton.textContent = "Cancel saving";
    const out = document.createElement("canvas");
    out.width = size.width;
    out.height = size.height;
    const outCtx = out.getContext("2d", { alpha: false })!;
    const request = { z: z.slice(), width: size.width, height: size.height, view: { ...view } };
    const name = `cppn-${model.entry.id}-${size.width}x${size.height}.png`;
    try {
      const result = await renderBands(model.renderer, request, {
        cancelled: () => job.cancelled,
        targetMs: 30,
        powerOfTwoRows: backend === "webgl",
        pause: framePauser(),
        onBand: (rowStart, rowEnd, bytes) => {
          outCtx.putImageData(greyImage(bytes, size.width, rowEnd - rowStart), 0, rowStart);
          saveStatus.textContent = `Rendering ${size.width} × ${size.height}: ${
            Math.floor((100 * rowEnd) / size.height)
          }%`;
        },
      });
      if (!result.completed) {
        saveStatus.textContent = "Saving was cancelled.";
        return;
      }
      const blob = await new Promise<Blob | null>((resolve) => out.toBlob(resolve, "image/png"));
      if (!blob) throw new Error("the browser could not encode the PNG (too large?)");
      const link = document.createElement("a");
      link.href = URL.createObjectURL(blob);
      link.download = name;
      link.click();
      setTimeout(() => URL.revokeObjectURL(link.href), 10_000);
      saveStatus.textContent = `Saved ${name} (${size.width} × ${size.height}).`;
    } catch (error) {
      saveStatus.textContent = `Cannot save the PNG: ${
        error instanceof Error ? error.message : error
      }`;
    } finally {
      saving = null;
      saveButton.textContent = "Save PNG";
      out.width = out.height = 0;
    }
  });
}
