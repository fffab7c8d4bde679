#!/usr/bin/env node
// Draws a file's Mermaid diagram to SVG or PNG with the real `mermaid` package in Debian's
// Chromium (`apt-get install chromium`), for people to look at the picture; the checks
// need only check-mermaid.mjs.
//
//   node tests/render/render-mermaid.mjs IN.mmd|IN.md OUT.svg|OUT.png [--theme dark]
//
// jsdom cannot lay text out, so drawing needs a real browser; this one is driven through
// its command line (no browser download, no puppeteer).

import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { mermaidText } from "./mermaid-text.mjs";

const args = process.argv.slice(2);
const themeAt = args.indexOf("--theme");
const theme = themeAt >= 0 ? args.splice(themeAt, 2)[1] : "default";
const [input, output] = args;
if (!input || !output || !/\.(svg|png)$/i.test(output)) {
  console.error("usage: node render-mermaid.mjs IN.mmd|IN.md OUT.svg|OUT.png [--theme dark]");
  process.exit(2);
}
const text = mermaidText(input, readFileSync(input, "utf8"));
if (text === null) {
  console.error(`${input}: no \`\`\`mermaid block`);
  process.exit(2);
}
const browser = process.env.CHROMIUM ?? "/usr/bin/chromium";
const here = dirname(fileURLToPath(import.meta.url));
const script = pathToFileURL(join(here, "node_modules/mermaid/dist/mermaid.min.js")).href;
const work = mkdtempSync(join(tmpdir(), "render-mermaid-"));
const background = theme === "dark" ? "#0d1117" : "#ffffff";

// Runs Chromium headless on `html`; `extra` picks what it produces.
function chromium(html, extra) {
  const page = join(work, "page.html");
  writeFileSync(page, html);
  return execFileSync(
    browser,
    [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--hide-scrollbars",
      // Virtual time lets the page's asynchronous drawing finish before the dump.
      "--virtual-time-budget=20000",
      ...extra,
      pathToFileURL(page).href,
    ],
    { encoding: "utf8", maxBuffer: 64 * 1024 * 1024, stdio: ["ignore", "pipe", "ignore"] },
  );
}

try {
  // The diagram text travels as JSON inside the page, so nothing in it is read as HTML.
  const drawn = chromium(
    `<!doctype html><html><body style="margin:0;background:${background}">
<pre id="error"></pre><div id="out"></div>
<script src="${script}"></script>
<script>
mermaid.initialize({ startOnLoad: false, theme: ${JSON.stringify(theme)} });
mermaid.render("diagram", ${JSON.stringify(text)})
  .then(({ svg }) => { document.getElementById("out").innerHTML = svg; })
  .catch((e) => { document.getElementById("error").textContent = "ERROR " + e.message; });
</script></body></html>`,
    ["--dump-dom"],
  );
  const failed = /<pre id="error">ERROR ([\s\S]*?)<\/pre>/.exec(drawn);
  if (failed) {
    console.error(`${input}: mermaid could not draw it:\n${failed[1]}`);
    process.exit(1);
  }
  const svg = /<svg[\s\S]*<\/svg>/.exec(drawn)?.[0];
  if (!svg) {
    console.error(`${input}: the browser drew nothing (is ${browser} installed?)`);
    process.exit(1);
  }
  if (/\.svg$/i.test(output)) {
    writeFileSync(output, `${svg}\n`);
  } else {
    const [, , width, height] = /viewBox="([-\d.]+) ([-\d.]+) ([\d.]+) ([\d.]+)"/
      .exec(svg)
      .slice(1)
      .map(Number);
    const pad = 16;
    const sized = svg.replace(/<svg /, `<svg style="width:${width}px;height:${height}px" `);
    chromium(
      `<!doctype html><html><body style="margin:${pad}px;background:${background}">${sized}</body></html>`,
      [
        `--screenshot=${resolve(output)}`,
        `--window-size=${Math.ceil(width) + 2 * pad},${Math.ceil(height) + 2 * pad}`,
        "--force-device-scale-factor=2",
      ],
    );
  }
  console.log(`wrote ${output}`);
} finally {
  rmSync(work, { recursive: true, force: true });
}
