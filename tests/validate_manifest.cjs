// Validates a Teams app manifest against Microsoft's JSON schema for its manifestVersion, as bundled
// in Microsoft's @microsoft/app-manifest package (the Microsoft 365 Agents Toolkit's), with Ajv for
// draft-04 schemas. Reads the manifest on stdin; prints a JSON array of problems (empty when valid).
const fs = require("fs");
const path = require("path");
const Ajv = require("ajv-draft-04");
const addFormats = require("ajv-formats");

let input = "";
process.stdin.on("data", (chunk) => (input += chunk));
process.stdin.on("end", () => {
  const manifest = JSON.parse(input);
  const schemas = path.join(path.dirname(require.resolve("@microsoft/app-manifest/package.json")), "build",
    "json-schemas", "teams", `v${manifest.manifestVersion}`, "MicrosoftTeams.schema.json");
  const ajv = new Ajv({ allErrors: true, strict: false });
  addFormats(ajv);
  const validate = ajv.compile(JSON.parse(fs.readFileSync(schemas, "utf8")));
  const problems = validate(manifest) ? [] : validate.errors.map((e) => `${e.instancePath || "/"} ${e.message}`);
  process.stdout.write(JSON.stringify(problems));
});
