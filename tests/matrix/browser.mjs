// Drives the matrix page in Chromium; any failed check throws, and node exits non-zero.
// Usage: node browser.mjs CHROMIUM PAGE.html SCREENSHOT.png
import { readFileSync } from "node:fs";
import { pathToFileURL } from "node:url";
import { chromium } from "playwright-core";

const [executablePath, page_file, screenshot] = process.argv.slice(2);
const TACTICS = [
  "Reconnaissance", "Initial Access", "Execution", "Persistence", "Privilege Escalation",
  "Defense Evasion", "Credential Access", "Lateral Movement", "Exfiltration", "Impact",
];

function check(condition, message) {
  if (!condition) throw new Error(message);
}

// Running as root in a container needs --no-sandbox; nothing but local files is opened.
const browser = await chromium.launch({ executablePath, headless: true, args: ["--no-sandbox"] });
try {
  const page = await browser.newPage({ viewport: { width: 1600, height: 1000 } });
  const url = pathToFileURL(page_file).href;
  const outside = [];
  page.on("request", (request) => { if (!request.url().startsWith("file:")) outside.push(request.url()); });
  const errors = [];
  page.on("pageerror", (error) => errors.push(error.message));
  await page.goto(url);

  for (const tactic of TACTICS) {
    const heading = page.locator(".tactic h2", { hasText: tactic }).first();
    check(await heading.isVisible(), `the tactic ${tactic} is not visible`);
  }
  check((await page.locator(".cell").count()) === 49, "the matrix does not have 49 technique cells");

  await page.screenshot({ path: screenshot, fullPage: true });
  const png = readFileSync(screenshot);
  check(png.length > 1000 && png.subarray(1, 4).toString() === "PNG", "the screenshot is not a PNG");

  // The pwn request's checkout of the pull request's code: a critical finding in EX05.
  const cell = page.locator('.cell[data-technique="EX05"]');
  const background = await cell.evaluate((element) => getComputedStyle(element).backgroundColor);
  check(background === "rgb(153, 27, 27)", `EX05 is not coloured critical: ${background}`);
  const panel = page.locator('.findings[data-technique="EX05"]');
  check(!(await panel.isVisible()), "the findings show before the cell is clicked");
  await cell.click();
  check(await panel.isVisible(), "clicking EX05 did not open its findings");
  const listed = await panel.innerText();
  check(listed.includes("untrusted-checkout"), `EX05's findings do not name untrusted-checkout: ${listed}`);
  check(await panel.getByRole("link", { name: /pwn-request\.yml:17$/ }).isVisible(), "no link to pwn-request.yml:17");

  // Hovering the first attack path numbers each technique it goes through and draws it.
  const path = page.locator(".path").first();
  const steps = (await path.getAttribute("data-steps")).split(" ");
  await path.hover();
  check((await page.locator(".cell .step").count()) === steps.length, "the path's cells are not numbered");
  const first = await page.locator(`.cell[data-technique="${steps[0]}"] .step`).innerText();
  check(first === "1", `the path's first cell is numbered ${first}`);
  const points = await page.locator("#trail polyline").getAttribute("points");
  check(points.split(" ").length === steps.length, `the path is not drawn: ${points}`);

  check(outside.length === 0, `the page requested ${outside.join(", ")}`);
  check(errors.length === 0, `the page's script failed: ${errors.join("; ")}`);
  console.log(`${page_file}: ten tactics rendered, screenshot ${png.length} bytes, EX05 lists its findings, a path of ${steps.length} steps drawn`);
} finally {
  await browser.close();
}
