/// <reference lib="dom" />
/**
 * Full screen for a viewer and its toolbar (the still viewer and the live
 * explorer): a `data-action="full-screen"` button that is hidden where the
 * browser has no full screen and whose label follows the state.
 *
 * @module
 */

/** Hides `container`'s full-screen button if unsupported and keeps its label and `aria-pressed` in step. */
export function wireFullScreenButton(container: HTMLElement): void {
  const button = container.querySelector<HTMLButtonElement>('[data-action="full-screen"]');
  if (button && !document.fullscreenEnabled) button.hidden = true;
  document.addEventListener("fullscreenchange", () => {
    const on = document.fullscreenElement === container;
    button?.setAttribute("aria-pressed", String(on));
    if (button) button.textContent = on ? "Exit full screen" : "Full screen";
  });
}

/** Enters full screen on `container`, or leaves it. */
export function toggleFullScreen(container: HTMLElement): void {
  if (document.fullscreenElement) void document.exitFullscreen();
  else void container.requestFullscreen();
}
