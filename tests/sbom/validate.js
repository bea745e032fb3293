// Validate a CycloneDX JSON document against the official 1.5 schema (strict), for tests.
// usage: node validate.js BOM.cdx.json
const fs = require('fs');
const CDX = require('@cyclonedx/cyclonedx-library');
const v = new CDX.Validation.JsonStrictValidator(CDX.Spec.Version.v1dot5);
v.validate(fs.readFileSync(process.argv[2], 'utf8')).then(errs => {
  if (errs) { console.error(JSON.stringify(errs, null, 1)); process.exit(1); }
  console.log('CycloneDX 1.5: valid');
}, e => { console.error(String(e)); process.exit(2); });
