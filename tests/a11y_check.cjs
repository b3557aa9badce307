// Checks pages with axe-core (npm) in Debian's headless Chromium, as the accessibility test of the
// pages Clerk serves (WCAG 2.2 AA), and saves a screenshot of each on screen and as printed.
// Usage: node a11y_check.cjs <artifacts dir> <name>[@<width>]=<url> ...; prints JSON {name: [violations]}.
// A width (CSS pixels, default 1100) checks the page as narrow as that: a meeting's side panel is 320.
const path = require("path");
const { launch, loopbackOnly } = require("./chromium.cjs");

const [artifacts, ...pages] = process.argv.slice(2);
const TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa"];

(async () => {
  const browser = await launch();
  const result = {};
  try {
    for (const spec of pages) {
      const at = spec.indexOf("=");
      const [name, width] = spec.slice(0, at).split("@"), url = spec.slice(at + 1);
      const page = await browser.newPage({ viewport: { width: Number(width || 1100), height: 900 } });
      await loopbackOnly(page);
      await page.goto(url, { waitUntil: "load" });
      await page.screenshot({ path: path.join(artifacts, `${name}.png`), fullPage: true });
      await page.addScriptTag({ path: require.resolve("axe-core/axe.min.js") });
      const found = await page.evaluate(async (tags) => {
        const report = await window.axe.run(document, { runOnly: { type: "tag", values: tags } });
        return report.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help,
                                               nodes: v.nodes.map((n) => n.html).slice(0, 5) }));
      }, TAGS);
      await page.emulateMedia({ media: "print" });
      await page.screenshot({ path: path.join(artifacts, `${name}-print.png`), fullPage: true });
      result[name] = found;
      await page.close();
    }
  } finally {
    await browser.close();
  }
  process.stdout.write(JSON.stringify(result));
})().catch((error) => { console.error(error); process.exit(1); });
