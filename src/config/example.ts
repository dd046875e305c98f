/**
 * Renders `satellite.example.yml` from the JSON Schema: every option with its description as a
 * comment and its default as the value, so the example can never drift from the schema.
 */
type Node = Record<string, unknown>;

const HEADER = `# speech-satellite configuration: every option with its default.
# Copy to satellite.yml (or /etc/speech-satellite/satellite.yml) and keep only what you change.
# Environment overrides: SATELLITE_<PATH> with __ for nesting, e.g. SATELLITE_MQTT__URL.
`;

function unwrap(node: Node): Node {
  for (const key of ['anyOf', 'oneOf'] as const) {
    const options = node[key] as Node[] | undefined;
    if (options) {
      const concrete = options.find((o) => o['type'] !== 'null');
      if (concrete) return { ...concrete, description: node['description'] ?? concrete['description'], default: node['default'] ?? concrete['default'] };
    }
  }
  return node;
}

function scalar(value: unknown): string {
  if (value === undefined || value === null) return 'null';
  if (typeof value === 'string') return /^[\w./:@-]+$/.test(value) && !/^(null|true|false|yes|no|on|off|[\d.]+)$/i.test(value) ? value : JSON.stringify(value);
  if (Array.isArray(value)) return value.length === 0 ? '[]' : `[${value.map(scalar).join(', ')}]`;
  if (typeof value === 'object') return Object.keys(value).length === 0 ? '{}' : JSON.stringify(value);
  return String(value);
}

function comment(node: Node, indent: string): string[] {
  const lines: string[] = [];
  const description = node['description'];
  if (typeof description === 'string') lines.push(...description.split('\n').map((l) => `${indent}# ${l}`));
  const choices = node['enum'];
  if (Array.isArray(choices)) lines.push(`${indent}# one of: ${choices.map(String).join(', ')}`);
  return lines;
}

function isNullable(node: Node): boolean {
  const options = (node['anyOf'] ?? node['oneOf']) as Node[] | undefined;
  return node['type'] === 'null' || (Array.isArray(node['type']) && node['type'].includes('null')) || (options?.some((o) => o['type'] === 'null') ?? false);
}

function placeholder(node: Node): string {
  const t = node['type'];
  return `(unset; ${Array.isArray(t) ? t.join(' or ') : String(t ?? 'value')})`;
}

function render(node: Node, indent: string, out: string[]): void {
  const props = (node['properties'] ?? {}) as Record<string, Node>;
  for (const [key, raw] of Object.entries(props)) {
    const child = unwrap(raw);
    out.push(...comment(child, indent));
    if (child['type'] === 'object' && child['properties']) {
      const inner: string[] = [];
      render(child, `${indent}  `, inner);
      // A section whose options are all commented out must still parse as a mapping.
      const empty = inner.every((line) => line.trimStart().startsWith('#'));
      out.push(`${indent}${key}:${empty ? ' {}' : ''}`, ...inner);
    } else if (child['default'] === undefined && !isNullable(raw)) {
      // No default and null is not allowed: show the option commented out, so the file still parses.
      out.push(`${indent}# ${key}: ${placeholder(child)}`);
    } else {
      out.push(`${indent}${key}: ${scalar(child['default'])}`);
    }
  }
}

export function renderExampleConfig(jsonSchema: Node): string {
  const out: string[] = [];
  render(jsonSchema, '', out);
  return `${HEADER}\n${out.join('\n')}\n`;
}

/** Every leaf option path of the schema, e.g. `mqtt.url`. */
export function optionPaths(jsonSchema: Node, prefix = ''): string[] {
  const props = (unwrap(jsonSchema)['properties'] ?? {}) as Record<string, Node>;
  return Object.entries(props).flatMap(([key, raw]) => {
    const child = unwrap(raw);
    const path = prefix ? `${prefix}.${key}` : key;
    return child['type'] === 'object' && child['properties'] ? optionPaths(child, path) : [path];
  });
}
