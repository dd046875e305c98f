/**
 * Regenerates config/satellite.schema.json and satellite.example.yml from the zod schema, and the
 * README's error-code table from the registry (src/util/error-codes.ts).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { configJsonSchema } from '../src/config/schema.js';
import { renderExampleConfig } from '../src/config/example.js';
import { withErrorCodeTable } from '../src/util/error-codes.js';

const schema = configJsonSchema();
writeFileSync('config/satellite.schema.json', `${JSON.stringify(schema, null, 2)}\n`);
writeFileSync('satellite.example.yml', renderExampleConfig(schema));
writeFileSync('README.md', withErrorCodeTable(readFileSync('README.md', 'utf8')));
process.stdout.write('wrote config/satellite.schema.json, satellite.example.yml and the error-code table in README.md\n');
