/**
 * Hides the password in URLs that carry user info (`mqtt://user:pw@host` →
 * `mqtt://user:[redacted]@host`), anywhere in a piece of text: config values, log lines, error
 * messages. The user name and host stay visible. A password may hold `@`, `?` or `#`; the last `@`
 * before the path ends it.
 */

export const REDACTED = '[redacted]';

/** Schemes are bounded in length so a long run of letters cannot make the scan quadratic. */
const URL_PASSWORD = /(?<![a-z0-9+.-])([a-z][a-z0-9+.-]{0,31}:\/\/)([^\s:@/?#"'<>\\]*):([^\s/"'<>\\]*)@/gi;

export function redactUrlPasswords(text: string): string {
  if (!text.includes('://') || !text.includes('@')) return text;
  return text.replace(URL_PASSWORD, (_match, scheme: string, user: string) => `${scheme}${user}:${REDACTED}@`);
}
