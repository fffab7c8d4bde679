// The Mermaid text of a file, shared by the check and render scripts.

/** The Mermaid text of a file: its first ```mermaid block for Markdown, else all of it. */
export function mermaidText(path, content) {
  if (!/\.(md|markdown)$/i.test(path)) {
    return content;
  }
  // CommonMark fences: ``` or ~~~ (or longer), closed by a run of the same character at
  // least as long; an unclosed block runs to the end of the file.
  const lines = content.split(/\r?\n/);
  const start = lines.findIndex((line) => /^ {0,3}(`{3,}|~{3,})\s*mermaid\s*$/.test(line));
  if (start < 0) {
    return null;
  }
  const fence = /^ {0,3}(`{3,}|~{3,})/.exec(lines[start])[1];
  const body = [];
  for (const line of lines.slice(start + 1)) {
    const close = /^ {0,3}(`{3,}|~{3,})\s*$/.exec(line);
    if (close && close[1][0] === fence[0] && close[1].length >= fence.length) {
      break;
    }
    body.push(line);
  }
  return body.join("\n");
}
