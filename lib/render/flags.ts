/**
 * The flags every rendering command shares: where the model comes from and
 * where output goes (`SOURCE_FLAGS`), and how an image looks (`VIEW_FLAGS`).
 *
 * @module
 */
import { BACKEND_CHOICES, type BackendChoice } from "../base/backend.ts";
import {
  BACKEND_FLAG,
  MODEL_FLAG,
  OUT_FLAG,
  RUN_FLAG,
  WORKERS_FLAG,
} from "../base/common_flags.ts";
import type { FlagSpec } from "../base/flags.ts";
import { MAX_SCALE } from "../model/coords.ts";
import { ONNX_DEVICES, type OnnxDevice } from "./onnx_engine.ts";

/** Where to find the model and where to write. */
export interface SourceOptions {
  /** A run under `<out>/runs/`. */
  run?: string;
  /** A checkpoint folder. */
  model?: string;
  /** The output root. */
  out: string;
  /** Render workers (default: cores). */
  workers: number;
  /** `onnx` (ONNX Runtime), or the TensorFlow.js backend of the render workers. */
  backend: RenderBackend;
  /** Where ONNX Runtime computes (default `cpu`). */
  device?: OnnxDevice;
  /** Redo and overwrite existing output. */
  force: boolean;
}

/** A render engine: ONNX Runtime, or a TensorFlow.js backend for the render workers. */
export type RenderBackend = BackendChoice | "onnx";

/** The rendering commands' default engine: ONNX Runtime where it loads, else wasm. */
export const DEFAULT_RENDER_BACKEND: RenderBackend = "auto";

/** Every valid `--backend` value of the rendering commands. */
export const RENDER_BACKENDS: readonly RenderBackend[] = [...BACKEND_CHOICES, "onnx"];

/** Largest side accepted for any render. */
export const MAX_SIDE = 65535;

/** Flags shared by every rendering command. */
export const SOURCE_FLAGS: readonly FlagSpec[] = [
  {
    ...RUN_FLAG,
    help: "Use this training run (output/runs/NAME)",
    defaultText: "the latest run, else the shipped model",
  },
  MODEL_FLAG,
  OUT_FLAG,
  { ...WORKERS_FLAG, help: "Render workers, or ONNX Runtime's threads" },
  {
    ...BACKEND_FLAG,
    type: { kind: "enum", values: RENDER_BACKENDS },
    help: "Render engine. auto: ONNX Runtime where it loads, else the first of gpu, node, " +
      "wasm (says which and why); onnx: ONNX Runtime, one thread per worker (wasm if it cannot load); " +
      "gpu, node, wasm, cpu: render workers on that TensorFlow.js backend",
    defaultText: DEFAULT_RENDER_BACKEND,
  },
  {
    name: "device",
    key: "device",
    type: { kind: "enum", values: ONNX_DEVICES },
    help: "Where ONNX Runtime computes (cpu, cuda, coreml, dml; --backend auto or onnx)",
    arg: "NAME",
    defaultText: "cpu",
  },
  {
    name: "force",
    key: "force",
    type: { kind: "boolean" },
    help: "Redo and overwrite existing output",
  },
];

/** Flags that set how an image looks. */
export const VIEW_FLAGS: readonly FlagSpec[] = [
  {
    name: "scale",
    key: "scale",
    type: { kind: "number", min: 0, exclusiveMin: true, max: MAX_SCALE },
    help: "Coordinate scale: half the view's shorter side (smaller zooms in)",
    arg: "X",
    defaultText: "the training scale",
  },
  {
    name: "center",
    key: "center",
    type: { kind: "point" },
    help: "Plane point at the image centre",
    arg: "X,Y",
  },
  {
    name: "invert",
    key: "invert",
    type: { kind: "boolean" },
    help: "Dark digits on white (as the original saved them)",
  },
];
