/**
 * Checks values against the schemas in test/fixtures/openai-audio-schemas.json, a trimmed copy of
 * OpenAI's published OpenAPI spec (github.com/openai/openai-openapi; the file names the commit).
 * Only the JSON-schema keywords that copy uses are understood: type, enum, required, properties,
 * items, anyOf, oneOf and $ref. Extra properties are allowed, as the spec allows them.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

type Schema = Record<string, unknown>;

/** From dist/test/adapters/http/ back to the source tree's fixture. */
const file = fileURLToPath(new URL('../../../../test/fixtures/openai-audio-schemas.json', import.meta.url));
const schemas = (JSON.parse(readFileSync(file, 'utf8')) as { schemas: Record<string, Schema> }).schemas;

/** The problems of `value` against the named schema (empty: it conforms). */
export function schemaErrors(name: string, value: unknown): string[] {
  const schema = schemas[name];
  if (!schema) throw new Error(`no schema '${name}' in ${file}`);
  const errors: string[] = [];
  check(schema, value, name, errors);
  return errors;
}

/** Throws with every problem unless `value` conforms to the named schema. */
export function assertSchema(name: string, value: unknown): void {
  const errors = schemaErrors(name, value);
  if (errors.length > 0) throw new Error(`not a ${name}:\n  ${errors.join('\n  ')}\n${JSON.stringify(value).slice(0, 800)}`);
}

function check(schema: Schema, value: unknown, at: string, errors: string[]): void {
  const ref = schema['$ref'];
  if (typeof ref === 'string') {
    const target = schemas[ref.replace('#/schemas/', '')];
    if (!target) throw new Error(`unresolved ${ref}`);
    check(target, value, at, errors);
    return;
  }
  for (const key of ['anyOf', 'oneOf'] as const) {
    const options = schema[key] as Schema[] | undefined;
    if (!options) continue;
    const passing = options.filter((option) => {
      const inner: string[] = [];
      check(option, value, at, inner);
      return inner.length === 0;
    }).length;
    if (key === 'anyOf' ? passing === 0 : passing !== 1) errors.push(`${at}: matches ${passing} of the ${key} options`);
  }
  const type = schema['type'];
  if (typeof type === 'string' && !hasType(type, value)) {
    errors.push(`${at}: expected ${type}, got ${JSON.stringify(value)}`);
    return;
  }
  const allowed = schema['enum'] as unknown[] | undefined;
  if (allowed && !allowed.includes(value)) errors.push(`${at}: ${JSON.stringify(value)} is not one of ${JSON.stringify(allowed)}`);
  if (isObject(value)) {
    for (const key of (schema['required'] as string[] | undefined) ?? []) if (!(key in value)) errors.push(`${at}: missing '${key}'`);
    const properties = (schema['properties'] as Record<string, Schema> | undefined) ?? {};
    for (const [key, sub] of Object.entries(properties)) if (key in value) check(sub, value[key], `${at}.${key}`, errors);
  }
  const items = schema['items'] as Schema | undefined;
  if (items && Array.isArray(value)) value.forEach((item, i) => check(items, item, `${at}[${i}]`, errors));
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function hasType(type: string, value: unknown): boolean {
  switch (type) {
    case 'object':
      return isObject(value);
    case 'array':
      return Array.isArray(value);
    case 'string':
      return typeof value === 'string';
    case 'number':
      return typeof value === 'number' && Number.isFinite(value);
    case 'integer':
      return Number.isInteger(value);
    case 'boolean':
      return typeof value === 'boolean';
    case 'null':
      return value === null;
    default:
      return true;
  }
}
