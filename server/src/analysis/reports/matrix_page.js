"use strict";
const matrix = document.getElementById("matrix");
const cells = Array.from(document.querySelectorAll(".cell"));
const sections = Array.from(document.querySelectorAll(".findings"));
const pathButtons = Array.from(document.querySelectorAll(".path"));
const trail = document.querySelector("#trail polyline");
const hint = document.getElementById("panel-hint");
let pinned = null;

function cellOf(technique) {
  return cells.find((cell) => cell.dataset.technique === technique);
}

function openTechnique(technique) {
  for (const cell of cells) cell.classList.toggle("selected", cell.dataset.technique === technique);
  for (const section of sections) section.hidden = section.dataset.technique !== technique;
  hint.hidden = true;
}

// Numbers the cells of a path in the order the attack takes them and draws a line through
// their centres; with no path, clears both.
function showPath(button) {
  for (const badge of document.querySelectorAll(".step")) badge.remove();
  for (const cell of cells) cell.classList.remove("on-path");
  for (const other of pathButtons) other.classList.toggle("active", other === button);
  if (!button) {
    trail.setAttribute("points", "");
    return;
  }
  const box = matrix.getBoundingClientRect();
  const points = button.dataset.steps.split(" ").map((technique, index) => {
    const cell = cellOf(technique);
    cell.classList.add("on-path");
    const badge = document.createElement("span");
    badge.className = "step";
    badge.textContent = String(index + 1);
    cell.append(badge);
    const rect = cell.getBoundingClientRect();
    return `${rect.left - box.left + rect.width / 2},${rect.top - box.top + rect.height / 2}`;
  });
  trail.setAttribute("points", points.join(" "));
}

for (const cell of cells) cell.addEventListener("click", () => openTechnique(cell.dataset.technique));
for (const button of pathButtons) {
  button.addEventListener("mouseenter", () => showPath(button));
  button.addEventListener("focus", () => showPath(button));
  button.addEventListener("mouseleave", () => showPath(pinned));
  button.addEventListener("click", () => {
    pinned = pinned === button ? null : button;
    showPath(pinned);
  });
}
window.addEventListener("resize", () => showPath(pinned));
