import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync, mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { ConfigError, loadConfig, parseConfig, redactConfig } from '../../src/config/load.js';
import { configJsonSchema } from '../../src/config/schema.js';
import { optionPaths, renderExampleConfig } from '../../src/config/example.js';
import { REPO_ROOT } from '../helpers/system.js';

/** The ConfigError that loading `file` throws (fails the test when it loads). */
function configErrorOf(file: string): ConfigError {
  try {
    loadConfig({ file, env: {} });
  } catch (err) {
    assert.ok(err instanceof ConfigError);
    return err;
  }
  assert.fail(`${file} loaded without an error`);
}

const EXAMPLE = path.join(REPO_ROOT, 'satellite.example.yml');
const SCHEMA_FILE = path.join(REPO_ROOT, 'config', 'satellite.schema.json');

function tempFile(name: string, text: string): string {
  const file = path.join(mkdtempSync(path.join(os.tmpdir(), 'satellite-config-')), name);
  writeFileSync(file, text);
  return file;
}

function getPath(obj: unknown, dotted: string): unknown {
  return dotted.split('.').reduce<unknown>((node, key) => (node as Record<string, unknown> | undefined)?.[key], obj);
}

describe('configuration', () => {
  test('satellite.example.yml parses and yields exactly the built-in defaults', () => {
    const fromExample = loadConfig({ file: EXAMPLE, env: {} }).config;
    assert.deepEqual(fromExample, parseConfig({}, {}));
  });

  test('satellite.example.yml documents every option of the schema', () => {
    const text = readFileSync(EXAMPLE, 'utf8');
    const example = parseYaml(text) as unknown;
    // Options without a default are shown commented out (`# key: (unset; …)`).
    const commented = new Set([...text.matchAll(/^\s*# ([a-z_0-9]+): \(unset/gm)].map((m) => m[1]));
    const missing = optionPaths(configJsonSchema()).filter(
      (p) => getPath(example, p) === undefined && !commented.has(p.split('.').at(-1)),
    );
    assert.deepEqual(missing, []);
  });

  test('satellite.example.yml is what the schema renders (regenerate with scripts/gen-config-docs)', () => {
    assert.equal(readFileSync(EXAMPLE, 'utf8'), renderExampleConfig(configJsonSchema()));
  });

  test('the checked-in JSON Schema equals the one generated from zod', () => {
    assert.deepEqual(JSON.parse(readFileSync(SCHEMA_FILE, 'utf8')), configJsonSchema());
  });

  test('environment overrides the file and flags override the environment', () => {
    const file = tempFile('satellite.yml', 'name: from-file\nprovider:\n  port: 1111\n  host: 127.0.0.1\nmqtt:\n  url: mqtt://file\n');
    const env = { SATELLITE_PROVIDER__PORT: '2222', SATELLITE_MQTT__URL: 'mqtt://env', SATELLITE_MDNS__ENABLED: 'false' };
    const { config } = loadConfig({ file, env, overrides: { 'provider.port': 3333 } });
    assert.equal(config.name, 'from-file');
    assert.equal(config.provider.host, '127.0.0.1');
    assert.equal(config.mqtt.url, 'mqtt://env');
    assert.equal(config.mdns.enabled, false);
    assert.equal(config.provider.port, 3333);
  });

  test('string flags are typed by the schema, like environment values', () => {
    const config = parseConfig({}, {}, { 'provider.port': '4444', 'provider.enabled': 'false', 'mqtt.password': '123456' });
    assert.equal(config.provider.port, 4444);
    assert.equal(config.provider.enabled, false);
    assert.equal(config.mqtt.password, '123456');
  });

  test('a bad file yields one error listing every bad path with what was expected', () => {
    const file = tempFile('bad.yml', 'provider:\n  port: "high"\n  max_connections: -3\nlog:\n  level: loud\nnot_an_option: 1\n');
    const error = configErrorOf(file);
    assert.equal(error.code, 'SAT_ERR_CONFIG_INVALID');
    const text = error.message;
    for (const p of ['provider.port', 'provider.max_connections', 'log.level', 'not_an_option']) assert.match(text, new RegExp(p.replace('.', '\\.')));
    assert.equal(error.issues.length, 4);
  });

  test('invalid YAML and a missing explicit file are coded errors', () => {
    assert.throws(() => loadConfig({ file: tempFile('x.yml', 'a: [1, 2\n'), env: {} }), { code: 'SAT_ERR_CONFIG_INVALID' });
    assert.throws(() => loadConfig({ file: '/nonexistent/satellite.yml', env: {} }), /config file not found/);
  });

  test('the loaded config is deep-frozen', () => {
    const config = parseConfig({}, {});
    assert.ok(Object.isFrozen(config));
    assert.ok(Object.isFrozen(config.provider.limits));
    assert.throws(() => {
      (config.provider as { port: number }).port = 1;
    });
  });

  test('models_dir and state_dir resolve from STATE_DIRECTORY when systemd sets it', () => {
    const config = parseConfig({}, { STATE_DIRECTORY: '/var/lib/speech-satellite' });
    assert.equal(config.state_dir, '/var/lib/speech-satellite');
    assert.equal(config.models_dir, '/var/lib/speech-satellite/models');
  });

  test('every object in the JSON Schema forbids unknown keys (additionalProperties: false)', () => {
    const open: string[] = [];
    const walk = (node: unknown, where: string): void => {
      if (Array.isArray(node)) return node.forEach((member, i) => walk(member, `${where}[${i}]`));
      if (typeof node !== 'object' || node === null) return;
      const record = node as Record<string, unknown>;
      if (record['properties'] && record['additionalProperties'] !== false) open.push(where || '(top level)');
      for (const [key, member] of Object.entries(record)) walk(member, where ? `${where}.${key}` : key);
    };
    for (const schema of [configJsonSchema(), JSON.parse(readFileSync(SCHEMA_FILE, 'utf8')) as unknown]) {
      walk(schema, '');
      assert.deepEqual(open, []);
    }
  });

  test('an unknown option in any section, nested ones included, is an error naming its path', () => {
    const file = tempFile(
      'typos.yml',
      [
        'http:\n  apikey: s3cret',
        'mqtt:\n  tls:\n    cafile: /etc/ca.pem\n  reconnect:\n    min: 1',
        'tts:\n  cache:\n    maxentries: 3\n  espeak:\n    programm: espeak',
        'audio:\n  mic:\n    rat: 16000',
        'provider:\n  limits:\n    max_header: 10',
        'stt:\n  models:\n    - name: a\n      path: b\n      famly: whisper\n  runtime:\n    threads: 2',
        'wake:\n  runtime:\n    num_thread: 1',
        'satellite:\n  sounds:\n    awake_sound: none',
        '',
      ].join('\n'),
    );
    const error = configErrorOf(file);
    const paths = error.issues.map((issue) => issue.split(':')[0]).sort();
    assert.deepEqual(paths, [
      'audio.mic.rat',
      'http.apikey',
      'mqtt.reconnect.min',
      'mqtt.tls.cafile',
      'provider.limits.max_header',
      'satellite.sounds.awake_sound',
      'stt.models.0.famly',
      'stt.runtime.threads',
      'tts.cache.maxentries',
      'tts.espeak.programm',
      'wake.runtime.num_thread',
    ]);
    assert.match(error.message, /http\.apikey: unknown option \(did you mean api_key\?\)/);
    assert.match(error.message, /mqtt\.tls\.cafile: unknown option \(did you mean ca_file\?\)/);
    assert.match(error.message, /tts\.cache\.maxentries: unknown option \(did you mean max_entries\?\)/);
    assert.match(error.message, /stt\.models\.0\.famly: unknown option \(did you mean family\?\)/);
    assert.match(error.message, /wake\.runtime\.num_thread: unknown option \(did you mean num_threads\?\)/);
  });

  test('an unknown option with no close match is reported without a suggestion', () => {
    assert.throws(
      () => parseConfig({ http: { frobnicate: true } }, {}),
      (err: unknown) => err instanceof ConfigError && /^http\.frobnicate: unknown option$/.test(err.issues[0] ?? '') && err.issues.length === 1,
    );
  });

  test('records keep arbitrary keys: mirror prefixes and per-word wake tuning', () => {
    const config = parseConfig({ models: { mirrors: { 'https://huggingface.co/': 'http://nas.lan/hf/' } }, wake: { words: { hey_jarvis: { threshold: 0.6 } } } }, {});
    assert.equal(config.models.mirrors['https://huggingface.co/'], 'http://nas.lan/hf/');
    assert.equal(config.wake.words['hey_jarvis']?.threshold, 0.6);
  });

  test('printing hides the password inside URLs but keeps the user name and host', () => {
    const shown = redactConfig(
      parseConfig(
        {
          mqtt: { url: 'mqtt://bob:hunter2@broker.lan:1883' },
          models: { mirrors: { 'https://huggingface.co/': 'https://ci:t0ken@mirror.lan/hf/', 'https://github.com/': 'http://nas.lan/gh/' } },
        },
        {},
      ),
    );
    const text = JSON.stringify(shown);
    assert.doesNotMatch(text, /hunter2|t0ken/);
    assert.equal(getPath(shown, 'mqtt.url'), 'mqtt://bob:[redacted]@broker.lan:1883');
    const mirrors = getPath(shown, 'models.mirrors') as Record<string, string>;
    assert.equal(mirrors['https://huggingface.co/'], 'https://ci:[redacted]@mirror.lan/hf/');
    assert.equal(mirrors['https://github.com/'], 'http://nas.lan/gh/');
  });

  test('printing redacts secrets', () => {
    const shown = redactConfig(parseConfig({ mqtt: { password: 'hunter2' }, http: { api_key: 'sk-123' } }, {}));
    assert.doesNotMatch(JSON.stringify(shown), /hunter2|sk-123/);
    assert.equal((shown['mqtt'] as Record<string, unknown>)['password'], '[redacted]');
  });
});
