/**
 * JSON text laid out like Python's `json.dumps(obj, ensure_ascii=False)`, which is what the
 * reference Wyoming writer uses: `", "` between items and `": "` after keys. Keys keep insertion
 * order; `undefined` members are left out, as JSON.stringify does.
 */
export function pythonJson(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  switch (typeof value) {
    case 'string':
      return JSON.stringify(value);
    case 'number':
      return Number.isFinite(value) ? String(value) : 'null';
    case 'boolean':
      return value ? 'true' : 'false';
    case 'object':
      break;
    default:
      return 'null';
  }
  if (Array.isArray(value)) {
    return '[' + value.map((item) => pythonJson(item)).join(', ') + ']';
  }
  const parts: string[] = [];
  for (const [key, member] of Object.entries(value as Record<string, unknown>)) {
    if (member === undefined || typeof member === 'function') continue;
    parts.push(JSON.stringify(key) + ': ' + pythonJson(member));
  }
  return '{' + parts.join(', ') + '}';
}
