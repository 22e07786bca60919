/**
 * The one place the project imports TensorFlow.js from, so every module
 * shares a single engine (and the backend chosen in `base/backend.ts`).
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";

tf.env().set("PROD", true);

export { tf };
