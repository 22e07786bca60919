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
  type Morph,
  panBy,
  parseHash,
  roundLatent,
  roundView,
  sizeWithLongestSide,
  WALK_SECONDS,
  zoomAt,
} from "../../../lib/explore/state.ts";
import { renderBands, Throughput } from "../../../lib/explore/bands.ts";
import { slerp, walkLatent } from "../../../lib/latent/walk_math.ts";
import { Rng } from "../../../lib/base/rng.ts";
import { toggleFullScreen, wireFullScreenButton } from "./full_screen.ts";
import { Minimap, type MinimapSnapshot } from "./minimap.ts";
import { type BrowserEncoder, unpackEncoder } from "../../../lib/explore/browser_encoder.ts";
import { wirePicture } from "./encode_picture.ts";

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
  /** Whether it was exported with its encoder (pictures the user gives can be encoded). */
  hasEncoder: boolean;
  /** Its encoder, fetched on first use; null if exported without one. */
  encoder: () => Promise<BrowserEncoder | null>;
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
  /** The minimap's overview, the view's rectangle on it and the zoom factor shown. */
  minimap(): MinimapSnapshot;
}

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

/** Grey (or, with `channels` 3, RGB) bytes as opaque RGBA pixels. */
function greyImage(bytes: Uint8Array, width: number, rows: number, channels = 1): ImageData {
  const image = new ImageData(width, rows);
  const rgba = image.data;
  const rgb = channels === 3;
  for (let i = 0, j = 0; i < bytes.length; i += channels, j += 4) {
    rgba[j] = bytes[i];
    rgba[j + 1] = bytes[rgb ? i + 1 : i];
    rgba[j + 2] = bytes[rgb ? i + 2 : i];
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
    hasEncoder: json.encoder !== undefined,
    encoder: lazyEncoder(json, jsonUrl),
  };
}

/** The model's encoder, fetched once when first asked for (null: exported without one). */
function lazyEncoder(json: BrowserModelJson, jsonUrl: URL): () => Promise<BrowserEncoder | null> {
  let loaded: Promise<BrowserEncoder | null> | null = null;
  return () => {
    loaded ??= (async () => {
      if (!json.encoder) return null;
      const url = new URL(json.encoder.weights, jsonUrl);
      const response = await fetch(url);
      if (!response.ok) {
        loaded = null;
        throw new Error(`Cannot load ${url.pathname}: it answered ${response.status}`);
      }
      return unpackEncoder(json.encoder, await response.arrayBuffer());
    })();
    return loaded;
  };
}

/** The page's elements. */
interface Ui {
  canvas: HTMLCanvasElement;
  ctx: CanvasRenderingContext2D;
  stage: HTMLDivElement;
  status: HTMLParagraphElement;
  notice: HTMLParagraphElement;
  readout: HTMLSpanElement;
  modelSelect: HTMLSelectElement;
  modelInfo: HTMLParagraphElement;
  digitButtons: HTMLButtonElement[];
  blendFrom: HTMLSelectElement;
  blendTo: HTMLSelectElement;
  blendT: HTMLInputElement;
  playButton: HTMLButtonElement;
  speed: HTMLInputElement;
  speedValue: HTMLOutputElement;
  randomise: HTMLButtonElement;
  dims: HTMLDivElement;
  saveSize: HTMLSelectElement;
  saveButton: HTMLButtonElement;
  saveStatus: HTMLParagraphElement;
  minimap: Minimap;
}

function findUi(root: HTMLElement): Ui {
  const canvas = element<HTMLCanvasElement>("explore-canvas");
  return {
    canvas,
    ctx: canvas.getContext("2d", { alpha: false })!,
    stage: element("explore-stage"),
    status: element("explore-status"),
    notice: element("explore-notice"),
    readout: element("explore-readout"),
    modelSelect: element("explore-model"),
    modelInfo: element("model-info"),
    digitButtons: [...root.querySelectorAll<HTMLButtonElement>("button[data-digit]")],
    blendFrom: element("blend-from"),
    blendTo: element("blend-to"),
    blendT: element("blend-t"),
    playButton: element("walk-play"),
    speed: element("walk-speed"),
    speedValue: element("walk-speed-value"),
    randomise: element("randomise"),
    dims: element("latent-dims"),
    saveSize: element("save-size"),
    saveButton: element("save-png"),
    saveStatus: element("save-status"),
    minimap: new Minimap(
      element("explore-minimap"),
      element("minimap-canvas"),
      element("minimap-rect"),
      element("minimap-zoom"),
    ),
  };
}

function main(root: HTMLElement): void {
  const models = JSON.parse(root.dataset.models ?? "[]") as ModelEntry[];
  const explorer = new Explorer(findUi(root), models);
  const ready = explorer.start();
  ready.catch((error) => {
    explorer.ui.status.textContent = error instanceof Error ? error.message : String(error);
    explorer.showNotice(explorer.ui.status.textContent);
  });
  (window as unknown as { cppnExplorer: ExplorerHandle }).cppnExplorer = explorer.handle(ready);
  wireAddress(explorer);
  wireCanvasSize(explorer);
  wireWalk(explorer);
  wireLatentControls(explorer);
  wirePointer(explorer);
  wireKeys(explorer);
  wireStageButtons(explorer);
  wireMinimap(explorer);
  explorer.ui.saveButton.addEventListener("click", () => explorer.save());
  wirePicture(element("encode-pick"), element("encode-file"), explorer.ui.stage, {
    encoder: () => explorer.model?.encoder() ?? Promise.resolve(null),
    setLatent: (z) => explorer.setLatent(z, null),
    say: (text) => explorer.showNotice(text),
  });
}

/**
 * The explorer's state and what changes it: the model, the latent `z`, the
 * view, the URL, the render loop, the walk and saving.
 */
class Explorer {
  model: LoadedModel | null = null;
  z: Float32Array = new Float32Array(0);
  digit: number | null = null;
  /** The morph the latent comes from, if the morph slider set it. */
  morph: Morph | null = null;
  view: View = { scale: 8, center: [0, 0] };
  /** Bumped by every change: a render of an older generation is stale. */
  generation = 0;
  running = false;
  renders = 0;
  playing = false;
  walkStart = 0;
  walkOffset = 0;
  saving: { cancelled: boolean } | null = null;
  backend = "";
  throughput = new Throughput(50);
  lastHash = "";
  hashTimer: ReturnType<typeof setTimeout> | undefined;
  /** Renderers of replaced models, disposed when no render uses them. */
  readonly retired: Renderer[] = [];
  readonly idleWaiters: (() => void)[] = [];
  readonly small = document.createElement("canvas");
  readonly smallCtx = this.small.getContext("2d", { alpha: false })!;
  readonly snapshot = document.createElement("canvas");

  constructor(readonly ui: Ui, readonly models: ModelEntry[]) {}

  showNotice(text: string): void {
    this.ui.notice.textContent = text;
    this.ui.notice.hidden = text === "";
  }

  /** Starts a backend, loads the address's model (else the first) and shows its view. */
  async start(): Promise<void> {
    const forced = new URLSearchParams(location.search).get("backend");
    const started = await startBackend(forced);
    this.backend = started.name;
    this.throughput = new Throughput(this.backend === "webgl" ? 2000 : 30);
    this.showNotice(started.notice);
    const parsed = parseHash(location.hash);
    const entry = this.models.find((m) => m.id === parsed.model) ?? this.models[0];
    if (parsed.model !== null && entry.id !== parsed.model) {
      this.showNotice(`There is no model "${parsed.model}" here; showing ${entry.title}.`);
    }
    await this.useModel(entry);
    this.applyHash(location.hash, true);
    this.changed();
  }

  /** What the page exposes as `window.cppnExplorer`. */
  handle(ready: Promise<void>): ExplorerHandle {
    return {
      ready,
      state: () => ({
        backend: this.backend,
        model: this.model?.entry.id ?? null,
        z: Array.from(this.z),
        view: { scale: this.view.scale, center: [this.view.center[0], this.view.center[1]] },
        width: this.ui.canvas.width,
        height: this.ui.canvas.height,
        rendering: this.running,
        renders: this.renders,
        hash: this.currentHash(),
      }),
      numTensors: () => tf.memory().numTensors,
      minimap: () => this.ui.minimap.snapshot(),
      idle: () =>
        !this.running && !this.playing
          ? Promise.resolve()
          : new Promise<void>((resolve) => this.idleWaiters.push(resolve)),
    };
  }

  // ---- the model and the latent --------------------------------------------
  async useModel(entry: ModelEntry): Promise<void> {
    const { ui } = this;
    ui.status.textContent = `Loading ${entry.title}…`;
    const loaded = await loadModel(entry);
    if (this.model) this.retired.push(this.model.renderer);
    this.model = loaded;
    ui.modelSelect.value = entry.id;
    ui.modelInfo.textContent = entry.info;
    const hasKeys = loaded.keys.length > 0;
    for (const button of ui.digitButtons) {
      button.disabled = !loaded.digits.includes(Number(button.dataset.digit));
    }
    for (const select of [ui.blendFrom, ui.blendTo]) {
      for (const option of select.options) {
        option.disabled = !loaded.digits.includes(Number(option.value));
      }
    }
    ui.blendT.disabled = !hasKeys;
    ui.playButton.disabled = loaded.keys.length < 2;
    if (!hasKeys) {
      this.showNotice(
        loaded.hasEncoder
          ? "This model draws pictures, not digits: try Random z, the sliders or your own picture."
          : "This model was exported without digit keyframes (no encoder).",
      );
    }
    this.buildDimSliders(loaded.json.spec.zDim);
    this.view = { scale: loaded.json.spec.scale, center: [0, 0] };
    this.setLatent(
      hasKeys ? loaded.keys[0] : new Float32Array(loaded.json.spec.zDim),
      loaded.digits[0] ?? null,
    );
  }

  keyOf(d: number): Float32Array | null {
    const i = this.model?.digits.indexOf(d) ?? -1;
    return i >= 0 ? this.model!.keys[i] : null;
  }

  /**
   * Shows the morph `m` (spherical interpolation between two digits'
   * keyframes) and sets the morph controls to it; false if this model has
   * no keyframe for one of its digits.
   */
  setMorph(m: Morph): boolean {
    const a = this.keyOf(m.from), b = this.keyOf(m.to);
    if (!a || !b) return false;
    const { blendFrom, blendTo, blendT } = this.ui;
    blendFrom.value = String(m.from);
    blendTo.value = String(m.to);
    blendT.value = String(m.t);
    if (m.t === 0) this.setLatent(a, m.from, undefined, m);
    else if (m.t === 1) this.setLatent(b, m.to, undefined, m);
    else this.setLatent(slerp(a, b, m.t), null, undefined, m);
    return true;
  }

  /** Shows digit `d`'s keyframe, the morph starting from it. */
  setDigit(d: number): boolean {
    const key = this.keyOf(d);
    if (!key) return false;
    this.ui.blendFrom.value = String(d);
    this.ui.blendT.value = "0";
    this.setLatent(key, d);
    return true;
  }

  /**
   * Shows latent `next` (a digit's keyframe when `nextDigit` is given);
   * anything else is rounded as the URL writes it, so a link reopens it exactly.
   */
  setLatent(
    next: Float32Array,
    nextDigit: number | null,
    from?: HTMLInputElement,
    morph: Morph | null = null,
  ): void {
    const isKey = nextDigit !== null && this.keyOf(nextDigit) === next;
    this.z = isKey ? next.slice() : roundLatent(next);
    this.digit = isKey ? nextDigit : null;
    this.morph = morph;
    for (const button of this.ui.digitButtons) {
      button.setAttribute("aria-pressed", String(Number(button.dataset.digit) === this.digit));
    }
    this.syncDimSliders(from);
    this.changed();
  }

  buildDimSliders(zDim: number): void {
    this.ui.dims.replaceChildren();
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
      this.ui.dims.append(row);
    }
  }

  syncDimSliders(except?: HTMLInputElement): void {
    for (const input of this.ui.dims.querySelectorAll<HTMLInputElement>("input[data-index]")) {
      const v = this.z[Number(input.dataset.index)] ?? 0;
      if (input !== except) input.value = String(v);
      (input.nextElementSibling as HTMLOutputElement).textContent = v.toFixed(2);
    }
  }

  // ---- the URL ---------------------------------------------------------------
  currentHash(): string {
    const key = this.digit === null ? null : this.keyOf(this.digit);
    const isKey = key !== null && key.every((v, i) => v === this.z[i]);
    return formatHash({
      model: this.model?.entry.id ?? null,
      digit: isKey ? this.digit : null,
      z: isKey || this.morph ? null : this.z,
      morph: this.morph,
      scale: this.view.scale,
      center: this.view.center,
      walkSeconds: Number(this.ui.speed.value),
    });
  }

  writeHash(): void {
    clearTimeout(this.hashTimer);
    this.hashTimer = undefined;
    const hash = this.currentHash();
    if (hash === this.lastHash) return;
    this.lastHash = hash;
    history.replaceState(null, "", `#${hash}`);
  }

  applyHash(hash: string, initial: boolean): void {
    const { model } = this;
    if (!model) return;
    const parsed = parseHash(hash);
    const problems = [...parsed.problems];
    const zDim = model.json.spec.zDim;
    if (parsed.z !== null && parsed.z.length !== zDim) {
      problems.push(`z has ${parsed.z.length} values; this model needs ${zDim}`);
      parsed.z = null;
    }
    if (parsed.digit !== null && this.keyOf(parsed.digit) === null) {
      problems.push(`this model has no keyframe for digit ${parsed.digit}`);
      parsed.digit = null;
    }
    this.view = {
      scale: parsed.scale ?? model.json.spec.scale,
      center: parsed.center ?? [0, 0],
    };
    this.setWalkSeconds(parsed.walkSeconds ?? WALK_SECONDS);
    const morph = parsed.z === null ? parsed.morph : null;
    if (parsed.z !== null) this.setLatent(parsed.z, null);
    else if (!(morph && this.setMorph(morph))) {
      if (parsed.digit !== null) this.setDigit(parsed.digit);
      else if (!initial) this.changed();
    }
    if (morph && this.morph !== morph) {
      problems.push(`this model has no keyframes for the morph ${morph.from} → ${morph.to}`);
    }
    if (problems.length) {
      this.showNotice(`Parts of the address were ignored: ${problems.join("; ")}.`);
    }
    this.lastHash = "";
    this.writeHash();
  }

  /** Sets the walk's speed control (seconds per digit). */
  setWalkSeconds(seconds: number): void {
    this.ui.speed.value = String(seconds);
    this.ui.speedValue.textContent = this.ui.speed.value;
  }

  /** Writes the address soon (not while the walk plays: it changes every frame). */
  scheduleHash(): void {
    // Not before a model is shown: the address holds the view the page was opened with.
    if (this.model && !this.playing && this.hashTimer === undefined) {
      this.hashTimer = setTimeout(() => this.writeHash(), 250);
    }
  }

  // ---- rendering -------------------------------------------------------------
  changed(): void {
    this.view = roundView(this.view);
    this.generation++;
    this.ui.readout.textContent = `scale ${Number(this.view.scale.toPrecision(4))} · centre ${
      this.view.center.map((v) => Number(v.toPrecision(6))).join(", ")
    }`;
    this.placeMinimap();
    this.scheduleHash();
    if (!this.running) void this.renderLoop();
  }

  placeMinimap(): void {
    if (!this.model) return;
    const { canvas, minimap } = this.ui;
    minimap.place(this.model.json.spec.scale, this.view, canvas.width, canvas.height, this.z);
  }

  fitCanvas(): boolean {
    const { canvas } = this.ui;
    const dpr = devicePixelRatio || 1;
    const rect = canvas.getBoundingClientRect();
    const width = Math.max(1, Math.round(rect.width * dpr));
    const height = Math.max(1, Math.round(rect.height * dpr));
    if (canvas.width === width && canvas.height === height) return false;
    canvas.width = width;
    canvas.height = height;
    return true;
  }

  /** One pass at `1/factor` of the canvas resolution; false if it was overtaken. */
  async pass(renderer: Renderer, factor: number, stale: () => boolean): Promise<boolean> {
    const { canvas, ctx } = this.ui;
    const width = Math.ceil(canvas.width / factor);
    const height = Math.ceil(canvas.height / factor);
    const request = { z: this.z, width, height, view: this.view };
    const target = factor === 1 ? ctx : this.smallCtx;
    if (factor > 1) {
      this.small.width = width;
      this.small.height = height;
    }
    const result = await renderBands(renderer, request, {
      cancelled: stale,
      // WebGL bands wait for the GPU without blocking the page; CPU bands block it.
      targetMs: this.backend === "webgl" ? 30 : 16,
      powerOfTwoRows: this.backend === "webgl",
      pause: framePauser(),
      onBand: (rowStart, rowEnd, bytes) => {
        target.putImageData(
          greyImage(bytes, width, rowEnd - rowStart, renderer.channels),
          0,
          rowStart,
        );
      },
    });
    this.throughput.add(result.rows * width, result.ms);
    if (!result.completed) return false;
    if (factor > 1) {
      ctx.imageSmoothingEnabled = true;
      ctx.drawImage(this.small, 0, 0, width, height, 0, 0, canvas.width, canvas.height);
    }
    return true;
  }

  /**
   * Renders until the view is up to date (a quick low-resolution pass, then
   * full resolution), or frame after frame while the walk plays.
   */
  async renderLoop(): Promise<void> {
    const { canvas, status } = this.ui;
    this.running = true;
    canvas.dataset.state = "rendering";
    try {
      for (;;) {
        for (const old of this.retired.splice(0)) old.dispose();
        if (!this.model) break;
        const renderer = this.model.renderer;
        if (this.playing) this.advanceWalk();
        const gen = this.generation;
        const stale = () => this.generation !== gen || this.model?.renderer !== renderer;
        const started = performance.now();
        let done: boolean;
        if (this.playing) {
          const factor = this.throughput.factorFor(canvas.width, canvas.height, 40);
          done = await this.pass(renderer, factor, stale);
        } else {
          const quick = this.throughput.factorFor(canvas.width, canvas.height, 25);
          done = quick === 1 || await this.pass(renderer, Math.max(2, quick), stale);
          done = done && await this.pass(renderer, 1, stale);
        }
        if (done && this.ui.minimap.stale()) {
          await this.ui.minimap.render(
            renderer,
            this.z,
            this.backend,
            stale,
            framePauser(),
            (bytes, width, rows) => greyImage(bytes, width, rows, renderer.channels),
          );
        }
        if (done && !this.playing) {
          this.renders++;
          status.textContent = `${canvas.width} × ${canvas.height} px rendered in ${
            Math.round(performance.now() - started)
          } ms on ${this.backend === "webgl" ? "WebGL" : "the CPU"}.`;
        }
        if (this.playing) {
          await nextFrame();
          continue;
        }
        if (this.generation === gen && this.model?.renderer === renderer) break;
      }
    } catch (error) {
      status.textContent = `Rendering failed: ${error instanceof Error ? error.message : error}`;
      this.showNotice(status.textContent);
      this.playing = false;
      this.ui.playButton.setAttribute("aria-pressed", "false");
      this.ui.playButton.textContent = "Play walk";
    } finally {
      this.running = false;
      canvas.dataset.state = "idle";
      canvas.dataset.renders = String(this.renders);
      for (const old of this.retired.splice(0)) old.dispose();
      for (const resolve of this.idleWaiters.splice(0)) resolve();
    }
  }

  // ---- the walk ---------------------------------------------------------------
  walkPosition(): number {
    const seconds = Number(this.ui.speed.value);
    return this.walkOffset + (performance.now() - this.walkStart) / 1000 / seconds;
  }

  advanceWalk(): void {
    const { model } = this;
    if (!model || model.keys.length < 2) return;
    const per = 1000;
    const frames = model.keys.length * per;
    const frame = Math.floor(this.walkPosition() * per) % frames;
    this.z = walkLatent(model.keys, frame, frames, { loop: true, interp: "slerp", ease: "cosine" });
    this.digit = null;
    this.morph = null;
    this.placeMinimap();
    for (const button of this.ui.digitButtons) button.setAttribute("aria-pressed", "false");
    this.syncDimSliders();
  }

  startWalk(): void {
    const { model } = this;
    if (!model || model.keys.length < 2 || this.playing) return;
    this.walkOffset = this.digit === null ? 0 : Math.max(0, model.digits.indexOf(this.digit));
    this.walkStart = performance.now();
    this.playing = true;
    this.ui.playButton.setAttribute("aria-pressed", "true");
    this.ui.playButton.textContent = "Pause walk";
    this.changed();
  }

  stopWalk(): void {
    if (!this.playing) return;
    this.playing = false;
    this.ui.playButton.setAttribute("aria-pressed", "false");
    this.ui.playButton.textContent = "Play walk";
    this.z = roundLatent(this.z);
    this.changed();
  }

  // ---- panning and zooming -----------------------------------------------------
  /** Moves the drawn image at once (a preview until the network redraws it). */
  preview(apply: (c: CanvasRenderingContext2D) => void): void {
    const { canvas, ctx } = this.ui;
    this.snapshot.width = canvas.width;
    this.snapshot.height = canvas.height;
    this.snapshot.getContext("2d")!.drawImage(canvas, 0, 0);
    ctx.save();
    ctx.fillStyle = "#000";
    ctx.fillRect(0, 0, canvas.width, canvas.height);
    apply(ctx);
    ctx.drawImage(this.snapshot, 0, 0);
    ctx.restore();
  }

  pan(dx: number, dy: number): void {
    this.view = panBy(this.view, this.ui.canvas.width, this.ui.canvas.height, dx, dy);
    this.preview((c) => c.translate(dx, dy));
    this.changed();
  }

  zoom(factor: number, px?: number, py?: number): void {
    const { width, height } = this.ui.canvas;
    px ??= (width - 1) / 2;
    py ??= (height - 1) / 2;
    const next = zoomAt(this.view, width, height, px, py, factor);
    const actual = this.view.scale / next.scale;
    if (actual === 1) return;
    this.view = next;
    this.preview((c) => {
      c.translate(px, py);
      c.scale(actual, actual);
      c.translate(-px, -py);
    });
    this.changed();
  }

  resetView(): void {
    if (!this.model) return;
    this.view = { scale: this.model.json.spec.scale, center: [0, 0] };
    this.changed();
  }

  // ---- saving ---------------------------------------------------------------------
  /** Renders the view at the chosen size in bands and downloads it (a second click cancels). */
  async save(): Promise<void> {
    const { ui, model } = this;
    if (this.saving) {
      this.saving.cancelled = true;
      return;
    }
    if (!model) return;
    const longest = Number(ui.saveSize.value);
    const size = longest > 0
      ? sizeWithLongestSide(ui.canvas.width, ui.canvas.height, longest)
      : { width: ui.canvas.width, height: ui.canvas.height };
    const job = { cancelled: false };
    this.saving = job;
    ui.saveButton.textContent = "Cancel saving";
    const out = document.createElement("canvas");
    out.width = size.width;
    out.height = size.height;
    const outCtx = out.getContext("2d", { alpha: false })!;
    const request = {
      z: this.z.slice(),
      width: size.width,
      height: size.height,
      view: { ...this.view },
    };
    const name = `cppn-${model.entry.id}-${size.width}x${size.height}.png`;
    try {
      const result = await renderBands(model.renderer, request, {
        cancelled: () => job.cancelled,
        targetMs: 30,
        powerOfTwoRows: this.backend === "webgl",
        pause: framePauser(),
        onBand: (rowStart, rowEnd, bytes) => {
          outCtx.putImageData(
            greyImage(bytes, size.width, rowEnd - rowStart, model.renderer.channels),
            0,
            rowStart,
          );
          ui.saveStatus.textContent = `Rendering ${size.width} × ${size.height}: ${
            Math.floor((100 * rowEnd) / size.height)
          }%`;
        },
      });
      if (!result.completed) {
        ui.saveStatus.textContent = "Saving was cancelled.";
        return;
      }
      await downloadCanvas(out, name);
      ui.saveStatus.textContent = `Saved ${name} (${size.width} × ${size.height}).`;
    } catch (error) {
      ui.saveStatus.textContent = `Cannot save the PNG: ${
        error instanceof Error ? error.message : error
      }`;
    } finally {
      this.saving = null;
      ui.saveButton.textContent = "Save PNG";
      out.width = out.height = 0;
    }
  }
}

/** Offers a canvas's pixels as a PNG download named `name`. */
async function downloadCanvas(canvas: HTMLCanvasElement, name: string): Promise<void> {
  const blob = await new Promise<Blob | null>((resolve) => canvas.toBlob(resolve, "image/png"));
  if (!blob) throw new Error("the browser could not encode the PNG (too large?)");
  const link = document.createElement("a");
  link.href = URL.createObjectURL(blob);
  link.download = name;
  link.click();
  setTimeout(() => URL.revokeObjectURL(link.href), 10_000);
}

/** A link edited or followed in place (the fragment changes): show what it says. */
function wireAddress(ex: Explorer): void {
  addEventListener("hashchange", () => {
    if (location.hash.replace(/^#/, "") === ex.lastHash) return;
    ex.stopWalk();
    const parsed = parseHash(location.hash);
    const entry = parsed.model === null ? null : ex.models.find((m) => m.id === parsed.model);
    if (entry && entry.id !== ex.model?.entry.id) {
      ex.useModel(entry).then(() => ex.applyHash(location.hash, false)).catch((error) =>
        ex.showNotice(error instanceof Error ? error.message : String(error))
      );
    } else ex.applyHash(location.hash, false);
  });
}

/** Keeps the canvas at its displayed size in device pixels, and renders again when it changes. */
function wireCanvasSize(ex: Explorer): void {
  new ResizeObserver(() => {
    if (ex.fitCanvas()) ex.changed();
  }).observe(ex.ui.canvas);
  // Moving to a screen of another pixel density changes no CSS size: watch it too.
  const watchDensity = () =>
    matchMedia(`(resolution: ${devicePixelRatio}dppx)`).addEventListener("change", () => {
      if (ex.fitCanvas()) ex.changed();
      watchDensity();
    }, { once: true });
  watchDensity();
  ex.fitCanvas();
}

function wireWalk(ex: Explorer): void {
  const { speed, speedValue, playButton } = ex.ui;
  speed.addEventListener("input", () => {
    if (ex.playing) {
      ex.walkOffset = ex.walkPosition();
      ex.walkStart = performance.now();
    }
    speedValue.textContent = speed.value;
    ex.scheduleHash();
  });
  playButton.addEventListener("click", () => (ex.playing ? ex.stopWalk() : ex.startWalk()));
}

/** The digit buttons, the morph, Random z, the sliders and the model choice. */
function wireLatentControls(ex: Explorer): void {
  const { blendFrom, blendTo, blendT, modelSelect } = ex.ui;
  for (const button of ex.ui.digitButtons) {
    button.addEventListener("click", () => {
      const d = Number(button.dataset.digit);
      if (!ex.keyOf(d)) return;
      ex.stopWalk();
      ex.setDigit(d);
    });
  }
  const blend = () => {
    const morph = {
      from: Number(blendFrom.value),
      to: Number(blendTo.value),
      t: Number(blendT.value),
    };
    if (!ex.keyOf(morph.from) || !ex.keyOf(morph.to)) return;
    ex.stopWalk();
    ex.setMorph(morph);
  };
  blendT.addEventListener("input", blend);
  blendFrom.addEventListener("change", blend);
  blendTo.addEventListener("change", blend);
  ex.ui.randomise.addEventListener("click", () => {
    if (!ex.model) return;
    ex.stopWalk();
    const seed = crypto.getRandomValues(new Uint32Array(1))[0];
    ex.setLatent(roundLatent(new Rng(seed, "explorer").normal(ex.model.json.spec.zDim)), null);
  });
  ex.ui.dims.addEventListener("input", (event) => {
    const input = event.target as HTMLInputElement;
    if (!input.dataset.index) return;
    ex.stopWalk();
    const next = ex.z.slice();
    next[Number(input.dataset.index)] = Number(input.value);
    ex.setLatent(next, null, input);
  });
  modelSelect.addEventListener("change", () => {
    const entry = ex.models.find((m) => m.id === modelSelect.value);
    if (!entry || entry.id === ex.model?.entry.id) return;
    ex.stopWalk();
    if (ex.saving) ex.saving.cancelled = true;
    ex.useModel(entry).catch((error) =>
      ex.showNotice(error instanceof Error ? error.message : String(error))
    );
  });
}

/** Dragging pans, two pointers pinch-zoom, the wheel and a double-click zoom. */
function wirePointer(ex: Explorer): void {
  const { canvas } = ex.ui;
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
      ex.pan(now[0] - previous[0], now[1] - previous[1]);
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
    if (before > 0 && after > 0) ex.zoom(after / before, mid[0], mid[1]);
    ex.pan(mid[0] - midBefore[0], mid[1] - midBefore[1]);
  });
  const release = (event: PointerEvent) => pointers.delete(event.pointerId);
  canvas.addEventListener("pointerup", release);
  canvas.addEventListener("pointercancel", release);
  canvas.addEventListener("wheel", (event) => {
    event.preventDefault();
    const lines = event.deltaMode === 1 ? 16 : event.deltaMode === 2 ? 400 : 1;
    const [px, py] = toCanvas(event);
    ex.zoom(Math.exp((-event.deltaY * lines) / 500), px, py);
  }, { passive: false });
  canvas.addEventListener("dblclick", (event) => {
    const [px, py] = toCanvas(event);
    ex.zoom(event.shiftKey ? 0.5 : 2, px, py);
  });
}

/** Arrows or W A S D pan, + and - zoom, 0 resets the view. */
function wireKeys(ex: Explorer): void {
  const { canvas } = ex.ui;
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
    if (move) ex.pan(move[0], move[1]);
    else if (event.key === "+" || event.key === "=") ex.zoom(1.5);
    else if (event.key === "-" || event.key === "_") ex.zoom(1 / 1.5);
    else if (event.key === "0") ex.resetView();
    else return;
    event.preventDefault();
  });
}

/** The zoom, reset and full-screen buttons over the canvas. */
function wireStageButtons(ex: Explorer): void {
  const { stage } = ex.ui;
  wireFullScreenButton(stage);
  stage.addEventListener("click", (event) => {
    const button = (event.target as Element).closest<HTMLButtonElement>("button[data-action]");
    if (!button) return;
    switch (button.dataset.action) {
      case "zoom-in":
        ex.zoom(2);
        break;
      case "zoom-out":
        ex.zoom(0.5);
        break;
      case "reset":
        ex.resetView();
        break;
      case "full-screen":
        toggleFullScreen(stage);
        break;
    }
  });
}

/** Clicking or dragging on the minimap moves the view's centre to the point under the pointer. */
function wireMinimap(ex: Explorer): void {
  const { minimap } = ex.ui;
  const moveTo = (event: PointerEvent) => {
    ex.view = { scale: ex.view.scale, center: minimap.pointAt(event) };
    ex.changed();
  };
  minimap.root.addEventListener("pointerdown", (event) => {
    minimap.root.setPointerCapture(event.pointerId);
    moveTo(event);
  });
  minimap.root.addEventListener("pointermove", (event) => {
    if (minimap.root.hasPointerCapture(event.pointerId)) moveTo(event);
  });
}

// Last, once every class above is defined.
const root = document.getElementById("explorer");
if (root) main(root);
