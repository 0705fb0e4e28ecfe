"""Back stays in the app: choosing a room is a step in the browser's history of this one page
(same address, nothing stored), so Back and Forward go from room to room, and Back from the
first room shows that room again rather than leaving for the page before the app (often a blank
one: the sign-in page replaces itself with the app)."""

from __future__ import annotations

BACK_STAYS = """
() => {
  const tabs = () => Array.from(document.querySelectorAll("#pb-tabs button[role=tab]"));
  const label = (button) => (button.innerText || "").trim();
  const current = () => {
    const button = tabs().find((b) => b.getAttribute("aria-selected") === "true");
    return button ? label(button) : "Practice";
  };
  const show = (room) => {
    const button = tabs().find((b) => label(b) === room);
    if (button && button.getAttribute("aria-selected") !== "true") button.click();
  };
  // The page's own entry is the floor; a step above it is added at the person's first touch
  // (a step added without one is skipped by the browser's Back), so Back from the first room stays.
  history.replaceState({...(history.state || {}), pbRoom: current(), pbFloor: true}, "");
  const raise = () => {
    if (history.state && history.state.pbFloor) history.pushState({pbRoom: history.state.pbRoom}, "");
  };
  document.addEventListener("pointerdown", raise, {capture: true, once: true});
  document.addEventListener("keydown", raise, {capture: true, once: true});
  document.addEventListener("click", (event) => {
    const button = event.target.closest && event.target.closest("#pb-tabs button[role=tab]");
    if (!button) return;
    const room = label(button);
    if (history.state && history.state.pbRoom === room) return;  // already this step (or Back chose it)
    history.pushState({pbRoom: room}, "");
  }, true);
  window.addEventListener("popstate", (event) => {
    const state = event.state || {};
    if (!state.pbRoom) return;
    show(state.pbRoom);
    if (state.pbFloor) history.pushState({pbRoom: state.pbRoom}, "");  // Back again still stays
  });
}
"""
