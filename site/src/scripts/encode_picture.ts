/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
/**
 * The live explorer's "your picture": a picture chosen with the file input
 * or dropped on the image is centre-cropped to the model's training size
 * on a canvas, encoded in the page by the model's own encoder
 * (lib/explore/browser_encoder.ts) and shown as the explorer's latent.
 * Nothing is uploaded anywhere.
 *
 * @module
 */
import {
  type BrowserEncoder,
  encodePicture,
  rgbaToInput,
} from "../../../lib/explore/browser_encoder.ts";

/** What the picture needs of the explorer. */
export interface PictureTarget {
  /** The loaded model's encoder (fetched on first use), or null (exported without one). */
  encoder(): Promise<BrowserEncoder | null>;
  /** Shows a latent vector. */
  setLatent(z: Float32Array): void;
  /** Says something to the user (empty: nothing). */
  say(text: string): void;
}

/**
 * The picture's centre square scaled to `size` x `size` as the encoder's
 * input (transparency on black, grey for a one-channel model).
 */
export async function pictureInput(file: Blob, enc: BrowserEncoder): Promise<Float32Array> {
  const bitmap = await createImageBitmap(file);
  const side = Math.min(bitmap.width, bitmap.height);
  const canvas = document.createElement("canvas");
  canvas.width = canvas.height = enc.size;
  const ctx = canvas.getContext("2d")!;
  ctx.imageSmoothingQuality = "high";
  ctx.drawImage(
    bitmap,
    (bitmap.width - side) / 2,
    (bitmap.height - side) / 2,
    side,
    side,
    0,
    0,
    enc.size,
    enc.size,
  );
  bitmap.close();
  return rgbaToInput(ctx.getImageData(0, 0, enc.size, enc.size).data, enc.channels);
}

/** Encodes one picture file into the explorer's latent. */
async function usePicture(file: File, target: PictureTarget): Promise<void> {
  try {
    const enc = await target.encoder();
    if (!enc) {
      target.say("This model was exported without its encoder: it cannot encode a picture.");
      return;
    }
    target.setLatent(encodePicture(enc, await pictureInput(file, enc)));
    target.say(`Showing your picture "${file.name}" as the model draws it.`);
  } catch (error) {
    target.say(
      `Cannot read "${file.name}" as a picture (${
        error instanceof Error ? error.message : error
      }).`,
    );
  }
}

/** Wires the button that opens the file input, the input, and dropping a picture on `dropZone`. */
export function wirePicture(
  pick: HTMLButtonElement,
  input: HTMLInputElement,
  dropZone: HTMLElement,
  target: PictureTarget,
) {
  pick.addEventListener("click", () => input.click());
  input.addEventListener("change", () => {
    const file = input.files?.[0];
    if (file) usePicture(file, target);
    input.value = "";
  });
  dropZone.addEventListener("dragover", (event) => {
    if (event.dataTransfer?.types.includes("Files")) event.preventDefault();
  });
  dropZone.addEventListener("drop", (event) => {
    const file = event.dataTransfer?.files[0];
    if (!file) return;
    event.preventDefault();
    usePicture(file, target);
  });
}
