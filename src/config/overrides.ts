/** Turning `a.b.c=value` strings (env vars, `--set` flags) into typed values using the JSON Schema. */

type JsonSchema = Record<string, unknown>;

/** The JSON Schema node at a dotted path, or undefined when the path is not in the schema. */
export function schemaAt(schema: JsonSchema, dotted: string): JsonSchema | undefined {
  let node: JsonSchema | undefined = schema;
  for (const key of dotted.split('.')) {
    node = unwrap(node);
    const props = node?.['properties'] as Record<string, JsonSchema> | undefined;
    node = props?.[key];
    if (!node) return undefined;
  }
  return unwrap(node);
}

function unwrap(node: JsonSchema | undefined): JsonSchema | undefined {
  if (!node) return node;
  for (const key of ['anyOf', 'oneOf', 'allOf'] as const) {
    const options = node[key] as JsonSchema[] | undefined;
    if (options) {
      const concrete = options.find((o) => o['type'] !== 'null');
      if (concrete) return { ...concrete, nullable: options.some((o) => o['type'] === 'null') };
    }
  }
  return node;
}

function types(node: JsonSchema | undefined): string[] {
  const t = node?.['type'];
  return Array.isArray(t) ? (t as string[]) : typeof t === 'string' ? [t] : [];
}

/** Coerces a string by the schema type at its path; unknown paths keep the string (zod reports them). */
export function coerceByPath(schema: JsonSchema, dotted: string, raw: string): unknown {
  const node = schemaAt(schema, dotted);
  const t = types(node);
  if ((node?.['nullable'] || t.includes('null')) && (raw === 'null' || raw === '')) return null;
  if (t.includes('integer') || t.includes('number')) {
    const n = Number(raw);
    return raw.trim() !== '' && Number.isFinite(n) ? n : raw;
  }
  if (t.includes('boolean')) {
    if (/^(true|1|yes|on)$/i.test(raw)) return true;
    if (/^(false|0|no|off)$/i.test(raw)) return false;
    return raw;
  }
  if (t.includes('array') || t.includes('object')) {
    try {
      return JSON.parse(raw);
    } catch {
      return t.includes('array') ? raw.split(',').map((s) => s.trim()).filter(Boolean) : raw;
    }
  }
  return raw;
}

export function setPath(target: Record<string, unknown>, dotted: string, value: unknown): void {
  const keys = dotted.split('.');
  let node = target;
  for (const key of keys.slice(0, -1)) {
    const next = node[key];
    if (typeof next !== 'object' || next === null || Array.isArray(next)) node[key] = {};
    node = node[key] as Record<string, unknown>;
  }
  node[keys[keys.length - 1]!] = value;
}
