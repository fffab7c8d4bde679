#!/usr/bin/env node
// Parses each file's Mermaid diagram with the real `mermaid` package, as a browser would,
// and fails with the parser's own message if any does not parse.
//
//   node tests/render/check-mermaid.mjs FILE...
//
// A `.md` file is checked through its first ```mermaid block; any other file is taken
// whole as Mermaid text (`.mmd`). Exit status: 0 all parse, 1 some did not, 2 usage or
// unreadable file or a Markdown file without a mermaid block.

import { readFile } from "node:fs/promises";
import { JSDOM } from "jsdom";
import { mermaidText } from "./mermaid-text.mjs";

// Mermaid sanitises labels with DOMPurify, which needs a window and document even to
// parse; jsdom provides them. They must exist before mermaid is first imported.
const dom = new JSDOM("<!doctype html><html><body></body></html>", { pretendToBeVisual: true });
globalThis.window = dom.window;
globalThis.document = dom.window.document;
const { default: mermaid } = await import("mermaid");
mermaid.initialize({ startOnLoad: false });

const files = process.argv.slice(2);
if (files.length === 0) {
  console.error("usage: node check-mermaid.mjs FILE...  (.mmd, or .md with a ```mermaid block)");
  process.exit(2);
}

let status = 0;
for (const file of files) {
  let content;
  try {
    content = await readFile(file, "utf8");
  } catch (error) {
    console.error(`${file}: cannot read: ${error.message}`);
    status = Math.max(status, 2);
    continue;
  }
  const text = mermaidText(file, content);
  if (text === null) {
    console.error(`${file}: no \`\`\`mermaid block`);
    status = Math.max(status, 2);
    continue;
  }
  try {
    // Without suppressErrors, parse throws on anything the renderer would reject.
    const { diagramType } = await mermaid.parse(text);
    console.log(`ok ${file} (${diagramType})`);
  } catch (error) {
    console.error(`${file}: mermaid could not parse it:\n${error.message ?? error}`);
    status = Math.max(status, 1);
  }
}
process.exit(status);
