// Builds the admin pages: node build.mjs --outdir <DIR>
// Writes <DIR>/index.html, app.js, app.css (+ .map files). Runs offline: it
// only reads node_modules (installed by `npm ci`) and src/.
import { copyFile, mkdir } from "node:fs/promises";
import { existsSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));

function fail(message) {
  console.error(`build.mjs: ${message}`);
  process.exit(1);
}

function outdirArg(argv) {
  const i = argv.indexOf("--outdir");
  if (i >= 0 && argv[i + 1]) return argv[i + 1];
  const eq = argv.find((a) => a.startsWith("--outdir="));
  if (eq && eq.length > "--outdir=".length) return eq.slice("--outdir=".length);
  return null;
}

const outdirRaw = outdirArg(process.argv.slice(2));
if (!outdirRaw) fail("usage: node build.mjs --outdir <DIR>");
const outdir = path.resolve(process.cwd(), outdirRaw);

// A missing node_modules is the usual cause of failure: say what to run.
if (!existsSync(path.join(here, "node_modules", "esbuild"))) {
  fail(`node_modules is missing in ${here}: run \`npm ci\` there first`);
}

let esbuild;
try {
  esbuild = await import("esbuild");
} catch (e) {
  fail(`cannot load esbuild (${e.message}): run \`npm ci\` in ${here}`);
}

try {
  await mkdir(outdir, { recursive: true });
  const result = await esbuild.build({
    absWorkingDir: here,
    // The entry is named "app" so the outputs are app.js and app.css.
    entryPoints: { app: "src/main.jsx" },
    outdir,
    bundle: true,
    minify: true,
    sourcemap: "linked",
    target: "es2020",
    format: "iife",
    jsx: "automatic",
    jsxImportSource: "preact",
    loader: { ".css": "css" },
    logLevel: "silent",
    metafile: true,
  });
  for (const w of result.warnings) console.warn(`build.mjs: warning: ${w.text}`);
  await copyFile(path.join(here, "index.html"), path.join(outdir, "index.html"));
  const outs = Object.entries(result.metafile.outputs)
    .map(([f, o]) => `  ${path.basename(f)} ${o.bytes} bytes`)
    .join("\n");
  console.log(`build.mjs: built into ${outdir}\n${outs}`);
} catch (e) {
  const errors = e.errors?.length
    ? e.errors.map((x) => `${x.location ? `${x.location.file}:${x.location.line}: ` : ""}${x.text}`).join("\n")
    : e.message;
  fail(`the build failed:\n${errors}`);
}
