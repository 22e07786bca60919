/**
 * Chooses and initialises the TensorFlow.js compute backend.
 *
 * `auto` tries the native backends first (they are optional extras a user
 * installs by hand, see docs/performance.md), then WebAssembly, which ships inside
 * `npm:@tensorflow/tfjs-backend-wasm` and works everywhere with no network.
 *
 * @module
 */
import { tf } from "./tf.ts";
import { dirname, fromFileUrl } from "@std/path";

/** A backend a user can ask for with `--backend`. */
export type BackendChoice = "auto" | "gpu" | "node" | "wasm" | "cpu";

/** Every valid `--backend` value, in the order `auto` tries them. */
export const BACKEND_CHOICES: readonly BackendChoice[] = [
  "auto",
  "gpu",
  "node",
  "wasm",
  "cpu",
];

/** What {@linkcode initBackend} settled on, and why the others were skipped. */
export interface BackendInfo {
  /** The backend now in use: `gpu`, `node`, `wasm` or `cpu`. */
  name: Exclude<BackendChoice, "auto">;
  /** The name TensorFlow.js itself uses (`tensorflow`, `wasm`, `cpu`). */
  tfName: string;
  /** One line per backend tried before `name`, saying why it was skipped. */
  skipped: string[];
}

const NATIVE_PACKAGES = {
  gpu: "@tensorflow/tfjs-node-gpu",
  node: "@tensorflow/tfjs-node",
} as const;

/** The folder holding the wasm binaries inside the installed package. */
export function wasmDistDir(): string {
  const entry = import.meta.resolve("@tensorflow/tfjs-backend-wasm");
  return dirname(fromFileUrl(entry)) + "/";
}

async function tryNative(kind: "gpu" | "node"): Promise<string | null> {
  const pkg = NATIVE_PACKAGES[kind];
  let specifier: string;
  try {
    specifier = import.meta.resolve(pkg);
  } catch {
    return `${pkg} is not installed (optional; see docs/performance.md)`;
  }
  try {
    await import(specifier);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    return `${pkg} failed to load: ${message.split("\n")[0]}`;
  }
  return null;
}

/**
 * Makes the wasm backend's `Identity` (what `tf.clone` runs) share the
 * data instead of copying it, as the cpu backend's does and as the wasm
 * backend's own `Reshape` already does: TensorFlow.js clones every tensor
 * it keeps for a gradient, and a training update made about 170 such
 * copies. No wasm kernel writes into its inputs, so shared data is safe.
 */
function shareIdentityData(): void {
  const config = tf.getKernel("Identity", "wasm");
  if (!config || config.kernelFunc.name === "sharedIdentity") return;
  tf.unregisterKernel("Identity", "wasm");
  tf.registerKernel({
    ...config,
    kernelFunc: function sharedIdentity({ inputs, backend }) {
      const x = inputs.x as tf.TensorInfo;
      (backend as unknown as { incRef(dataId: object): void }).incRef(x.dataId);
      return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
    },
  });
}

async function tryWasm(): Promise<string | null> {
  try {
    const wasm = await import("@tensorflow/tfjs-backend-wasm");
    wasm.setWasmPaths(wasmDistDir());
    shareIdentityData();
    if (await tf.setBackend("wasm")) return null;
    return "the wasm backend did not initialise";
  } catch (error) {
    return `the wasm backend failed: ${error instanceof Error ? error.message : error}`;
  }
}

/**
 * Initialises the requested backend. With `auto`, tries gpu, node, wasm and
 * cpu in turn; with a named backend, fails with a clear error if it cannot
 * be used.
 */
export async function initBackend(
  choice: BackendChoice = "auto",
): Promise<BackendInfo> {
  const order: Exclude<BackendChoice, "auto">[] = choice === "auto"
    ? ["gpu", "node", "wasm", "cpu"]
    : [choice];
  const skipped: string[] = [];
  for (const name of order) {
    let why: string | null;
    if (name === "gpu" || name === "node") {
      why = await tryNative(name);
      if (why === null && !(await tf.setBackend("tensorflow"))) {
        why = `${NATIVE_PACKAGES[name]} loaded but its backend did not start`;
      }
    } else if (name === "wasm") {
      why = await tryWasm();
    } else {
      why = (await tf.setBackend("cpu")) ? null : "the cpu backend failed";
    }
    if (why === null) {
      await tf.ready();
      return { name, tfName: tf.getBackend(), skipped };
    }
    skipped.push(`${name}: ${why}`);
  }
  throw new Error(
    `Cannot start the "${choice}" backend: ${skipped.join("; ")}`,
  );
}

/** A one-line description of the backend in use, for logs. */
export function describeBackend(info: BackendInfo): string {
  const skipped = info.skipped.length ? ` (skipped ${info.skipped.join("; ")})` : "";
  return `backend: ${info.name}${skipped}`;
}
