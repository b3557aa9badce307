// Debian's headless Chromium as the tests drive it: never a downloaded browser, and nothing it
// loads may leave 127.0.0.1 (blocked requests are reported to `blocked`, when given).
const { chromium } = require("playwright-core");

async function launch() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
           "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic",
           "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1"],
  });
}

async function loopbackOnly(page, blocked = []) {
  await page.route("**/*", (route) => {
    const target = new URL(route.request().url());
    if (["127.0.0.1", "localhost"].includes(target.hostname) || target.protocol === "data:") return route.continue();
    blocked.push(route.request().url());
    return route.abort();
  });
}

module.exports = { launch, loopbackOnly };
