/** How the detail view shows what SciCat stores (issue 9). */
import { describe, expect, it } from 'vitest';

import { formatMetadataValue, idsOf, PID_PATTERN } from '../format';

describe('SciCat values in the detail view', () => {
  it('shows a quantity_range or pair as low – high, lists and booleans readably', () => {
    expect(formatMetadataValue([1, 2])).toBe('1 – 2');
    expect(formatMetadataValue([0.01, 0.5])).toBe('0.01 – 0.5');
    expect(formatMetadataValue(['calibration', 'good', 'x'])).toBe('calibration × good × x');
    expect(formatMetadataValue(false)).toBe('false');
    expect(formatMetadataValue('817b_B2_')).toBe('817b_B2_');
  });

  it('joins a v3 id and its v4 list once each, without empty ids', () => {
    expect(idsOf('p2002', ['p2002', 'p2001', ''])).toEqual(['p2002', 'p2001']);
    expect(idsOf(null, undefined)).toEqual([]);
    expect(idsOf(undefined, ['10.540.16635/20110123'])).toEqual(['10.540.16635/20110123']);
  });

  it('links only inputs that are pids', () => {
    expect(PID_PATTERN.test('20.500.12269/5c1a0001-7a73-11ef-ae3e-439013069377')).toBe(true);
    expect(PID_PATTERN.test('/data/input/file1.dat')).toBe(false);
  });
});
