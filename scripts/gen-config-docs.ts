/** Regenerates config/satellite.schema.json and satellite.example.yml from the zod schema. */
import { writeFileSync } from 'node:fs';
import { configJsonSchema } from '../src/config/schema.js';
import { renderExampleConfig } from '../src/config/example.js';

const schema = configJsonSchema();
writeFileSync('config/satellite.schema.json', `${JSON.stringify(schema, null, 2)}\n`);
writeFileSync('satellite.example.yml', renderExampleConfig(schema));
process.stdout.write('wrote config/satellite.schema.json and satellite.example.yml\n');
