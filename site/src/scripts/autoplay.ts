/// <reference lib="dom" />
/**
 * Plays the page's `video[data-autoplay]` elements (muted, looping) for
 * visitors who have not asked for reduced motion; the others see the poster
 * and the controls.
 *
 * @module
 */
const motionOk = matchMedia("(prefers-reduced-motion: no-preference)");
if (motionOk.matches) {
  for (const video of document.querySelectorAll<HTMLVideoElement>("video[data-autoplay]")) {
    video.muted = true;
    video.play().catch(() => {
      // Autoplay refused (browser policy): the controls are there.
    });
  }
}
