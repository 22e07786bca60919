/**
 * Measures of a set of generated digits from a classifier's predictions:
 *
 * - **coverage**: the entropy of the histogram of predicted classes divided
 *   by `ln(classes)`: 1 when every class is drawn equally often, 0 when
 *   every sample is the same class (mode collapse);
 * - **confident**: the fraction of samples whose most likely class has a
 *   probability of at least 0.9 (samples that look like some digit).
 *
 * @module
 */

/** The probability a sample's top class needs for it to count as confident. */
export const CONFIDENT_THRESHOLD = 0.9;

function checkShape(probs: ArrayLike<number>, classes: number): number {
  if (!Number.isInteger(classes) || classes < 2) {
    throw new Error(`Invalid number of classes ${classes}`);
  }
  if (probs.length % classes !== 0) {
    throw new Error(
      `${probs.length} probabilities are not a whole number of ${classes}-class rows`,
    );
  }
  return probs.length / classes;
}

/**
 * How many samples are predicted as each class (the most likely one; ties
 * go to the lower class).
 *
 * @param probs Class probabilities, `[n, classes]` flattened.
 * @returns Counts, `[classes]`.
 */
export function classCounts(probs: ArrayLike<number>, classes = 10): number[] {
  const n = checkShape(probs, classes);
  const counts = new Array<number>(classes).fill(0);
  for (let i = 0; i < n; i++) {
    let best = 0;
    for (let c = 1; c < classes; c++) {
      if (probs[i * classes + c] > probs[i * classes + best]) best = c;
    }
    counts[best]++;
  }
  return counts;
}

/**
 * Entropy of the predicted-class histogram over `ln(classes)`, in [0, 1].
 *
 * @param probs Class probabilities, `[n, classes]` flattened, `n >= 1`.
 */
export function coverage(probs: ArrayLike<number>, classes = 10): number {
  const counts = classCounts(probs, classes);
  const n = counts.reduce((a, b) => a + b, 0);
  if (n === 0) throw new Error("Cannot measure the coverage of no samples");
  let entropy = 0;
  for (const count of counts) {
    if (count > 0) entropy -= (count / n) * Math.log(count / n);
  }
  return entropy / Math.log(classes);
}

/**
 * Fraction of samples whose top class probability is at least `threshold`.
 *
 * @param probs Class probabilities, `[n, classes]` flattened, `n >= 1`.
 */
export function confidentFraction(
  probs: ArrayLike<number>,
  classes = 10,
  threshold = CONFIDENT_THRESHOLD,
): number {
  const n = checkShape(probs, classes);
  if (n === 0) throw new Error("Cannot measure the confidence of no samples");
  let confident = 0;
  for (let i = 0; i < n; i++) {
    let top = -Infinity;
    for (let c = 0; c < classes; c++) top = Math.max(top, probs[i * classes + c]);
    if (top >= threshold) confident++;
  }
  return confident / n;
}
