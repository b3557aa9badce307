// Validates Adaptive Cards with Microsoft's own adaptivecards library: reads a JSON array of card
// payloads on stdin, prints a JSON array with the problems found in each (empty when valid).
// The UMD bundle: the package's "main" is an ES module build that Node cannot load as CommonJS.
const AC = require("adaptivecards/dist/adaptivecards.js");

let input = "";
process.stdin.on("data", (chunk) => (input += chunk));
process.stdin.on("end", () => {
  const results = JSON.parse(input).map((payload) => {
    const context = new AC.SerializationContext(new AC.Version(1, 4));
    const card = new AC.AdaptiveCard();
    card.parse(payload, context);
    const problems = [];
    for (let i = 0; i < context.eventCount; i++) {
      const event = context.getEventAt(i);
      problems.push(`${event.phase}/${event.event}: ${event.message}`);
    }
    const validation = card.validateProperties();
    for (const event of validation.validationEvents) problems.push(`validate: ${event.message}`);
    if (payload.version !== "1.4") problems.push(`version ${payload.version} is not 1.4`);
    return problems;
  });
  process.stdout.write(JSON.stringify(results));
});
