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
    let out = '[';
    for (let i = 0; i < value.length; i++) out += (i ? ', ' : '') + pythonJson(value[i]);
    return out + ']';
  }
  // String concatenation in a plain loop: this runs for every audio chunk written.
  let out = '{';
  let first = true;
  const record = value as Record<string, unknown>;
  for (const key in record) {
    if (!Object.hasOwn(record, key)) continue;
    const member = record[key];
    if (member === undefined || typeof member === 'function') continue;
    out += (first ? '"' : ', "') + (SAFE_KEY.test(key) ? key : JSON.stringify(key).slice(1, -1)) + '": ' + pythonJson(member);
    first = false;
  }
  return out + '}';
}

/** Keys that JSON.stringify would write unchanged (no escaping needed). */
const SAFE_KEY = /^[A-Za-z0-9_\-.]*$/;
