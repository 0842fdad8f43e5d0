/** Small formatting helpers for the views. */

const UNITS = ['B', 'kB', 'MB', 'GB', 'TB', 'PB'];

export function formatSize(bytes: number | undefined | null): string {
  if (bytes === undefined || bytes === null || !isFinite(bytes)) {
    return '–';
  }
  let value = bytes;
  let unit = 0;
  while (value >= 1000 && unit < UNITS.length - 1) {
    value /= 1000;
    unit++;
  }
  return `${unit === 0 ? value : value.toFixed(value < 10 ? 1 : 0)} ${UNITS[unit]}`;
}

export function formatDate(iso: string | undefined | null): string {
  if (!iso) {
    return '–';
  }
  const date = new Date(iso);
  if (isNaN(date.getTime())) {
    return iso;
  }
  return date.toISOString().slice(0, 10);
}

export function formatDateTime(iso: string | undefined | null): string {
  if (!iso) {
    return '–';
  }
  const date = new Date(iso);
  if (isNaN(date.getTime())) {
    return iso;
  }
  return date.toISOString().slice(0, 16).replace('T', ' ') + ' UTC';
}

export function formatValue(value: unknown): string {
  if (value === null || value === undefined) {
    return '–';
  }
  if (Array.isArray(value)) {
    return value.map(v => formatValue(v)).join(' × ');
  }
  if (typeof value === 'number') {
    return Number.isInteger(value) ? String(value) : String(+value.toPrecision(6));
  }
  if (typeof value === 'object') {
    return JSON.stringify(value);
  }
  return String(value);
}

/** Every id of a v3 field and its v4 list (proposalId + proposalIds...), once each. */
export function idsOf(one: string | null | undefined, many: string[] | undefined): string[] {
  return [...new Set([...(one ? [one] : []), ...(many ?? [])].filter(Boolean))];
}

/** The pids beamhub links to; SciCat's inputDatasets may also be paths or other ids. */
export const PID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._:-]*(?:\/[A-Za-z0-9._:-]+)*$/;

/** A scientific-metadata value for people: a quantity_range or pair as 'low – high'. */
export function formatMetadataValue(value: unknown): string {
  if (Array.isArray(value) && value.length === 2 && value.every(v => typeof v === 'number')) {
    return `${formatValue(value[0])} – ${formatValue(value[1])}`;
  }
  if (typeof value === 'boolean') {
    return value ? 'true' : 'false';
  }
  return formatValue(value);
}

export const plural = (n: number, word: string): string =>
  `${n.toLocaleString('en')} ${word}${n === 1 ? '' : 's'}`;
