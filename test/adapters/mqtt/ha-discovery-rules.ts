/**
 * Home Assistant's rules for one per-component MQTT discovery message, written from HA's own code
 * (home-assistant/core, homeassistant/components/mqtt/), so that a payload HA would reject, or
 * would silently strip (every platform's DISCOVERY_SCHEMA is built with extra=REMOVE_EXTRA, so an
 * unknown or misspelt key is dropped without a word), fails a test here. Each rule names the file
 * it was derived from. Only the platforms this daemon uses are described.
 */

/** discovery.py TOPIC_MATCHER: `<component>/[<node_id>/]<object_id>/config`, ids of [a-zA-Z0-9_-]. */
const TOPIC_TAIL = /^(?<component>\w+)\/(?:(?<node>[a-zA-Z0-9_-]+)\/)?(?<object>[a-zA-Z0-9_-]+)\/config$/;

/** const.py SUPPORTED_COMPONENTS (the entity platforms among them). */
const SUPPORTED_COMPONENTS = new Set([
  'alarm_control_panel', 'binary_sensor', 'button', 'camera', 'climate', 'cover', 'device_automation', 'device_tracker', 'event', 'fan',
  'humidifier', 'image', 'lawn_mower', 'light', 'lock', 'notify', 'number', 'scene', 'select', 'sensor', 'siren', 'switch', 'tag', 'text',
  'update', 'vacuum', 'valve', 'water_heater',
]);

/**
 * abbreviations.py ABBREVIATIONS / DEVICE_ABBREVIATIONS / ORIGIN_ABBREVIATIONS (the entries for
 * options this daemon could send). discovery.py `_replace_all_abbreviations` expands them before
 * validation: a payload that carries both forms loses one, so only full names are sent here.
 */
const ABBREVIATIONS: Record<string, string> = {
  avty: 'availability', avty_mode: 'availability_mode', avty_t: 'availability_topic', avty_tpl: 'availability_template', cmd_t: 'command_topic',
  cmd_tpl: 'command_template', def_ent_id: 'default_entity_id', dev: 'device', dev_cla: 'device_class', e: 'encoding', en: 'enabled_by_default',
  ent_cat: 'entity_category', ent_pic: 'entity_picture', evt_typ: 'event_types', exp_aft: 'expire_after', frc_upd: 'force_update', ic: 'icon',
  json_attr_t: 'json_attributes_topic', json_attr_tpl: 'json_attributes_template', o: 'origin', obj_id: 'object_id', off_dly: 'off_delay',
  ops: 'options', opt: 'optimistic', pl_avail: 'payload_available', pl_not_avail: 'payload_not_available', pl_off: 'payload_off', pl_on: 'payload_on',
  pl_prs: 'payload_press', pl_rst: 'payload_reset', ret: 'retain', stat_cla: 'state_class', stat_off: 'state_off', stat_on: 'state_on',
  stat_t: 'state_topic', sug_dsp_prc: 'suggested_display_precision', t: 'topic', uniq_id: 'unique_id', unit_of_meas: 'unit_of_measurement',
  val_tpl: 'value_template',
};
const DEVICE_ABBREVIATIONS: Record<string, string> = {
  cns: 'connections', cu: 'configuration_url', ids: 'identifiers', mf: 'manufacturer', mdl: 'model', mdl_id: 'model_id', hw: 'hw_version',
  sw: 'sw_version', sa: 'suggested_area', sn: 'serial_number',
};
const ORIGIN_ABBREVIATIONS: Record<string, string> = { sw: 'sw_version', url: 'support_url' };

/** config.py SCHEMA_BASE, MQTT_RO_SCHEMA, MQTT_RW_SCHEMA. */
const BASE = ['qos', 'encoding', 'group'];
const RO = [...BASE, 'state_topic', 'value_template'];
const RW = [...BASE, 'command_topic', 'optimistic', 'retain', 'state_topic'];
/** schemas.py MQTT_ENTITY_COMMON_SCHEMA (with the availability schemas); no `object_id` any more. */
const COMMON = [
  'availability', 'availability_mode', 'availability_template', 'availability_topic', 'payload_available', 'payload_not_available', 'device',
  'entity_picture', 'origin', 'enabled_by_default', 'entity_category', 'icon', 'json_attributes_topic', 'json_attributes_template',
  'default_entity_id', 'message_expiry_interval', 'unique_id', 'visible_by_default', 'platform',
];

/** Each platform file's _PLATFORM_SCHEMA_BASE / PLATFORM_SCHEMA_MODERN: its own keys, and the ones it requires. */
const PLATFORMS: Record<string, { keys: string[]; required: string[] }> = {
  // sensor.py
  sensor: {
    keys: [...RO, 'name', 'device_class', 'expire_after', 'force_update', 'last_reset_value_template', 'options', 'suggested_display_precision', 'state_class', 'unit_of_measurement'],
    required: ['state_topic'],
  },
  // binary_sensor.py
  binary_sensor: { keys: [...RO, 'name', 'device_class', 'expire_after', 'force_update', 'off_delay', 'payload_off', 'payload_on'], required: ['state_topic'] },
  // switch.py
  switch: { keys: [...RW, 'name', 'command_template', 'device_class', 'payload_off', 'payload_on', 'state_off', 'state_on', 'value_template'], required: ['command_topic'] },
  // number.py
  number: {
    keys: [...RW, 'name', 'command_template', 'device_class', 'max', 'min', 'mode', 'payload_reset', 'step', 'unit_of_measurement', 'value_template'],
    required: ['command_topic'],
  },
  // select.py
  select: { keys: [...RW, 'name', 'command_template', 'options', 'value_template'], required: ['command_topic', 'options'] },
  // button.py
  button: { keys: [...BASE, 'name', 'command_template', 'command_topic', 'device_class', 'payload_press', 'retain'], required: ['command_topic'] },
  // notify.py
  notify: { keys: [...BASE, 'name', 'command_template', 'command_topic', 'retain'], required: ['command_topic'] },
  // event.py
  event: { keys: [...RO, 'name', 'device_class', 'event_types'], required: ['state_topic', 'event_types'] },
};

/** schemas.py MQTT_ENTITY_DEVICE_INFO_SCHEMA and MQTT_ORIGIN_INFO_SCHEMA. */
const DEVICE_KEYS = new Set(['identifiers', 'connections', 'manufacturer', 'model', 'model_id', 'name', 'hw_version', 'serial_number', 'sw_version', 'via_device', 'suggested_area', 'configuration_url']);
const ORIGIN_KEYS = new Set(['name', 'sw_version', 'support_url']);

/** homeassistant/core.py VALID_ENTITY_ID (what cv.entity_id accepts). */
const VALID_ENTITY_ID = /^(?!.+__)(?!_)[\da-z_]+(?<!_)\.(?!_)[\da-z_]+(?<!_)$/;
/** cv.icon: `<prefix>:<name>`. */
const VALID_ICON = /^[a-z0-9-]+:[a-z0-9-]+$/;
/** helpers/entity.py ENTITY_CATEGORIES_SCHEMA. */
const ENTITY_CATEGORIES = new Set(['config', 'diagnostic']);
/** number's NumberMode. */
const NUMBER_MODES = new Set(['auto', 'box', 'slider']);
/** util.py valid_qos_schema. */
const QOS = new Set([0, 1, 2]);

const isString = (v: unknown): v is string => typeof v === 'string';

/** Every way `payload`, published on `topic`, breaks a rule HA applies; [] when HA takes it whole. */
export function discoveryProblems(topic: string, payload: Record<string, unknown>, prefix = 'homeassistant'): string[] {
  const problems: string[] = [];
  const fail = (rule: string) => problems.push(`${topic}: ${rule}`);

  // discovery.py: topic shape and supported component.
  if (!topic.startsWith(`${prefix}/`)) fail(`not under the discovery prefix ${prefix}`);
  const match = TOPIC_TAIL.exec(topic.slice(prefix.length + 1));
  const component = match?.groups?.['component'] ?? '';
  if (!match) fail('topic is not <component>/[<node_id>/]<object_id>/config with ids of [a-zA-Z0-9_-]');
  if (!SUPPORTED_COMPONENTS.has(component)) fail(`component ${component} is not supported`);
  const platform = PLATFORMS[component];
  if (!platform) return [...problems, `${topic}: no rules written for platform ${component}`];

  // abbreviations.py / discovery.py: full names only, never both forms.
  const checkAbbreviations = (obj: Record<string, unknown>, table: Record<string, string>, where: string) => {
    for (const key of Object.keys(obj)) if (key in table && table[key] !== key) fail(`${where} key ${key} is an abbreviation of ${table[key]}; send the full name`);
  };
  checkAbbreviations(payload, ABBREVIATIONS, 'entity');

  // Platform DISCOVERY_SCHEMA (extra=REMOVE_EXTRA): every key must be one the platform knows, or HA drops it silently.
  const known = new Set([...COMMON, ...platform.keys]);
  for (const key of Object.keys(payload)) if (!known.has(key)) fail(`${component} does not know option ${key} (HA would drop it)`);
  for (const key of platform.required) if (payload[key] === undefined) fail(`${component} requires ${key}`);

  // schemas.py: unique_id (needed to attach to a device and be edited), default_entity_id, never object_id.
  if (!isString(payload['unique_id']) || payload['unique_id'] === '') fail('unique_id missing');
  if ('object_id' in payload || 'obj_id' in payload) fail('object_id is gone from HA; use default_entity_id');
  const entityId = payload['default_entity_id'];
  if (!isString(entityId) || !VALID_ENTITY_ID.test(entityId)) fail(`default_entity_id ${String(entityId)} is not a valid entity id`);
  else if (entityId.split('.')[0] !== component) fail(`default_entity_id ${entityId} is not in the ${component} domain`);

  // schemas.py MQTT_ENTITY_DEVICE_INFO_SCHEMA: at least one identifier or connection; known keys.
  const device = payload['device'] as Record<string, unknown> | undefined;
  if (!device || typeof device !== 'object') fail('device missing');
  else {
    checkAbbreviations(device, DEVICE_ABBREVIATIONS, 'device');
    for (const key of Object.keys(device)) if (!DEVICE_KEYS.has(key)) fail(`device key ${key} is unknown`);
    const ids = device['identifiers'];
    const cns = device['connections'];
    if (!(Array.isArray(ids) && ids.length > 0) && !isString(ids) && !(Array.isArray(cns) && cns.length > 0)) fail('device has no identifiers or connections');
  }

  // schemas.py MQTT_ORIGIN_INFO_SCHEMA (required for device discovery, validated when present by discovery.py _valid_origin_info; we always send it).
  const origin = payload['origin'] as Record<string, unknown> | undefined;
  if (!origin || typeof origin !== 'object') fail('origin missing');
  else {
    checkAbbreviations(origin, ORIGIN_ABBREVIATIONS, 'origin');
    for (const key of Object.keys(origin)) if (!ORIGIN_KEYS.has(key)) fail(`origin key ${key} is unknown`);
    if (!isString(origin['name']) || origin['name'] === '') fail('origin.name is required');
  }

  // schemas.py availability: a list of {topic, payload_available, payload_not_available, value_template}, exclusive with availability_topic.
  const availability = payload['availability'];
  if (availability !== undefined && payload['availability_topic'] !== undefined) fail('availability and availability_topic are exclusive');
  if (availability !== undefined) {
    const list = Array.isArray(availability) ? availability : [availability];
    for (const entry of list as Array<Record<string, unknown>>) {
      if (!isString(entry['topic'])) fail('availability entry without topic');
      for (const key of Object.keys(entry)) if (!['topic', 'payload_available', 'payload_not_available', 'value_template'].includes(key)) fail(`availability key ${key} is unknown`);
    }
  }

  // Common value checks: qos (util.py), icon (cv.icon), entity_category (helpers/entity.py).
  if (payload['qos'] !== undefined && !QOS.has(payload['qos'] as number)) fail('qos must be 0, 1 or 2');
  if (payload['icon'] !== undefined && !(isString(payload['icon']) && VALID_ICON.test(payload['icon']))) fail(`icon ${String(payload['icon'])} is not prefix:name`);
  if (payload['entity_category'] !== undefined && !ENTITY_CATEGORIES.has(payload['entity_category'] as string)) fail('entity_category must be config or diagnostic');

  // sensor.py validate_sensor_state_and_device_class_config: options only for enum sensors, never with a unit or state class.
  if (component === 'sensor' && payload['options'] !== undefined) {
    const options = payload['options'];
    if (!Array.isArray(options) || options.length === 0) fail('an empty options list is not allowed');
    if (payload['state_class'] !== undefined || payload['unit_of_measurement'] !== undefined) fail('options cannot go with state_class or unit_of_measurement');
    if (payload['device_class'] !== 'enum') fail('options need device_class enum');
  }
  if (component === 'sensor' && payload['device_class'] === 'enum' && payload['options'] === undefined) fail('an enum sensor needs options');
  // HA refuses config-category sensors since 2024.2 (core PR #101471, ecosystem.md S9).
  if ((component === 'sensor' || component === 'binary_sensor') && payload['entity_category'] === 'config') fail(`a ${component} cannot be in the config category`);

  // number.py validate_config and schema: min <= max, step >= 1e-3, a known mode.
  if (component === 'number') {
    // The defaults are number's DEFAULT_MIN_VALUE and DEFAULT_MAX_VALUE, 0 and 100.
    const min = (payload['min'] as number | undefined) ?? 0;
    const max = (payload['max'] as number | undefined) ?? 100;
    if (!(typeof min === 'number' && typeof max === 'number' && min <= max)) fail('number max must be >= min');
    if (payload['step'] !== undefined && !(typeof payload['step'] === 'number' && payload['step'] >= 1e-3)) fail('number step must be >= 0.001');
    if (payload['mode'] !== undefined && !NUMBER_MODES.has(payload['mode'] as string)) fail('number mode must be auto, box or slider');
  }

  // select.py: options required; event.py: event_types a list of strings.
  if (component === 'select' && !(Array.isArray(payload['options']) && (payload['options'] as unknown[]).every(isString))) fail('select options must be a list of strings');
  if (component === 'event' && !(Array.isArray(payload['event_types']) && (payload['event_types'] as unknown[]).every(isString))) fail('event_types must be a list of strings');
  return problems;
}
