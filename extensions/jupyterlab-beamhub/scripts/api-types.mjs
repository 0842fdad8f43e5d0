// The TypeScript types of the catalogue service's JSON, generated from its OpenAPI
// description (read on stdin), written to stdout:
//
//   PYTHONPATH=hub python -m beamhub.service.openapi \
//     | node extensions/jupyterlab-beamhub/scripts/api-types.mjs \
//     > extensions/jupyterlab-beamhub/src/api.gen.ts
//
// tests/extension/test_api_types.py runs this and fails when src/api.gen.ts is stale.
import openapiTS, { astToString } from 'openapi-typescript';

const chunks = [];
for await (const chunk of process.stdin) {
  chunks.push(chunk);
}
const schema = JSON.parse(Buffer.concat(chunks).toString('utf8'));
// ParameterValue (free JSON) refers to itself through a union, which TypeScript cannot
// express as an indexed type of the generated interface: here it is JSON, i.e. unknown.
const parameterValue = schema.components?.schemas?.ParameterValue;
if (parameterValue) {
  schema.components.schemas.ParameterValue = { description: parameterValue.description };
}
schema.servers = [];   // the base path is a deployment's, not part of the types
const ast = await openapiTS(schema, { alphabetize: true });
process.stdout.write(
  '// Generated from the catalogue service\'s OpenAPI description by scripts/api-types.mjs:\n' +
    '// do not edit (tests/extension/test_api_types.py checks it is current).\n\n' +
    astToString(ast)
);
