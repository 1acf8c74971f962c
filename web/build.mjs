// `npm run bundle`: one minified script and one style sheet in dist/,
// beside index.html, which bank-server embeds (server/web/assets.rs). The
// style sheet is bundled too: it imports uPlot's own.
import { build } from "esbuild";
import { copyFileSync, mkdirSync } from "node:fs";

mkdirSync("dist", { recursive: true });
await build({
  entryPoints: ["src/main.ts"],
  bundle: true,
  minify: true,
  format: "esm",
  target: "es2022",
  loader: { ".ftl": "text" },
  outfile: "dist/app.js",
  legalComments: "none",
});
await build({
  entryPoints: ["src/app.css"],
  bundle: true,
  minify: true,
  outfile: "dist/app.css",
  legalComments: "none",
});
copyFileSync("src/index.html", "dist/index.html");
