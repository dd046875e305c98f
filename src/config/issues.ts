/**
 * Turns zod issues into one line per bad path (`provider.port: …`). An unknown option gets a line
 * of its own, with the nearest known option at that place when there is a close one
 * (`http.apikey: unknown option (did you mean api_key?)`).
 */
import type { z } from 'zod';
import { editDistance } from '../util/edit-distance.js';

type JsonSchema = Record<string, unknown>;

/** Edits allowed per this many characters of the unknown key for a suggestion. */
const CHARS_PER_EDIT = 3;

export function describeIssues(issues: readonly z.core.$ZodIssue[], jsonSchema: JsonSchema): string[] {
  return issues.flatMap((issue) => {
    const path = issue.path.map(String);
    if (issue.code !== 'unrecognized_keys') return [`${where(path)}: ${issue.message}`];
    const known = knownKeysAt(jsonSchema, path);
    return issue.keys.map((key) => {
      const suggestion = nearest(key, known);
      return `${where([...path, key])}: unknown option${suggestion ? ` (did you mean ${suggestion}?)` : ''}`;
    });
  });
}

function where(path: string[]): string {
  return path.length ? path.join('.') : '(top level)';
}

/** The option names of the object at `path` in the JSON Schema (array items and record values included). */
export function knownKeysAt(schema: JsonSchema, path: readonly string[]): string[] {
  let node: JsonSchema | undefined = schema;
  for (const key of path) {
    node = concrete(node);
    if (!node) return [];
    const props = node['properties'] as Record<string, JsonSchema> | undefined;
    const items = node['items'] as JsonSchema | undefined;
    const values = node['additionalProperties'];
    node = props?.[key] ?? (/^\d+$/.test(key) ? items : undefined) ?? (typeof values === 'object' ? (values as JsonSchema) : undefined);
  }
  return Object.keys((concrete(node)?.['properties'] as Record<string, unknown> | undefined) ?? {});
}

/** The object/array member of a nullable or union node. */
function concrete(node: JsonSchema | undefined): JsonSchema | undefined {
  const options = (node?.['anyOf'] ?? node?.['oneOf']) as JsonSchema[] | undefined;
  return options?.find((o) => o['type'] !== 'null') ?? node;
}

function nearest(key: string, known: readonly string[]): string | undefined {
  const folded = fold(key);
  const limit = Math.max(1, Math.floor(key.length / CHARS_PER_EDIT));
  let best: { name: string; distance: number } | undefined;
  for (const name of known) {
    const distance = fold(name) === folded ? 0 : editDistance(key.toLowerCase(), name.toLowerCase());
    if (distance <= limit && (!best || distance < best.distance)) best = { name, distance };
  }
  return best?.name;
}

/** `apiKey`, `api-key` and `apikey` all fold to `apikey`. */
function fold(name: string): string {
  return name.toLowerCase().replace(/[_-]/g, '');
}

