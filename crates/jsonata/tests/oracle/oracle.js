// The oracle of stackweave-jsonata's differential test: evaluates cases with the reference
// JSONata implementation. Reads a JSON array on stdin, each case
//   {"expr": string, "input"?: any, "bindings"?: object, "natives"?: object, "now": number}
// and prints a JSON array with, per case, {"value": any}, {} (undefined) or {"error": code}.
// `natives` are host functions returning a constant (`{"partition": "aws"}` is
// `$partition()`), as an emulator provides them. `now` (milliseconds since the epoch) is the
// clock $now()/$millis() read, as the crate's Expression::evaluate_at fixes it. Run with
// TZ=UTC.
"use strict";
const fs = require("fs");
const jsonata = require("jsonata");

const RealDate = Date;

// jsonata reads the clock with `new Date()`: a Date whose no-argument form is `now`.
function clockAt(now) {
  return class FixedDate extends RealDate {
    constructor(...args) {
      if (args.length === 0) super(now);
      else super(...args);
    }
    static now() {
      return now;
    }
  };
}

function hasNonFinite(value) {
  if (typeof value === "number") return !Number.isFinite(value);
  if (Array.isArray(value)) return value.some(hasNonFinite);
  if (value && typeof value === "object") return Object.values(value).some(hasNonFinite);
  return false;
}

// What the Rust side can compare: JSON, with functions as "" (as JSON.stringify would
// drop them, the crate writes them as empty strings), non-finite numbers as D1001, and
// lone UTF-16 surrogates (JavaScript strings may split a character; Rust's cannot) as
// U+FFFD, so such a case shows up as a difference rather than as unreadable output.
function normalise(value) {
  if (value === undefined) return {};
  if (hasNonFinite(value)) return { error: "D1001" };
  const text = JSON.stringify(value, (k, v) =>
    typeof v === "function" ? "" : typeof v === "string" ? v.toWellFormed() : v,
  );
  if (text === undefined) return {};
  return { value: JSON.parse(text) };
}

async function run(testCase) {
  try {
    global.Date = clockAt(testCase.now);
    const expression = jsonata(testCase.expr);
    const bindings = Object.assign({}, testCase.bindings || {});
    for (const [name, value] of Object.entries(testCase.natives || {})) {
      bindings[name] = () => value;
    }
    const result = await expression.evaluate(testCase.input, bindings);
    return normalise(result);
  } catch (err) {
    if (err instanceof RangeError) return { error: "U1001" };
    return { error: err && err.code ? err.code : "internal: " + String(err && err.message) };
  } finally {
    global.Date = RealDate;
  }
}

(async () => {
  const cases = JSON.parse(fs.readFileSync(0, "utf8"));
  const results = [];
  for (const c of cases) results.push(await run(c));
  process.stdout.write(JSON.stringify(results));
})();
