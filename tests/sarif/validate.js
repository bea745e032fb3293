// Validate SARIF logs against the SARIF 2.1.0 JSON schema (draft-04, with formats), for tests.
// usage: node validate.js LOG.sarif...   (run from a directory with this package's node_modules)
const fs = require('fs');
const path = require('path');
const Ajv = require('ajv-draft-04');
const addFormats = require('ajv-formats');

const schema = JSON.parse(fs.readFileSync(path.join(__dirname, 'sarif-schema-2.1.0-rtm.5.json'), 'utf8'));
const ajv = new Ajv({allErrors: true, strict: false, unicodeRegExp: false}) // the schema's 'language' pattern is not valid with the u flag;
addFormats(ajv);
const validate = ajv.compile(schema);
let bad = 0;
for (const file of process.argv.slice(2)) {
  const doc = JSON.parse(fs.readFileSync(file, 'utf8'));
  if (validate(doc)) {
    console.log(`${file}: SARIF 2.1.0 schema: valid`);
  } else {
    console.error(`${file}: SARIF 2.1.0 schema: invalid`);
    console.error(JSON.stringify(validate.errors, null, 1));
    bad++;
  }
}
process.exit(bad ? 1 : 0);
