// Watches the Playground in headless Chromium (Debian's, never a downloaded browser), as a person
// would: it opens the page and the group chat, says "ready" on stdout, then for each line read on
// stdin (a text some card contains) saves a screenshot of that card; a line "press <text> | <button>"
// clicks that button on the card, as a person would (an Action.Execute goes to the bot as an
// adaptiveCard/action invoke). On end of input it prints JSON: which cards rendered, any card
// warnings, the buttons pressed, and the requests it blocked for leaving 127.0.0.1.
// The page is opened first because the Playground starts its conversations afresh for a new page.
// Usage: node browser_check.cjs <playground url> <artifacts dir> <chat name>
const path = require("path");
const readline = require("readline");
const { launch, loopbackOnly } = require("../chromium.cjs");

const [url, artifacts, chatName] = process.argv.slice(2);
const WARNING = /not supported|unsupported|unknown element|invalid value|couldn't render|could not render/i;

(async () => {
  const browser = await launch();
  const result = { rendered: {}, warnings: [], blocked: [], pressed: {} };
  try {
    const page = await browser.newPage({ viewport: { width: 1400, height: 1600 } });
    await loopbackOnly(page, result.blocked);
    page.on("console", (message) => {
      if (WARNING.test(message.text())) result.warnings.push(message.text());
    });
    await page.goto(url, { waitUntil: "domcontentloaded" });
    await page.getByText(chatName, { exact: true }).first().click();
    await page.getByText("Hello, I'm Clerk", { exact: false }).last().waitFor({ timeout: 30000 });
    process.stdout.write("ready\n");

    let index = 0;
    for await (const line of readline.createInterface({ input: process.stdin })) {
      const text = line.trim();
      if (!text) continue;
      if (text.startsWith("press ")) {
        const [cardText, title] = text.slice(6).split(" | ");
        const card = page.locator(".ac-adaptiveCard", { hasText: cardText }).last();
        try {
          await card.getByRole("button", { name: title, exact: true }).last().click({ timeout: 20000 });
          result.pressed[text.slice(6)] = true;
        } catch (error) {
          result.pressed[text.slice(6)] = false;
        }
        process.stdout.write("pressed\n");
        continue;
      }
      index += 1;
      const card = page.locator(".ac-adaptiveCard", { hasText: text }).last();
      try {
        await card.waitFor({ state: "visible", timeout: 20000 });
        await card.scrollIntoViewIfNeeded();
        await card.screenshot({ path: path.join(artifacts, `card-${index}.png`) });
        const shown = await card.innerText();
        for (const row of shown.split("\n")) if (WARNING.test(row)) result.warnings.push(row);
        result.rendered[text] = true;
      } catch (error) {
        result.rendered[text] = false;
      }
      process.stdout.write(`shot ${index}\n`);
    }
    await page.screenshot({ path: path.join(artifacts, "chat.png"), fullPage: true });
  } finally {
    await browser.close();
  }
  process.stdout.write(JSON.stringify(result) + "\n");
})().catch((error) => {
  console.error(error);
  process.exit(1);
});
