/**
 * What the gallery's pages use of TensorFlow.js: the core and the WebGL
 * and CPU backends, without the layers, converter and data packages that
 * `@tensorflow/tfjs` bundles (the explorer renders; it never trains).
 * `astro.config.mjs` maps `@tensorflow/tfjs` here for the browser build,
 * so `lib/base/tf.ts` serves Deno and the browser alike.
 *
 * @module
 */
export * from "@tensorflow/tfjs-core";
import "@tensorflow/tfjs-backend-webgl";
import "@tensorflow/tfjs-backend-cpu";
